"""The test suite keeps one home per helper (STYLE: Tests — "shared helpers live in tests/helpers.py/conftest.py,
not in another test module").

Helpers shared by several apps live in tests/helpers.py (plain functions) and tests/conftest.py (fixtures);
helpers of one app in that app's conftest.py (or a helper module beside it, such as tests/cases/outbox.py).
A test module never imports from another test module, and never defines a second copy of a shared helper.
"""

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent

# Test data, not helpers: the project-wide tenant matrix gathers each app's MATRIX table to check that
# together they cover every URL pattern (tests/portal/test_tenant_matrix.py).
ALLOWED = {("portal/test_tenant_matrix.py", "MATRIX")}


def modules() -> list[Path]:
    return sorted(p for p in TESTS.rglob("*.py") if "__pycache__" not in p.parts)


def all_test_modules() -> list[Path]:
    return [p for p in modules() if p.name.startswith("test_")]


def imported_from_test_modules(path: Path) -> list[tuple[str, str]]:
    """(module, name) for every name ``path`` imports from a ``test_*`` module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[-1].startswith("test_"):
            found += [(node.module, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module is None:  # from . import test_x
            found += [(".", alias.name) for alias in node.names if alias.name.startswith("test_")]
        elif isinstance(node, ast.Import):
            found += [(alias.name, "*") for alias in node.names if alias.name.split(".")[-1].startswith("test_")]
    return found


def top_level_names(path: Path) -> set[str]:
    """Functions, classes and constants a module defines at its top level (fixtures included)."""
    names = set()
    for node in ast.parse(path.read_text(), str(path)).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return {n for n in names if not n.startswith("_") and n != "pytestmark"}


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(TESTS)))
def test_no_module_imports_from_a_test_module(path):
    rel = str(path.relative_to(TESTS))
    wrong = [(module, name) for module, name in imported_from_test_modules(path) if (rel, name) not in ALLOWED]
    assert not wrong, f"{rel} imports {wrong}: move the helper to tests/helpers.py or a conftest.py"


def shared_homes() -> list:
    """Each home of shared helpers, with the test modules that must not define a second copy of them."""
    homes = [(TESTS / "helpers.py", all_test_modules()), (TESTS / "conftest.py", all_test_modules())]
    for conftest in sorted(TESTS.glob("*/conftest.py")):
        homes.append((conftest, [p for p in all_test_modules() if conftest.parent in p.parents]))
    return [pytest.param(home, users, id=str(home.relative_to(TESTS))) for home, users in homes]


@pytest.mark.parametrize(("home", "users"), shared_homes())
def test_no_test_module_redefines_a_shared_helper(home, users):
    shared = top_level_names(home)
    copies = {str(p.relative_to(TESTS)): sorted(shared & top_level_names(p)) for p in users}
    copies = {module: names for module, names in copies.items() if names}
    assert not copies, f"second copies of helpers from {home.relative_to(TESTS)}: {copies}"


def test_the_checks_see_a_forbidden_import(tmp_path):
    """The import check itself: an import from a test module, absolute or relative, is found."""
    module = tmp_path / "test_example.py"
    module.write_text("from tests.cases.test_views import text\nfrom .test_engine import engine_for\nimport os\n")
    assert imported_from_test_modules(module) == [("tests.cases.test_views", "text"), ("test_engine", "engine_for")]
