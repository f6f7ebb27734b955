"""The dependency map of docs/architecture.md holds: the import contracts pass, no module of
`service` takes part in an import cycle, and no import hides in a function to dodge one."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]
SERVICE = ROOT / "service"
#: The comment a deferred import must carry on the line above it.
DEFERRED_REASON = "# Deferred"


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph.modules):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.find_modules_directly_imported_by(start))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    imported = graph.find_modules_directly_imported_by(child)
                    work.append((child, iter(sorted(imported))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
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
    return found


def test_the_import_contracts_hold() -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_no_module_of_the_service_takes_part_in_an_import_cycle() -> None:
    graph = grimp.build_graph("service", cache_dir=None)  # type-checking imports count too
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = grimp.ImportGraph()
    for module in ("a", "b", "c"):
        graph.add_module(module)
    graph.add_import(importer="a", imported="b")
    graph.add_import(importer="b", imported="a")
    graph.add_import(importer="b", imported="c")
    assert _cycles(graph) == [["a", "b"]]


def _deferred_service_imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every `service` import inside a function, without its reason above."""
    source = path.read_text()
    lines = source.splitlines()
    unexplained = []
    for function in ast.walk(ast.parse(source)):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("service"):
                above = node.lineno - 2
                while above > 0 and lines[above].strip().startswith(("from ", "import ", ")")):
                    above -= 1  # one reason may head a block of deferred imports
                if not lines[above].strip().startswith(DEFERRED_REASON):
                    unexplained.append((node.lineno, node.module or ""))
    return unexplained


def test_imports_deferred_into_functions_say_why() -> None:
    unexplained = {
        str(path.relative_to(ROOT)): found
        for path in sorted(SERVICE.rglob("*.py"))
        if (found := _deferred_service_imports(path))
    }
    assert unexplained == {}


#: The features, and the names of their edges (docs/architecture.md, "What each kind of module
#: may do"): only these modules may touch Flask, Werkzeug or `service.http`.
FEATURES = ("comments", "moderation", "notifications", "identity", "portability", "privacy")
EDGES = {
    "api", "admin_api", "webhook_api", "pages", "webhook_pages", "ui", "auth", "commands",
    "wiring", "read_api", "fast_reads",
}  # fmt: skip
WEB = ("flask", "werkzeug", "service.http")


def _is_edge(module: str) -> bool:
    parts = module.split(".")  # service.<feature>.<module>[.<submodule>]
    return len(parts) > 2 and parts[2] in EDGES


def test_domain_modules_import_neither_flask_nor_the_http_layer() -> None:
    """Checked here from the import graph itself, apart from the contract in pyproject.toml, so
    that loosening the contract alone cannot let Flask back into domain code."""
    graph = grimp.build_graph("service", include_external_packages=True, cache_dir=None)
    reaching = {
        module: sorted(
            imported
            for imported in graph.find_modules_directly_imported_by(module)
            if imported.startswith(WEB)
        )
        for feature in FEATURES
        for module in graph.find_descendants(f"service.{feature}")
        if not _is_edge(module)
    }
    assert {module: found for module, found in reaching.items() if found} == {}


def test_the_edge_rule_tells_edges_from_domain_modules() -> None:
    assert _is_edge("service.moderation.ui.queue_views")
    assert _is_edge("service.comments.api")
    assert not _is_edge("service.comments.posting")
    assert not _is_edge("service.moderation.accounts")
