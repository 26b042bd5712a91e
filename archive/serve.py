"""Serve an archive with Datasette, configured by ``datasette_metadata.json``.

The metadata file names the database "archive"; Datasette names a database after its file stem, so the
file is rewritten for the actual stem at start-up (``hospital.db`` is served as ``/hospital``).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

METADATA_FILE = Path(__file__).resolve().parent.parent / "datasette_metadata.json"
METADATA_DB_KEY = "archive"


def metadata_for(db_path: Path, source: Path = METADATA_FILE) -> dict:
    """The project's Datasette metadata with its database section keyed by ``db_path``'s stem."""
    metadata = json.loads(source.read_text(encoding="utf-8"))
    databases = metadata.get("databases", {})
    if METADATA_DB_KEY in databases and db_path.stem != METADATA_DB_KEY:
        databases[db_path.stem] = databases.pop(METADATA_DB_KEY)
    return metadata


def datasette_command(db_path: Path, metadata_path: Path, host: str, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        str(db_path),
        "--metadata",
        str(metadata_path),
        "--host",
        host,
        "--port",
        str(port),
        "--setting",
        "sql_time_limit_ms",
        "3000",
        "--setting",
        "default_page_size",
        "50",
        "--setting",
        "truncate_cells_html",
        "400",
    ]


def serve(db_path: Path, host: str = "127.0.0.1", port: int = 8001) -> int:
    """Run Datasette in the foreground until Ctrl-C; returns its exit status."""
    with tempfile.TemporaryDirectory(prefix="hospital-news-") as folder:
        metadata_path = Path(folder) / "metadata.json"
        metadata_path.write_text(json.dumps(metadata_for(db_path), ensure_ascii=False), encoding="utf-8")
        print(f"Serving {db_path} at http://{host}:{port}/{db_path.stem} (Ctrl-C to stop)", file=sys.stderr)
        process = subprocess.Popen(datasette_command(db_path, metadata_path, host, port))
        try:
            return process.wait()
        except KeyboardInterrupt:
            process.terminate()
            process.wait(timeout=10)
            return 0
