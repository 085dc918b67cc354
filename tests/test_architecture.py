"""The shape of the house: no import cycles between the tracker's modules, and the rule
engine split by concern (triggers, satisfiers, counting methods, the engine), each a registry
the rule files name."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import tracker

#: The package under test (the one imported, so the check follows PYTHONPATH).
TRACKER = Path(tracker.__file__).resolve().parent


def _module_graph() -> dict[str, set[str]]:
    """module -> tracker modules it imports, at module level or inside functions."""
    mods: dict[str, Path] = {}
    for path in TRACKER.rglob("*.py"):
        parts = path.relative_to(TRACKER.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        mods[name] = path
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in mods.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("tracker"):
                if node.module == "tracker":
                    graph[name] |= {f"tracker.{a.name}" for a in node.names if f"tracker.{a.name}" in mods}
                elif node.module in mods:
                    graph[name].add(node.module)
            elif isinstance(node, ast.Import):
                graph[name] |= {a.name for a in node.names if a.name in mods}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every elementary cycle through two modules or more (Tarjan's strongly connected
    components: a component of more than one module holds a cycle)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles():
    # tracker/caseload.py <-> tracker/cli/transfer.py (DEMO_CALENDARS) and
    # tracker/rulebook.py <-> tracker/scheduler.py (the registries) were cycles before.
    graph = _module_graph()
    assert (
        "tracker.caseload" not in graph["tracker.cli.transfer"]
        or "tracker.cli.transfer" not in graph["tracker.caseload"]
    )
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_rule_engine_is_split_by_concern():
    """Triggers, satisfiers and counting methods are registries in their own modules; the
    rule book validates rule files against them without importing the engine."""
    from tracker import counting, rulebook, satisfiers, triggers

    graph = _module_graph()
    assert "tracker.scheduler" not in graph["tracker.rulebook"]
    assert "tracker.scheduler" not in graph["tracker.triggers"] | graph["tracker.satisfiers"]
    for rule in rulebook.jurisdiction("CA").rules:
        assert rule.trigger.split(":")[0] in triggers.TRIGGERS
        assert rule.satisfied_by.split(":")[0] in satisfiers.SATISFIERS
        assert rule.method in counting.METHODS
