"""The layers of the code, checked: every import goes down, never up, nor across.

ARCHITECTURE.md says what each layer does and which way the data goes. A package may import
its own modules and any package of a lower layer; packages of one layer do not import each
other. Imports inside functions count too: deferring an import hides it from nobody.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Top to bottom. A unit is a package or module; an import belongs to the longest unit that
# names it (``bridge.db.registry`` before ``bridge.db``).
LAYERS: tuple[tuple[str, ...], ...] = (
    ("bridge.cli",),
    ("bridge.serve",),
    ("bridge.panel",),
    ("bridge.jobs",),
    ("adapters.registry",),
    ("adapters.rules", "adapters.sinks", "adapters.notifiers", "adapters"),
    ("bridge.db.migrations",),  # Alembic's scripts: they need every table
    ("bridge.db.registry",),
    ("bridge.outcomes",),
    ("bridge.contracts",),
    ("bridge.exports",),
    ("bridge.approvals",),
    ("bridge.rules",),
    ("bridge.translations",),
    ("bridge.sync",),
    (
        "bridge.marketplace",
        "bridge.notifications",
        "bridge.departments",
        "bridge.accounts",
        "bridge.awards",
    ),
    ("bridge.audit",),
    ("bridge.db",),
    ("bridge.catalogs", "bridge.logs", "bridge.pagination", "bridge.spreadsheet", "bridge.text"),
    ("bridge.settings", "bridge.clock", "bridge"),
)
LAYER_OF = {unit: depth for depth, layer in enumerate(LAYERS) for unit in layer}


def unit_of(module: str) -> str | None:
    parts = module.split(".")
    for length in range(len(parts), 0, -1):
        name = ".".join(parts[:length])
        if name in LAYER_OF:
            return name
    return None


def modules() -> Iterator[tuple[str, Path]]:
    for package in ("bridge", "adapters"):
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).with_suffix("")
            parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
            yield ".".join(parts), path


def imports(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def edges() -> set[tuple[str, str, str]]:
    """(importing module, its unit, imported unit) for each import between two units."""
    found = set()
    for module, path in modules():
        source = unit_of(module)
        assert source is not None, f"{module} is in no layer: add its package to LAYERS"
        for name in imports(path):
            if name.split(".")[0] not in ("bridge", "adapters"):
                continue
            target = unit_of(name)
            assert target is not None, f"{module} imports {name}, which is in no layer"
            if target != source:
                found.add((module, source, target))
    return found


def violations(found: set[tuple[str, str, str]]) -> list[str]:
    """Each import that goes up, or across to another unit of its layer."""
    return sorted(
        f"{module} imports {target}"
        for module, source, target in found
        if LAYER_OF[target] <= LAYER_OF[source]
    )


def test_every_import_goes_down() -> None:
    upward = violations(edges())
    assert upward == [], "imports that go up or across a layer:\n" + "\n".join(upward)


def test_the_check_sees_an_import_up_or_across() -> None:
    assert violations({("bridge.sync.engine", "bridge.sync", "bridge.jobs")}) != []
    assert violations({("bridge.accounts.models", "bridge.accounts", "bridge.awards")}) != []
    assert violations({("bridge.jobs.runs", "bridge.jobs", "bridge.sync")}) == []


def test_no_test_module_imports_another() -> None:
    """Shared test code lives in helpers, conftest and fakes, never in a ``test_*`` module:
    importing one runs (and collects) its tests twice and hides what is shared."""
    found = sorted(
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted((ROOT / "tests").rglob("*.py"))
        for name in imports(path)
        if name.startswith("tests.") and name.rsplit(".", 1)[-1].startswith("test_")
    )
    assert found == []
