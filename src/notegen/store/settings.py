"""The pytest settings a result depends on, read statically from the project's config.

Only ``notegen_seed`` changes what an unchanged experiment measures (the other
settings change how it runs: time limits, threads, the device, which is
recorded with the result). It can be set only in the pytest configuration
file, so :func:`configured_seed` reads it from there, without importing pytest.
"""

from __future__ import annotations

import configparser
import tomllib
from pathlib import Path

DEFAULT_SEED = 0
"""``notegen_seed`` when the configuration does not set it."""

# The files pytest reads its configuration from, in the order it looks for them in
# a folder, and the section holding pytest's settings in each ("" for the top level).
_TOML = (("pytest.toml", "pytest"), (".pytest.toml", "pytest"))
_INI = (("pytest.ini", "pytest"), (".pytest.ini", "pytest"))
_LATER = (("tox.ini", "pytest"), ("setup.cfg", "tool:pytest"))


def _ini_section(path: Path, section: str) -> dict[str, str] | None:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, configparser.Error):
        return None
    return dict(parser[section]) if parser.has_section(section) else None


def _toml(path: Path) -> dict[str, object] | None:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None


def pytest_settings(root: Path) -> dict[str, object]:
    """The settings of the pytest configuration file in ``root``, found as pytest finds
    it there (``pytest.toml``, ``.pytest.toml``, ``pytest.ini``, ``.pytest.ini``,
    ``pyproject.toml``, ``tox.ini``, ``setup.cfg``); empty when there is none or it
    cannot be read."""
    for name, table in _TOML:
        if (root / name).is_file():
            doc = _toml(root / name) or {}
            section = doc.get(table)
            return dict(section) if isinstance(section, dict) else {}
    for name, section_name in _INI:
        if (root / name).is_file():
            return dict(_ini_section(root / name, section_name) or {})
    if (root / "pyproject.toml").is_file():
        tool = (_toml(root / "pyproject.toml") or {}).get("tool", {})
        pytest = tool.get("pytest") if isinstance(tool, dict) else None
        if isinstance(pytest, dict):
            ini = pytest.get("ini_options")
            return dict(ini) if isinstance(ini, dict) else pytest
    for name, section_name in _LATER:
        if (root / name).is_file():
            found = _ini_section(root / name, section_name)
            if found is not None:
                return dict(found)
    return {}


def configured_seed(root: Path) -> int | None:
    """``notegen_seed`` as the project at ``root`` configures it (:data:`DEFAULT_SEED`
    when unset); None when the value is not an integer (pytest will refuse it)."""
    value = pytest_settings(root).get("notegen_seed", DEFAULT_SEED)
    try:
        return int(float(str(value)))
    except ValueError:
        return None
