"""Serve an archive with Datasette, configured by ``datasette_metadata.json`` and the plugin in
``archive/datasette_plugins/`` (Vietnamese search functions, readable bodies, robots.txt).

The metadata file names the database "archive"; Datasette names a database after its file stem, so the
file is rewritten for the actual stem at start-up (``hospital.db`` is served as ``/hospital``). Canned
queries whose SQL lives in Python (the ranked ``search``, from archive/search.py) are filled in then too,
so the ranking has one source.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from archive.search import RANKED_SQL

METADATA_FILE = Path(__file__).resolve().parent.parent / "datasette_metadata.json"
METADATA_DB_KEY = "archive"
ROOT = Path(__file__).resolve().parent.parent
PLUGINS_DIR = Path(__file__).resolve().parent / "datasette_plugins"
# Safe public defaults: a SQL time limit, and whole-table CSV streamed without the 100 MB cut-off.
# No facet suggestions: they try every column on every page, most of a search's time on a big archive
# (bench.query: 1.2 s → 0.16 s at 20,000 articles); the facets configured in the metadata stay.
SETTINGS = {
    "sql_time_limit_ms": "3000",
    "default_page_size": "50",
    "truncate_cells_html": "400",
    "max_csv_mb": "0",
    "allow_download": "off",
    "suggest_facets": "off",
}


def metadata_for(db_path: Path, source: Path = METADATA_FILE) -> dict:
    """The project's Datasette metadata with its database section keyed by ``db_path``'s stem."""
    metadata = json.loads(source.read_text(encoding="utf-8"))
    databases = metadata.get("databases", {})
    queries = databases.get(METADATA_DB_KEY, {}).get("queries", {})
    if "search" in queries:
        queries["search"]["sql"] = RANKED_SQL
    if METADATA_DB_KEY in databases and db_path.stem != METADATA_DB_KEY:
        databases[db_path.stem] = databases.pop(METADATA_DB_KEY)
    return metadata


def datasette_command(db_path: Path, metadata_path: Path, host: str, port: int) -> list[str]:
    command = [sys.executable, "-m", "datasette", "serve", str(db_path), "--metadata", str(metadata_path)]
    command += ["--plugins-dir", str(PLUGINS_DIR), "--host", host, "--port", str(port)]
    for name, value in SETTINGS.items():
        command += ["--setting", name, value]
    return command


def datasette_env() -> dict[str, str]:
    """The environment for Datasette: the plugin imports ``archive.search`` from this checkout."""
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path}


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM as Ctrl-C: without it Datasette, a child process, outlives a terminated ``serve``."""
    raise KeyboardInterrupt


def serve(db_path: Path, host: str = "127.0.0.1", port: int = 8001) -> int:
    """Run Datasette in the foreground until Ctrl-C; returns its exit status."""
    with tempfile.TemporaryDirectory(prefix="hospital-news-") as folder:
        metadata_path = Path(folder) / "metadata.json"
        metadata_path.write_text(json.dumps(metadata_for(db_path), ensure_ascii=False), encoding="utf-8")
        print(f"Serving {db_path} at http://{host}:{port}/{db_path.stem} (Ctrl-C to stop)", file=sys.stderr)
        process = subprocess.Popen(datasette_command(db_path, metadata_path, host, port), env=datasette_env())
        signal.signal(signal.SIGTERM, _interrupt)  # `kill`, systemd, a test's terminate(): stop Datasette too
        try:
            return process.wait()
        except KeyboardInterrupt:
            process.terminate()
            process.wait(timeout=10)
            return 0
