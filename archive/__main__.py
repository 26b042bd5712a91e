"""``python -m archive`` is the ``hospital-news`` command."""

from archive.cli import cli

cli(prog_name="hospital-news")
