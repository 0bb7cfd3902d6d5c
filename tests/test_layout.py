"""The package's layout keeps data flowing one way: no module imports one in a
later layer (the layers are the README's design table), and no modules import
each other in a circle. Read from the code's own imports with ``ast``."""

import ast
from pathlib import Path

import networkx as nx

PACKAGE = Path(__file__).resolve().parents[1] / "pairing"

#: The layers, in the order data flows (the README's design table). A module may
#: import its own layer and the layers before it.
LAYERS = (
    ("foundations", ["errors", "deadline", "version", "labels", "fields", "files", "outputs", "graph"]),
    ("settings", ["rules", "locks", "config", "assign.settings"]),
    ("the problem", ["instance", "assign.problem"]),
    ("reading", ["table_files", "id_pairs", "read", "synth.family", "synth.geography", "synth.indicators", "synth.county",
                 "assign.needs", "assign.helpers"]),
    ("the plan", ["plan", "examples", "check", "read_plan", "assign.targets", "assign.check"]),
    ("the model", ["model.candidates", "model.constraints", "model.cpsat", "model.packing", "model.merged", "model.greedy",
                   "model.bounds", "model.restricted", "model.highs", "model.windows", "model.conflicts", "assign.options", "assign.flow", "assign.model"]),
    ("reasons", ["diagnose", "assignment", "assign.reasons"]),
    ("solving", ["objective", "block_search", "solve", "assign.run"]),
    ("exploring", ["diff", "resolve", "alternatives", "block_curve", "frontier"]),
    ("presentation", ["tables", "report.layers", "report.fonts", "report.svg", "report.png", "report.html", "report.frontier",
                      "report.display", "assign.tables", "assign.page"]),
    ("writing", ["write", "assign.write"]),
    ("the batch", ["batch.counties", "batch.render", "batch.task", "batch.province", "batch.run"]),
    ("the command line", ["console", "progress", "command", "commands", "assign_command", "cli"]),
)
#: Package faces: they only hand names on, and stand outside the flow.
FACES = {"", "model", "report", "synth", "batch", "assign"}


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
        found[name.removesuffix("__init__").rstrip(".")] = path
    return found


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The pairing modules ``name`` imports (anywhere in it, functions included)."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name.removeprefix("pairing").lstrip(".") for alias in node.names if alias.name.split(".")[0] == "pairing"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package[:len(package) - node.level + 1] + ([node.module] if node.module else []))
            elif (node.module or "").split(".")[0] == "pairing":
                base = node.module.removeprefix("pairing").lstrip(".")
            else:
                continue
            # `from . import x` may name a module x
            targets = [f"{base}.{alias.name}".lstrip(".") if f"{base}.{alias.name}".lstrip(".") in known else base for alias in node.names]
        else:
            continue
        found.update(target for target in targets if target != name)
    return found


def test_every_module_is_in_a_layer():
    placed = {module for _, layer in LAYERS for module in layer}
    assert set(modules()) - FACES == placed, "add new modules to LAYERS (and to the README's design table)"


def test_no_module_imports_a_later_layer_or_a_circle():
    rank = {module: position for position, (_, layer) in enumerate(LAYERS) for module in layer}
    known = set(modules())
    graph = nx.DiGraph()
    back = []
    for name, path in modules().items():
        if name in FACES:
            continue
        for target in imports(name, path, known) - FACES:
            graph.add_edge(name, target)
            if rank[target] > rank[name]:
                back.append(f"{name} ({LAYERS[rank[name]][0]}) imports {target} ({LAYERS[rank[target]][0]})")
    assert back == []
    assert list(nx.simple_cycles(graph)) == []
