"""Crontab line and systemd units for those who prefer the system's scheduler to ``hospital-news scheduler``.

Both call ``hospital-news scheduler --once`` every few minutes rather than one crawl per site: that one
command honours every profile's own cron expression, the per-site locks, the concurrency limit and the
"never the same slot twice" state, so the rules are the same whichever scheduler drives them.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

CHECK_EVERY_MINUTES = 5


def scheduler_command(db: Path, sites_dir: Path | None, extra: list[str]) -> list[str]:
    command = [sys.executable, "-m", "archive", "scheduler", "--once", "--db", str(db.resolve())]
    if sites_dir:
        command += ["--sites-dir", str(sites_dir.resolve())]
    return command + extra


def crontab_line(command: list[str], workdir: Path, every: int = CHECK_EVERY_MINUTES) -> str:
    """One crontab line; cron has a bare environment, so it changes to the project folder first."""
    return f"*/{every} * * * * cd {shlex.quote(str(workdir))} && {shlex.join(command)} >/dev/null 2>&1"


def systemd_units(command: list[str], workdir: Path, every: int = CHECK_EVERY_MINUTES) -> dict[str, str]:
    """``hospital-news.service`` (one pass of due crawls) and ``hospital-news.timer`` (every few minutes)."""
    service = f"""[Unit]
Description=hospital-news: crawl the hospital sites whose schedule is due
After=network-online.target
Wants=network-online.target

[Service]
Type=oneshot
WorkingDirectory={workdir}
Environment=PYTHONIOENCODING=utf-8
ExecStart={shlex.join(command)}
# A crawl with health warnings exits 3 (not a unit failure); a failed crawl (exit 1) shows in
# `systemctl --failed`. The timer fires again either way.
SuccessExitStatus=3
"""
    timer = f"""[Unit]
Description=hospital-news: check every {every} minutes which hospital sites are due

[Timer]
OnCalendar=*:0/{every}
Persistent=true

[Install]
WantedBy=timers.target
"""
    return {"hospital-news.service": service, "hospital-news.timer": timer}
