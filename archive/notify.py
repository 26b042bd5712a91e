"""Tell a person when a crawl went wrong: run a configured command, or POST to a webhook URL.

A notification must never lose the crawl it reports on, so every failure here is logged and swallowed.
The command gets the one-line summary on stdin and in ``HOSPITAL_NEWS_SUMMARY`` (e.g. ``mail -s ...``);
the webhook gets JSON ``{"text": summary, ...}`` (the shape Slack, Mattermost and ntfy-style bridges read).
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import urllib.request

logger = logging.getLogger(__name__)
TIMEOUT_SECONDS = 30


def notify(summary: str, *, command: str | None = None, url: str | None = None, details: dict | None = None) -> bool:
    """Send ``summary`` to every configured channel; True if all that were configured succeeded."""
    ok = True
    if command:
        ok &= run_command(command, summary)
    if url:
        ok &= post_webhook(url, summary, details or {})
    return ok


def run_command(command: str, summary: str) -> bool:
    try:
        result = subprocess.run(
            command,
            shell=True,
            input=summary + "\n",
            text=True,
            encoding="utf-8",
            env={**os.environ, "HOSPITAL_NEWS_SUMMARY": summary},
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        logger.warning("notification command %r failed: %s", command, exc)
        return False
    if result.returncode != 0:
        logger.warning("notification command %r exited %s: %s", command, result.returncode, result.stderr.strip())
        return False
    return True


def post_webhook(url: str, summary: str, details: dict) -> bool:
    body = json.dumps({"text": summary, **details}, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return 200 <= response.status < 300
    except (OSError, ValueError) as exc:
        logger.warning("notification webhook %s failed: %s", url, exc)
        return False
