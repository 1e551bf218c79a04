"""The house rules, checked from the code itself (docs/ARCHITECTURE.md says why).

- Packages depend one way: core ← compounds ← {votes, property} ← owners_committee, and
  reports (the PDF toolkit) imports no domain package. Every import counts, also those
  inside functions: an import moved into a function to dodge a cycle is still a cycle.
- Views and API modules never fetch by id themselves: objects come through core.loader.
- No module grows past 900 lines.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYER = {"core": 0, "compounds": 1, "votes": 2, "property": 2, "owners_committee": 3}
PACKAGES = [*LAYER, "reports"]
MAX_LINES = 900


def _modules(package: str):
    for path in sorted((ROOT / package).rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _imported(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module


def _edges():
    """(importing package, imported package, where) for every import between packages."""
    for package in PACKAGES:
        for path, tree in _modules(package):
            for line, module in _imported(tree):
                top = module.split(".")[0]
                if top in PACKAGES and top != package:
                    yield package, top, f"{path.relative_to(ROOT)}:{line} imports {module}"


def test_packages_depend_one_way():
    wrong = []
    for importer, imported, where in _edges():
        if importer == "reports":
            wrong.append(f"reports is a leaf: {where}")
        elif imported != "reports" and LAYER[imported] >= LAYER[importer]:
            wrong.append(where)
    assert wrong == [], "upward or sideways imports:\n" + "\n".join(wrong)


def test_no_cycle_between_packages():
    graph: dict[str, set[str]] = {p: set() for p in PACKAGES}
    for importer, imported, _ in _edges():
        graph[importer].add(imported)

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(n == goal or (n not in seen and reaches(n, goal, seen | {n}))
                   for n in graph[start])

    cycles = sorted(p for p in PACKAGES if reaches(p, p, {p}))
    assert cycles == []


def test_views_and_api_load_objects_through_the_loader():
    found = []
    for package in LAYER:
        for path, tree in _modules(package):
            if not (path.stem.endswith(("views", "api")) or path.parent.name in ("views", "api")):
                continue
            for node in ast.walk(tree):
                if (isinstance(node, ast.Attribute) and node.attr == "get"
                        and isinstance(node.value, ast.Attribute)
                        and node.value.attr == "session"):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == [], "db.session.get in views/API (use core.loader.load):\n" + \
        "\n".join(found)


def test_no_module_passes_900_lines():
    long = []
    for top in [*PACKAGES, "tests", "bench"]:
        for path in (ROOT / top).rglob("*.py"):
            n = len(path.read_text(encoding="utf-8").splitlines())
            if n > MAX_LINES:
                long.append(f"{path.relative_to(ROOT)}: {n}")
    assert long == [], "split these along their sections:\n" + "\n".join(sorted(long))
