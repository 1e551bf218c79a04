"""The rules modules are pure: the standard library, each other and the registry's pure
law (compounds.rules) only, and no floats."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import votes.elevator.rules
import votes.rules

RULES = [*sorted(Path(votes.rules.__file__).parent.glob("*.py")),
         Path(votes.elevator.rules.__file__)]


@pytest.mark.parametrize("path", RULES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_rules_modules_use_the_standard_library_only_and_no_floats(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
        # No float literals and no float() calls: exact arithmetic only.
        assert not (isinstance(node, ast.Constant) and isinstance(node.value, float))
        assert not (isinstance(node, ast.Name) and node.id == "float")
    others = {m for m in imported
              if m.split(".")[0] not in set(sys.stdlib_module_names) | {"__future__"}}
    assert all(m in ("votes.rules", "compounds.rules") or m.startswith("votes.rules.")
               for m in others), others
