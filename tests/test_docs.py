"""The README says what is true: every setting in its settings table, every folder in its
layout table (Datasette's ``test_docs.py`` keeps its documentation honest the same way)."""

from __future__ import annotations

import re
from pathlib import Path

from bridge.settings import CONFIG_FILE_VARIABLE, ENV_PREFIX, Settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    """The text of one ``## title`` section."""
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else None]


def table_rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("| ") and "---" not in line]


def test_every_setting_is_in_the_readme_and_only_those() -> None:
    documented = {
        name
        for row in table_rows(section("Configuration"))
        for name in re.findall(rf"`({ENV_PREFIX}[A-Z0-9_]+)`", row.split(" | ")[0])
    }
    settings = {f"{ENV_PREFIX}{name.upper()}" for name in Settings.model_fields}
    settings.add(CONFIG_FILE_VARIABLE)
    assert sorted(settings - documented) == [], "settings the README does not describe"
    assert sorted(documented - settings) == [], "settings the README describes that do not exist"


def test_the_layout_table_names_every_package_and_only_what_exists() -> None:
    rows = table_rows(section("Layout"))
    named = {
        path.rstrip("/") for row in rows for path in re.findall(r"`([^`]+)`", row.split(" | ")[0])
    }
    packages = {
        str(path.parent.relative_to(ROOT))
        for top in ("bridge", "adapters")
        for path in (ROOT / top).glob("*/__init__.py")
    }
    modules = {
        str(path.relative_to(ROOT))
        for path in (ROOT / "bridge").glob("*.py")
        if path.name not in ("__init__.py",)
    }
    assert sorted(packages - named) == [], "packages missing from the README's layout"
    assert sorted(modules - named) == [], "modules missing from the README's layout"
    assert sorted(name for name in named if not (ROOT / name).exists()) == []
