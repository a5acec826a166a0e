"""Dependencies point down: the product (actions/, desk/, helpdesk/, insights/) never imports
the project's tooling (tools/: benchmark, conversation players, generators), and the
statistics the report and the benchmark share live in the product (helpdesk/stats.py)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

PRODUCT = ("actions", "desk", "helpdesk", "insights")
TOOLING = "tools"


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """Every module a file imports (``import a.b``, ``from a.b import c``, ``from . import x``
    resolved against the file's package, ``importlib.import_module("a.b")`` and ``__import__``
    with a literal name), with its line."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = path.relative_to(ROOT).parent.parts
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            found += [(node.lineno, f"{module}.{alias.name}" if module else alias.name) for alias in node.names]
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in ("import_module", "__import__"):
                found.append((node.lineno, node.args[0].value))
    return found


def product_files() -> list[Path]:
    files = [p for folder in PRODUCT for p in (ROOT / folder).rglob("*.py")
             if "__pycache__" not in p.parts and "node_modules" not in p.parts]
    assert len(files) > 30, "the product's modules were not found"
    return sorted(files)


def test_the_product_never_imports_the_tooling():
    wrong = [f"{path.relative_to(ROOT)}:{line} imports {module}"
             for path in product_files() for line, module in imported_modules(path)
             if module.split(".")[0] == TOOLING]
    assert wrong == [], "the product depends on its tooling:\n" + "\n".join(wrong)


@pytest.mark.parametrize("source, expected", [
    ("import tools.bench.measure\n", "tools.bench.measure"),
    ("from tools.bench.measure import percentile\n", "tools.bench.measure"),
    ("from tools import bench\n", "tools.bench"),
    ("import importlib\nimportlib.import_module('tools.stack')\n", "tools.stack"),
    ("__import__('tools')\n", "tools"),
    ("def f():\n    from tools.bench import measure\n", "tools.bench"),
])
def test_the_import_walk_sees_every_way_of_importing(tmp_path, source, expected):
    """The walk itself: an import inside a function, a dynamic one, a ``from`` import."""
    folder = ROOT / "insights"
    path = folder / f"_layer_probe_{abs(hash(source))}.py"
    try:
        path.write_text(source, encoding="utf-8")
        modules = [module for _, module in imported_modules(path)]
    finally:
        path.unlink()
    assert expected in modules


def test_a_relative_import_resolves_against_its_package():
    probe = ROOT / "insights" / "_layer_probe_relative.py"
    try:
        probe.write_text("from .source import ROOT\nfrom .. import tools\n", encoding="utf-8")
        modules = [module for _, module in imported_modules(probe)]
    finally:
        probe.unlink()
    assert "insights.source" in modules and "tools" in modules


def test_the_benchmark_takes_its_percentile_from_the_product():
    from helpdesk import stats
    from tools.bench import measure

    assert measure.percentile is stats.percentile
    assert not any(isinstance(node, ast.FunctionDef) and node.name == "percentile"
                   for node in ast.walk(ast.parse((ROOT / "tools" / "bench" / "measure.py").read_text())))


def test_shared_statistics():
    from helpdesk.stats import median, percentile, share

    values = [float(v) for v in range(1, 101)]
    assert [percentile(values, q) for q in (50, 90, 95, 100)] == [50.0, 90.0, 95.0, 100.0]
    assert percentile([10.0, 20.0, 30.0, 40.0], 90) == 40.0 and percentile([], 90) is None
    assert median([3, 1, 2]) == 2 and median([4, 1, 2, 3]) == 2.5 and median([]) is None
    assert share(1, 3) == 33.3 and share(0, 0) == 0.0
