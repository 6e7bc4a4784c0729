"""The package layers, checked on the source (ast), not declared in a document.

* The **kernel** — every module of ``txmon/`` except the composition root — is a floor:
  it imports no stage package. The composition root is :data:`ROOT`: ``txmon.app`` (the
  wiring), ``txmon.engine`` (the pipeline loop that calls every stage),
  ``txmon.range_replay`` (a block range through that loop, for the CLI and the console)
  and ``txmon.cli`` (the commands); docs/architecture.md, "Layers".
* The **stages** (:data:`STAGES`) may import the kernel and each other, but never in a
  cycle: a stage that imports another cannot be imported back by it, directly or through
  a third.

Every import counts, including the ones inside functions: a deferred import that dodges a
cycle at start-up is still the cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
STAGES = ("ingest", "enrich", "rules", "alerts", "screening")
ROOT = ("txmon.app", "txmon.engine", "txmon.range_replay", "txmon.cli")


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Absolute names of every module ``path`` imports (relative imports resolved)."""
    tree = ast.parse(path.read_text("utf-8"), str(path))
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            found.add(".".join([*base, *(node.module or "").split(".")]).strip("."))
    return found


def _modules(top: str) -> dict[str, set[str]]:
    return {_module_name(p): _imports(p) for p in sorted((REPO / top).rglob("*.py"))}


def _is_root(module: str) -> bool:
    return any(module == r or module.startswith(r + ".") for r in ROOT)


def kernel_violations() -> list[str]:
    """``kernel module → stage module`` for every import of a stage by the kernel."""
    return [f"{module} → {name}" for module, names in _modules("txmon").items()
            if not _is_root(module) for name in sorted(names)
            if name.split(".")[0] in STAGES]


def stage_graph() -> dict[str, set[str]]:
    """Stage package → the other stage packages it imports."""
    graph: dict[str, set[str]] = {s: set() for s in STAGES}
    for stage in STAGES:
        for names in _modules(stage).values():
            graph[stage] |= {n.split(".")[0] for n in names} & set(STAGES) - {stage}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[tuple[str, ...]]:
    """Each elementary cycle once, as the path that closes it (``a → b → a``)."""
    found: set[tuple[str, ...]] = set()

    def walk(path: tuple[str, ...]) -> None:
        for nxt in sorted(graph[path[-1]]):
            if nxt == path[0]:
                i = path.index(min(path))
                found.add(path[i:] + path[:i])
            elif nxt not in path and nxt > path[0]:
                walk((*path, nxt))

    for start in sorted(graph):
        walk((start,))
    return sorted(found)


def test_the_kernel_imports_no_stage() -> None:
    assert kernel_violations() == []


def test_no_two_stage_packages_import_each_other_in_a_cycle() -> None:
    found = cycles(stage_graph())
    assert found == [], "import cycles: " + "; ".join(" → ".join((*c, c[0])) for c in found)


def test_the_checks_can_fail() -> None:
    """The detectors themselves, on a graph with a cycle and on a kernel import."""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == [("a", "b", "c")]
    assert cycles({"a": {"b"}, "b": set()}) == []
    engine = _imports(REPO / "txmon" / "engine.py")
    assert "rules.engine" in engine and _is_root("txmon.engine")  # root may, kernel may not
    assert not _is_root("txmon.chains")

