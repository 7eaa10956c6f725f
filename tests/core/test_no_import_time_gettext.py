"""No ``gettext`` at import time (STYLE: text made in the background). A module- or class-level
``_("Hold")`` is translated once, in whatever language is active when the module is imported (English, in
a worker or at start-up), and every reader sees that. Lazy variants (``gettext_lazy``) and ``core.text``'s
``_`` (a ``Msg``) are the ways to name translatable text outside a function."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOT_LAZY = {"gettext", "ngettext", "pgettext", "npgettext", "ugettext", "ungettext"}
SKIPPED = {".venv", "var", "tests", "node_modules"}


def modules() -> list[Path]:
    return sorted(
        path
        for path in ROOT.rglob("*.py")
        if not SKIPPED & set(path.relative_to(ROOT).parts) and "migrations" not in path.parts
    )


def bound_names(tree: ast.Module) -> tuple[set[str], set[str]]:
    """Names bound to the non-lazy functions, and names bound to the ``translation`` module itself."""
    functions, module_names = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
            functions |= {alias.asname or alias.name for alias in node.names if alias.name in NOT_LAZY}
        elif isinstance(node, ast.ImportFrom) and node.module == "django.utils":
            module_names |= {alias.asname or alias.name for alias in node.names if alias.name == "translation"}
        elif isinstance(node, ast.Import):
            module_names |= {a.asname for a in node.names if a.name == "django.utils.translation" and a.asname}
    return functions, module_names


def import_time_calls(tree: ast.Module) -> list[int]:
    """Lines of non-lazy gettext calls that run when the module (or a class body) is executed: module and
    class bodies, decorators and default arguments; not function bodies or lambdas."""
    functions, module_names = bound_names(tree)

    def is_gettext(call: ast.Call) -> bool:
        func = call.func
        if isinstance(func, ast.Name):
            return func.id in functions
        return (
            isinstance(func, ast.Attribute)
            and func.attr in NOT_LAZY
            and isinstance(func.value, ast.Name)
            and func.value.id in module_names
        )

    found: list[int] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.Lambda):
            return
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for part in [*node.decorator_list, *node.args.defaults, *node.args.kw_defaults]:
                if part is not None:
                    visit(part)
            return
        if isinstance(node, ast.Call) and is_gettext(node):
            found.append(node.lineno)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def test_the_scan_finds_every_import_time_form():
    source = """
from django.utils.translation import gettext as _, gettext_lazy, ngettext
from django.utils import translation

A = _("at import")                                  # 5
B = gettext_lazy("lazy is fine")
class Form:
    label = ngettext("a", "b", 2)                   # 8
    def method(self, x=_("default")):               # 9
        return _("at call time is fine")
@decorate(translation.gettext("decorator"))         # 11
def view(request):
    return [_(x) for x in request]
C = lambda: _("fine")
"""
    assert import_time_calls(ast.parse(source)) == [5, 8, 9, 11]


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_gettext_at_import_time(path):
    lines = import_time_calls(ast.parse(path.read_text(), str(path)))
    assert not lines, f"{path.relative_to(ROOT)}: gettext at import time on line(s) {lines}; use gettext_lazy"
