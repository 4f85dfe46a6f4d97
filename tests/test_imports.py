"""The import graph of the package, read from the source with ``ast`` (nothing is imported).

Edges are the ``briefing.*`` imports of each module, absolute or relative, at any level
(function-level imports count: a lazy import does not hide a cycle), except those in an
``if TYPE_CHECKING:`` block, which never run. ``from briefing.x import y`` is an edge to the
module ``briefing.x.y`` when there is one, else to ``briefing.x``; the implicit import of a
parent package (its ``__init__``) is not an edge.

Checked: no cycle goes through ``briefing/render/``; no module imports a private name (``_x``)
from another briefing module; no module of ``briefing/render/`` is over 500 lines.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from tests.conftest import REPO

PACKAGE = REPO / "briefing"
RENDER = "briefing.render"
MAX_LINES = 500

# Private names imported across modules today, outside briefing/render/, each as
# (importing module, imported module, name) with the comment "# to be removed by the package
# move". None at the moment: keep it that way.
KNOWN_PRIVATE_IMPORTS: set[tuple[str, str, str]] = set()


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # the imported module
    names: tuple[str, ...]  # the names taken from it by ``from target import …`` (else ())
    line: int
    type_checking: bool  # inside ``if TYPE_CHECKING:``


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def walk(node: ast.AST, type_checking: bool = False) -> Iterator[tuple[ast.AST, bool]]:
    """Every node under ``node``, with whether it is inside an ``if TYPE_CHECKING:`` body."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and is_type_checking(child.test):
            yield child, type_checking
            for statement in child.body:
                yield statement, True
                yield from walk(statement, True)
            for statement in child.orelse:
                yield statement, type_checking
                yield from walk(statement, type_checking)
            continue
        yield child, type_checking
        yield from walk(child, type_checking)


def resolve(module: str, node: ast.ImportFrom) -> str:
    """The absolute module a ``from … import`` names (relative imports resolved)."""
    if not node.level:
        return node.module or ""
    package = module if modules()[module].name == "__init__.py" else module.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def module_imports(module: str, source: str) -> list[Import]:
    """The ``briefing.*`` imports in ``source``, the text of ``module``."""
    found = []
    known = modules()
    for node, type_checking in walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "briefing":
                    found.append(Import(module, alias.name, (), node.lineno, type_checking))
        elif isinstance(node, ast.ImportFrom):
            base = resolve(module, node)
            if base.split(".")[0] != "briefing":
                continue
            taken = []
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                if submodule in known:  # ``from briefing import render``: the module
                    found.append(Import(module, submodule, (), node.lineno, type_checking))
                else:
                    taken.append(alias.name)
            if taken:
                found.append(Import(module, base, tuple(taken), node.lineno, type_checking))
    return found


@cache
def imports() -> list[Import]:
    return [
        item
        for module, path in modules().items()
        for item in module_imports(module, path.read_text(encoding="utf-8"))
    ]


def graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {name: set() for name in modules()}
    for item in imports():
        if not item.type_checking and item.target in edges and item.target != item.module:
            edges[item.module].add(item.target)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return sorted(found)


def in_render(module: str) -> bool:
    return module == RENDER or module.startswith(RENDER + ".")


def private_imports() -> set[tuple[str, str, str]]:
    """(importing module, imported module, name) of each private name taken from another module."""

    def private(name: str) -> bool:
        return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))

    found = set()
    for item in imports():
        if item.target == item.module:
            continue
        for name in item.names:
            if private(name):
                found.add((item.module, item.target, name))
        if any(private(part) for part in item.target.split(".")):
            found.add((item.module, item.target, item.target.rpartition(".")[2]))
    return found


def test_the_graph_counts_lazy_imports_but_not_type_checking_ones() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "import briefing.model\n"
        "from briefing import errors\n"
        "from briefing.render.text import truncate as cut, _private\n"
        "if TYPE_CHECKING:\n"
        "    from briefing.cache import Cache\n"
        "def later():\n"
        "    from briefing.render import render_html\n"
        "    from . import assets\n"
    )
    found = {
        (i.target, i.names, i.type_checking) for i in module_imports("briefing.render.pdf", source)
    }
    assert found == {
        ("briefing.model", (), False),
        ("briefing.errors", (), False),
        ("briefing.render.text", ("truncate", "_private"), False),
        ("briefing.cache", ("Cache",), True),
        ("briefing.render", ("render_html",), False),
        ("briefing.render.assets", (), False),
    }
    edges = graph()
    assert {"briefing.render.context", "briefing.render.text"} <= edges["briefing.render.html"]


def test_no_cycle_goes_through_the_render_package() -> None:
    through_render = [c for c in cycles(graph()) if any(in_render(m) for m in c)]
    assert through_render == []


def test_no_private_name_is_imported_from_another_module() -> None:
    offenders = private_imports()
    assert not [o for o in offenders if in_render(o[0]) or in_render(o[1])]
    assert offenders - KNOWN_PRIVATE_IMPORTS == set()
    assert KNOWN_PRIVATE_IMPORTS - offenders == set(), "fixed: remove it from the allow-list"


def test_render_modules_are_small() -> None:
    sizes = {
        name: len(path.read_text(encoding="utf-8").splitlines())
        for name, path in modules().items()
        if in_render(name)
    }
    assert len(sizes) > 5
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}
