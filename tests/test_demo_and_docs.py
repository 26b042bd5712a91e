"""`hospital-news demo --no-serve` builds the whole archive offline; every command is documented."""

import re
import sqlite3

from archive.cli import cli

from .conftest import ROOT, run_cli


def test_demo_archives_every_party_article_of_both_mirrors(tmp_path, gold):
    db = tmp_path / "demo.db"
    result = run_cli("demo", "--no-serve", "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert "baclieu: ok" in result.stdout and "omon: ok" in result.stdout
    conn = sqlite3.connect(db)
    party = conn.execute("SELECT count(*) FROM articles WHERE party = 1 AND title <> '' AND body <> ''").fetchone()[0]
    conn.close()
    assert party == sum(1 for articles in gold.values() for a in articles if a["category"] == "party")


def command_names(group, prefix=""):
    for name, command in group.commands.items():
        yield f"{prefix}{name}"
        if hasattr(command, "commands"):
            yield from command_names(command, f"{prefix}{name} ")


def test_every_command_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in command_names(cli):
        if name == "sites":
            continue
        assert re.search(rf"hospital-news {name}\b", readme), f"README lacks an example of `hospital-news {name}`"


def test_quick_start_is_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1].split("##", 1)[0]
    commands = re.findall(r"^make \w+", quick, flags=re.MULTILINE)
    assert commands == ["make demo", "make test"]
