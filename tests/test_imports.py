"""The import graph of the package, read from the source with ``ast`` (nothing is imported).

Edges are the ``briefing.*`` imports of each module, absolute or relative, at any level
(function-level imports count: a lazy import does not hide a cycle), except those in an
``if TYPE_CHECKING:`` block, which never run (they do count for the layers: a type from a
later layer is still knowledge of it). ``from briefing.x import y`` is an edge to the module
``briefing.x.y`` when there is one, else to ``briefing.x``; the implicit import of a parent
package (its ``__init__``) is not an edge.

Checked for the whole of ``briefing/`` (issue "The house", item 1):

* no import cycle;
* no private name (``_x``) imported from another briefing module;
* no module over 500 lines (a few, being shrunk by others, are allowed for now);
* the layers (:data:`LAYERS`): the flow of the package is base -> sources -> summarisers ->
  checks -> render -> runs -> top, and a module never imports from a later layer. The four
  stages of the flow meet only through the base (the model above all): a stage importing
  another is allowed only down the flow and only when listed in :data:`STAGE_IMPORTS` (none
  today).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from tests.conftest import REPO

PACKAGE = REPO / "briefing"
MAX_LINES = 500

# Over MAX_LINES: none. A module that grows past it is split along a concern.
LONG_MODULES: set[str] = set()

# Private names imported across modules, as (importing module, imported module, name). None:
# keep it that way (make the name public, or move the code that needs it).
ALLOWED_PRIVATE_IMPORTS: set[tuple[str, str, str]] = set()

# The layers, in the order of the flow. A module belongs to the first layer one of whose
# entries is the module or a package above it ("briefing" alone is only the package root).
# A new module must be placed here (test_every_module_has_a_layer says so).
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "base",
        (
            "briefing.errors",
            "briefing.model",
            "briefing.version",
            "briefing.settings_spec",
            "briefing.config",
            "briefing.resources",
            "briefing.prompts",
            "briefing.output",
            "briefing.text",
            "briefing.prices",
            "briefing.metering",
            "briefing.sqlite_files",
        ),
    ),
    ("sources", ("briefing.sources",)),
    ("summarisers", ("briefing.summarisers",)),
    ("checks", ("briefing.checks",)),
    ("render", ("briefing.render",)),
    (
        "runs",
        (
            "briefing.pipeline",
            "briefing.daily",
            "briefing.daily_state",
            "briefing.daily_batch",
            "briefing.stories",
            "briefing.digest",
            "briefing.preview",
            "briefing.doctor",
            "briefing.evaluate",
            "briefing.cache",
            "briefing.history",
            "briefing.spending",
            "briefing.models_offered",
        ),
    ),
    # The faces: the command line (cli, its options and terminal output, the README tables
    # made from it) and the library (the package root, whose public names live in api).
    (
        "top",
        (
            "briefing",
            "briefing.__main__",
            "briefing.api",
            "briefing.cli",
            "briefing.browser",
            "briefing.cli_catalog",
            "briefing.cli_complete",
            "briefing.cli_errors",
            "briefing.cli_log",
            "briefing.docs",
            "briefing.options",
            "briefing.terminal",
        ),
    ),
)
STAGES = ("sources", "summarisers", "checks", "render")

# A stage importing another, as (importing module, imported module): only down the flow (a
# later stage importing an earlier one), and only with a reason. None today: the stages meet
# in the base layer (briefing.model, briefing.text) and in the runs.
STAGE_IMPORTS: set[tuple[str, str]] = set()


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


def graph(*, type_checking: bool = False) -> dict[str, set[str]]:
    """Module -> the modules it imports; ``type_checking``: with the imports that never run."""
    edges: dict[str, set[str]] = {name: set() for name in modules()}
    for item in imports():
        counted = type_checking or not item.type_checking
        if counted and item.target in edges and item.target != item.module:
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


def layer_of(module: str) -> int | None:
    """The index in :data:`LAYERS` of ``module``'s layer, or None when it has none."""
    for index, (_, entries) in enumerate(LAYERS):
        for entry in entries:
            if module == entry or (entry != "briefing" and module.startswith(entry + ".")):
                return index
    return None


def layer_name(module: str) -> str:
    index = layer_of(module)
    return "?" if index is None else LAYERS[index][0]


def upward_imports(edges: dict[str, set[str]]) -> set[tuple[str, str]]:
    """(importer, imported) of each import from a later layer than the importer's."""
    found = set()
    for module, targets in edges.items():
        for target in targets:
            here, there = layer_of(module), layer_of(target)
            if here is not None and there is not None and there > here:
                found.add((module, target))
    return found


def stage_imports(edges: dict[str, set[str]]) -> set[tuple[str, str]]:
    """(importer, imported) of each import from one stage of the flow into another."""
    return {
        (module, target)
        for module, targets in edges.items()
        for target in targets
        if layer_name(module) in STAGES
        and layer_name(target) in STAGES
        and layer_name(module) != layer_name(target)
    }


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


def test_no_import_cycle() -> None:
    assert cycles(graph()) == []


def test_no_private_name_is_imported_from_another_module() -> None:
    offenders = private_imports()
    assert offenders - ALLOWED_PRIVATE_IMPORTS == set()
    assert ALLOWED_PRIVATE_IMPORTS - offenders == set(), "fixed: remove it from the allow-list"


def test_modules_are_small() -> None:
    sizes = {
        name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in modules().items()
    }
    assert len(sizes) > 50
    too_long = {name: n for name, n in sizes.items() if n > MAX_LINES}
    assert {name: n for name, n in too_long.items() if name not in LONG_MODULES} == {}


def test_every_module_has_a_layer() -> None:
    assert [name for name in modules() if layer_of(name) is None] == []


def test_layers_catch_an_import_up_the_flow() -> None:
    edges = {
        "briefing.model": {"briefing.cli"},
        "briefing.summarisers.offline.day": {"briefing.checks.grounding"},
        "briefing.checks.grounding": {"briefing.summarisers.openai.draft", "briefing.text"},
        "briefing.render.html": {"briefing.render.text", "briefing.model"},
    }
    assert upward_imports(edges) == {
        ("briefing.model", "briefing.cli"),
        ("briefing.summarisers.offline.day", "briefing.checks.grounding"),
    }
    assert stage_imports(edges) == {
        ("briefing.summarisers.offline.day", "briefing.checks.grounding"),
        ("briefing.checks.grounding", "briefing.summarisers.openai.draft"),
    }


def test_no_module_imports_from_a_later_layer() -> None:
    found = upward_imports(graph(type_checking=True))
    assert sorted((m, layer_name(m), t, layer_name(t)) for m, t in found) == []


def test_stages_import_each_other_only_down_the_flow_and_as_listed() -> None:
    edges = graph(type_checking=True)
    for module, target in STAGE_IMPORTS:
        assert STAGES.index(layer_name(target)) < STAGES.index(layer_name(module))
    found = stage_imports(edges)
    assert found - STAGE_IMPORTS == set()
    assert STAGE_IMPORTS - found == set(), "no longer needed: remove it from STAGE_IMPORTS"
