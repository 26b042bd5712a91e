"""Serve an archive with Datasette, configured by ``datasette_metadata.json`` and the plugin in
``archive/datasette_plugins/`` (Vietnamese search functions, readable bodies, robots.txt).

The metadata file names the database "archive"; Datasette names a database after its file stem, so the
file is rewritten for the actual stem at start-up (``hospital.db`` is served as ``/hospital``). Canned
queries whose SQL lives in Python (the ranked ``search``, from archive/search.py) are filled in then too,
so the ranking has one source. So is the plugin's ``warc_dir`` (where the archived copies are read from),
passed through the environment so that ``/-/metadata`` does not show a server path.
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
from archive.store import default_warc_dir

METADATA_FILE = Path(__file__).resolve().parent.parent / "datasette_metadata.json"
METADATA_DB_KEY = "archive"
PLUGIN = "hospital-news"
WARC_DIR_ENV = "HOSPITAL_NEWS_WARC_DIR"
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
    plugins = databases.setdefault(db_path.stem, {}).setdefault("plugins", {})
    plugins[PLUGIN] = {"warc_dir": {"$env": WARC_DIR_ENV}}
    return metadata


def datasette_command(db_path: Path, metadata_path: Path, host: str, port: int) -> list[str]:
    command = [sys.executable, "-m", "datasette", "serve", str(db_path), "--metadata", str(metadata_path)]
    command += ["--plugins-dir", str(PLUGINS_DIR), "--host", host, "--port", str(port)]
    for name, value in SETTINGS.items():
        command += ["--setting", name, value]
    return command


def datasette_env(warc_dir: Path | None = None) -> dict[str, str]:
    """The environment for Datasette: the plugin imports ``archive.search`` from this checkout, and reads the
    WARC folder from ``HOSPITAL_NEWS_WARC_DIR`` (unset: ``<db stem>-warc/`` beside the database)."""
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, "PYTHONPATH": path}
    if warc_dir is not None:
        env[WARC_DIR_ENV] = str(Path(warc_dir).resolve())
    return env


def serve(db_path: Path, host: str = "127.0.0.1", port: int = 8001, warc_dir: Path | None = None) -> int:
    """Run Datasette in the foreground until Ctrl-C; returns its exit status.

    ``warc_dir``: where the raw captures are, for the articles' archived copies (default: beside the database).
    """
    warc_dir = warc_dir or default_warc_dir(db_path)
    if not warc_dir.is_dir():
        print(f"No WARC folder at {warc_dir}: archived copies will answer 404 (see --warc-dir)", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="hospital-news-") as folder:
        metadata_path = Path(folder) / "metadata.json"
        metadata_path.write_text(json.dumps(metadata_for(db_path), ensure_ascii=False), encoding="utf-8")
        print(f"Serving {db_path} at http://{host}:{port}/{db_path.stem} (Ctrl-C to stop)", file=sys.stderr)
        command = datasette_command(db_path, metadata_path, host, port)
        process = subprocess.Popen(command, env=datasette_env(warc_dir))
        return wait_for_datasette(process)


def wait_for_datasette(process: subprocess.Popen) -> int:
    """Wait for Datasette; Ctrl-C or SIGTERM (systemd, a test, ``kill``) stop it too, never leaving it orphaned."""
    stopped = []

    def stop(_signum, _frame) -> None:
        stopped.append(True)
        process.terminate()

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        status = process.wait()
        return 0 if stopped else status
    except KeyboardInterrupt:
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=10)
