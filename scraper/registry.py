"""The site registry: check every profile file at once, and switch a site on or off by editing its file.

Profiles are files archivists edit by hand, with comments that explain assumptions; switching a site off must
not lose them. So ``enabled`` is changed by rewriting that one line of the ``[site]`` table in place, and the
result is parsed again before it replaces the file.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from scraper.profiles import Profile, ProfileError, load_profile, load_profile_file, parse_profile, profile_files

_HEADER = re.compile(r"^\s*\[")
_ENABLED = re.compile(r"^(\s*enabled\s*=\s*)(true|false)\b(.*)$")


@dataclass(frozen=True)
class Checked:
    """One profile file and what is wrong with it (``problem`` is None when it loads)."""

    path: Path
    profile: Profile | None
    problem: str | None


def validate_profiles(sites_dir: Path | str | None = None) -> list[Checked]:
    """Load every ``*.toml`` in the folder, collecting each file's error instead of stopping at the first."""
    checked: list[Checked] = []
    names: dict[str, Path] = {}
    for path in profile_files(sites_dir):
        try:
            profile = load_profile_file(path)
        except ProfileError as exc:
            checked.append(Checked(path, None, str(exc)))
            continue
        if profile.name in names:
            checked.append(
                Checked(path, profile, f"{path}: site name {profile.name!r} already used by {names[profile.name]}")
            )
            continue
        names[profile.name] = path
        checked.append(Checked(path, profile, None))
    return checked


def set_enabled(name: str, enabled: bool, sites_dir: Path | str | None = None) -> Profile:
    """Rewrite the ``enabled`` line of site NAME's profile (adding one if absent); comments are kept."""
    profile = load_profile(name, sites_dir)
    path = profile.path
    assert path is not None
    text = path.read_text(encoding="utf-8")
    updated = _with_enabled(text, enabled, path)
    parsed = parse_profile(updated, path)  # never write a file that would no longer load
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(updated, encoding="utf-8")
    os.replace(tmp, path)
    return parsed


def _with_enabled(text: str, enabled: bool, path: Path) -> str:
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.strip() == "[site]"), None)
    if start is None:
        raise ProfileError(f"{path}: missing [site] table")
    end = next((i for i in range(start + 1, len(lines)) if _HEADER.match(lines[i])), len(lines))
    value = "true" if enabled else "false"
    for i in range(start + 1, end):
        match = _ENABLED.match(lines[i].rstrip("\r\n"))
        if match:
            newline = lines[i][len(lines[i].rstrip("\r\n")) :]
            lines[i] = f"{match[1]}{value}{match[3]}{newline}"
            return "".join(lines)
    last_key = max(i for i in range(start, end) if lines[i].strip() and not lines[i].lstrip().startswith("#"))
    if not lines[last_key].endswith("\n"):
        lines[last_key] += "\n"
    lines.insert(last_key + 1, f"enabled = {value}\n")
    return "".join(lines)
