"""The architecture holds (docs/architecture.md): no import circle between the project's
modules, and the import-linter contracts in pyproject.toml are kept.

Imports inside functions and under ``if TYPE_CHECKING:`` count: grimp and import-linter
see them, and a deferred import closes a circle as surely as one at the top.
"""

from __future__ import annotations

import subprocess
import sys
from collections import deque
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("loanhub", "cms", "risk_models")


def strongly_connected(graph: grimp.ImportGraph) -> list[list[str]]:
    """The groups of two or more modules that import each other, directly or not (Tarjan,
    iterative): each group holds at least one circle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            module, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph.find_modules_directly_imported_by(successor)))))
                    break
                if successor in on_stack:
                    low[module] = min(low[module], index[successor])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[module])
                if low[module] == index[module]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == module:
                            break
                    if len(group) > 1:
                        groups.append(sorted(group))
    return sorted(groups)


def shortest_cycle(graph: grimp.ImportGraph, group: list[str]) -> list[str]:
    """The shortest circle through the group's first module, staying inside the group."""
    start, members = group[0], set(group)
    previous: dict[str, str] = {}
    queue = deque([start])
    while queue:
        module = queue.popleft()
        for imported in sorted(graph.find_modules_directly_imported_by(module) & members):
            if imported == start:
                path = [module]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return [start, *reversed(path[:-1]), start]
            if imported not in previous:
                previous[imported] = module
                queue.append(imported)
    raise AssertionError(f"no circle through {start}")  # a group always has one


def describe(graph: grimp.ImportGraph, cycle: list[str]) -> str:
    steps = []
    for importer, imported in zip(cycle, cycle[1:], strict=False):
        lines = sorted(d["line_number"] for d in graph.get_import_details(importer=importer, imported=imported))
        steps.append(f"    {importer} -> {imported} (line {', '.join(map(str, lines)) or '?'})")
    return "\n".join(steps)


def import_cycles_report(graph: grimp.ImportGraph) -> str:
    groups = strongly_connected(graph)
    return "\n".join(
        f"circle {n}: {' -> '.join(shortest_cycle(graph, group))}"
        f" (modules in the knot: {', '.join(group)})\n{describe(graph, shortest_cycle(graph, group))}"
        for n, group in enumerate(groups, start=1)
    )


def test_no_module_of_the_project_imports_itself_through_others():
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    report = import_cycles_report(graph)
    assert not report, (
        "Import circles between modules (break each so dependencies point one way: models <- "
        "selectors <- services <- views/apis/tasks; see docs/architecture.md):\n" + report
    )


def test_a_new_circle_is_reported_with_its_imports():
    graph = grimp.ImportGraph()
    for module in ("app.models", "app.selectors", "app.services", "app.tasks", "app.views"):
        graph.add_module(module)
    graph.add_import(importer="app.selectors", imported="app.models", line_number=3, line_contents="")
    graph.add_import(importer="app.services", imported="app.selectors", line_number=4, line_contents="")
    graph.add_import(importer="app.tasks", imported="app.services", line_number=5, line_contents="")
    graph.add_import(importer="app.views", imported="app.services", line_number=6, line_contents="")
    assert import_cycles_report(graph) == ""
    graph.add_import(importer="app.services", imported="app.tasks", line_number=40, line_contents="")
    report = import_cycles_report(graph)
    assert "circle 1: app.services -> app.tasks -> app.services" in report
    assert "app.services -> app.tasks (line 40)" in report
    assert "app.views" not in report


def test_the_import_linter_contracts_are_kept():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
