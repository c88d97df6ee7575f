"""The package's layers, enforced: no import runs upward, no circle, no module over 650 lines.

The layers, top to bottom (CONTRIBUTING.md draws the same map). A module may import
from its own unit (its subpackage, or itself) and from any lower layer, never from a
higher one; `errors` is the floor everything may stand on. On top of the ranks:

- `_media` imports nothing of LangChain, the `openai` SDK or the rest of the package
  (only `errors`);
- `_azure` imports nothing of LangChain;
- the features (`audiobook`, `long_audio`, `serve`) never import `cli`, and nothing
  imports a feature except `cli` and the package's own lazy `__init__`.

Every import counts: at module level, inside functions, under `TYPE_CHECKING`. The
imports are read with `ast`, so nothing here runs the package.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "langchain_azure_audio"
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("the command line", ("cli", "__main__")),
    ("features", ("audiobook", "long_audio", "serve")),
    ("what features share", ("_batch", "_offline", "tools", "cost")),
    ("models", ("chat_models", "realtime", "_model", "_realtime")),
    ("message translation and streaming", ("_translate", "stream_audio", "audio")),
    ("Azure's wire and audio media", ("_azure", "_media")),
    ("errors", ("errors",)),
)
FEATURES = ("audiobook", "long_audio", "serve")
LANGCHAIN = ("langchain_core", "langchain", "langsmith", "pydantic")
MAX_LINES = 650

Graph = Mapping[str, set[str]]
"""module -> the modules it imports (dotted names; outside ones by their full name)."""


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, name: str, known: set[str]) -> set[str]:
    """What `path` (module `name`) imports, resolving `from pkg import submodule`."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from . import x
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in known else base)
    return found


def graph_of(folder: Path, root: Path) -> dict[str, set[str]]:
    files = {module_name(p, root): p for p in sorted(folder.rglob("*.py"))}
    known = set(files)
    return {name: imports_of(path, name, known) - {name} for name, path in files.items()}


def unit(module: str) -> str:
    """`langchain_azure_audio._azure.auth` -> `_azure`; the package itself -> `__init__`."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def rank(module: str) -> int:
    name = unit(module)
    for number, (_, units) in enumerate(LAYERS):
        if name in units:
            return number
    raise AssertionError(f"{module} is in no layer: add its unit {name!r} to LAYERS")


def violations(graph: Graph) -> list[str]:
    """Every import that breaks a rule of the module docstring, as a sentence."""
    found = []
    for module, targets in sorted(graph.items()):
        if not module.startswith(PACKAGE):
            continue
        here = unit(module)
        for target in sorted(targets):
            if why := broken_rule(module, here, target):
                found.append(f"{module} imports {target}: {why}")
    return found


def broken_rule(module: str, here: str, target: str) -> str | None:
    """Why `module` (of unit `here`) may not import `target`, or None when it may."""
    inside = target.startswith(PACKAGE + ".") or target == PACKAGE
    top = target.split(".")[0]
    if here == "_media" and (
        top in (*LANGCHAIN, "openai") or (inside and unit(target) not in ("_media", "errors"))
    ):
        return "_media knows audio bytes only"
    if here == "_azure" and top in LANGCHAIN:
        return "_azure knows nothing of LangChain"
    if not inside or here == "__init__":
        return None
    there = unit(target)
    if there == "__init__":
        return "the package's lazy __init__: import the module that defines the name"
    if there == here:
        return None
    if there == "cli" and here in FEATURES:
        return "a feature never imports the command line"
    if there in FEATURES and here != "cli":
        return "only cli may import a feature"
    if rank(target) < rank(module):
        return "a layer above it"
    return None


def circles(graph: Graph) -> list[list[str]]:
    """The import circles among the graph's own modules (Tarjan's strongly connected parts)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, ()):
            if nxt not in graph:
                continue
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            part = []
            while True:
                member = stack.pop()
                part.append(member)
                if member == node:
                    break
            if len(part) > 1:
                found.append(sorted(part))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def package_graph() -> dict[str, set[str]]:
    return graph_of(ROOT / PACKAGE, ROOT)


# -------------------------------------------------------------------------- the rules


def test_every_unit_of_the_package_has_a_layer() -> None:
    for module in package_graph():
        if module != PACKAGE:
            rank(module)


def test_no_import_runs_upward() -> None:
    assert violations(package_graph()) == []


def test_no_import_circle_in_the_package_or_the_benchmarks() -> None:
    assert circles(package_graph()) == []
    assert circles(graph_of(ROOT / "benchmarks", ROOT)) == []


@pytest.mark.parametrize("folder", [PACKAGE, "benchmarks", "scripts", "tests"])
def test_no_module_over_650_lines(folder: str) -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in (ROOT / folder).rglob("*.py")
        if (n := len(p.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}, f"split these in two: {long}"


# ---------------------------------------------- the checker itself catches what it should


def fake(edges: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for source, target in edges:
        graph.setdefault(source, set()).add(target)
        graph.setdefault(target, set())
    return graph


@pytest.mark.parametrize(
    ("source", "target", "why"),
    [
        ("_azure.clients", "chat_models", "a layer above"),
        ("_media.decode", "audio", "audio bytes only"),
        ("_media.decode", "langchain_core.messages", "audio bytes only"),
        ("_media.pauses", "openai", "audio bytes only"),
        ("_azure.auth", "langchain_core.utils", "nothing of LangChain"),
        ("_translate.messages", "chat_models", "a layer above"),
        ("chat_models", "_batch", "a layer above"),
        ("serve.session", "cli.demo", "never imports the command line"),
        ("tools", "long_audio.transcribe", "only cli may"),
        ("errors", "audio", "a layer above"),
        ("long_audio.ask", "audiobook.text", "only cli may"),
    ],
)
def test_the_checker_refuses_an_upward_import(source: str, target: str, why: str) -> None:
    name = f"{PACKAGE}.{source}"
    full = target if target.split(".")[0] in (*LANGCHAIN, "openai") else f"{PACKAGE}.{target}"
    found = violations(fake([(name, full)]))
    assert len(found) == 1, found
    assert why in found[0]


def test_the_checker_allows_downward_and_sibling_imports() -> None:
    allowed = [("cli.commands", "long_audio"), ("serve.session", "_offline"),
               ("_batch", "_azure.clients"), ("_translate.streaming", "_media.strict_base64"),
               ("_azure.service_errors", "errors"), ("_media.decode", "_media.timeline"),
               ("chat_models", "_model.settings"), ("audio", "_media.decode")]  # fmt: skip
    graph = fake((f"{PACKAGE}.{a}", f"{PACKAGE}.{b}") for a, b in allowed)
    assert violations(graph) == []


def test_the_checker_finds_a_circle() -> None:
    graph = fake([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")])
    assert circles(graph) == [["a", "b", "c"]]
    assert circles(fake(itertools.pairwise("abcd"))) == []
