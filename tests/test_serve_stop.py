"""Stopping ``hospital-news serve`` (SIGTERM, as `kill`, systemd or a supervisor do) stops its Datasette too."""

import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

from archive.store import Archive

from .conftest import CLI, ROOT, free_port, wait_for_http


def children(pid: int) -> list[int]:
    return [int(c) for task in Path(f"/proc/{pid}/task").iterdir() for c in (task / "children").read_text().split()]


def running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_terminating_serve_stops_datasette(tmp_path):
    db = tmp_path / "bệnh-viện.db"
    Archive(db).close()
    port = free_port()
    leftovers: list[int] = []
    serve = subprocess.Popen([*CLI, "serve", "--db", str(db), "--port", str(port)], cwd=ROOT, stderr=subprocess.DEVNULL)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/-/versions.json")
        leftovers += children(serve.pid)
        (datasette,) = leftovers
        serve.terminate()
        serve.wait(timeout=30)
        for _ in range(100):  # the child may take a moment to exit after its parent
            if not running(datasette):
                break
            time.sleep(0.1)
        assert not running(datasette)
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/-/versions.json", timeout=2)
            raise AssertionError("Datasette still answers after serve was terminated")
        except OSError:
            pass
    finally:
        serve.kill()
        serve.wait()
        for pid in leftovers:  # a failing run leaves no stray server behind
            if running(pid):
                os.kill(pid, signal.SIGKILL)
