"""The layout of `lib/` keeps its promises: data flows one way through the layers, no import
cycle (function-local imports counted), Streamlit only in `lib/web`, and function-local imports
only for heavy third-party libraries, each marked as such."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

LIB = ROOT / "lib"

LAYERS: list[tuple[str, ...]] = [
    ("lib.errors", "lib.settings"),
    ("lib.text",),
    ("lib.timex",),
    ("lib.corpus",),
    ("lib.store",),
    ("lib.entities",),
    ("lib.timeline",),
    ("lib.stance",),
    ("lib.index",),
    ("lib.search", "lib.overview", "lib.reader", "lib.about", "lib.access", "lib.brief"),
    ("lib.web", "lib.cli"),
    ("lib.__main__",),
]
"""Lowest first: a module may import its own layer or a lower one, never a higher one."""

HEAVY = {
    "datasketch", "dateparser", "joblib", "milvus_lite", "onnxruntime", "optimum", "playwright",
    "pymilvus", "pypdf", "ray", "safetensors", "sentence_transformers", "sklearn", "spacy", "torch",
    "trafilatura", "transformers", "charset_normalizer", "usearch", "tqdm", "tokenizers", "onnx",
}  # fmt: skip
"""Third-party libraries slow to import or needed by one feature only: these alone may be
imported inside a function (so `python -m lib --help` or a page that never uses them stays fast)."""


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(LIB.rglob("*.py"))}


def _imports(path: Path) -> list[tuple[str, int, bool, str]]:
    """(imported module, line, inside a function?, source line) for every import in `path`."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    found: list[tuple[str, int, bool, str]] = []

    def visit(node: ast.AST, local: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = local or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                found.extend((a.name, child.lineno, local, lines[child.lineno - 1]) for a in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                for alias in child.names:
                    name = f"{child.module}.{alias.name}"
                    target = name if name in MODULES else child.module
                    found.append((target, child.lineno, local, lines[child.lineno - 1]))
            visit(child, inner)

    visit(ast.parse(source), False)
    return found


def _layer(module: str) -> int:
    for number, prefixes in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return number
    raise AssertionError(f"{module} belongs to no layer: add it to LAYERS")


def _lib_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for module, path in MODULES.items():
        for target, _, _, _ in _imports(path):
            if target.startswith("lib.") and target != module:
                while target not in MODULES:  # `from lib.x import name`: the module lib.x
                    target = target.rsplit(".", 1)[0]
                if target != "lib":
                    graph[module].add(target)
    return graph


def test_every_module_belongs_to_a_layer():
    for module in MODULES:
        if module != "lib":
            _layer(module)


def test_no_module_imports_a_higher_layer():
    upward = [
        f"{module} (layer {_layer(module)}) imports {target} (layer {_layer(target)})"
        for module, targets in _lib_graph().items()
        if module != "lib"
        for target in targets
        if _layer(target) > _layer(module)
    ]
    assert not upward, "\n".join(upward)


def test_no_import_cycle():
    graph = _lib_graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 5000))

    def connect(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in graph:
        if node not in index:
            connect(node)
    assert not cycles, f"import cycles: {cycles}"


def test_web_and_cli_do_not_import_each_other():
    graph = _lib_graph()
    crossing = [
        (m, t)
        for m, targets in graph.items()
        for t in targets
        if {m.split(".")[1], t.split(".")[1]} == {"web", "cli"}
    ]
    assert not crossing


def test_streamlit_is_imported_only_in_lib_web():
    outside = [
        f"{module}:{line}"
        for module, path in MODULES.items()
        if not module.startswith("lib.web")
        for target, line, _, _ in _imports(path)
        if target.split(".")[0] == "streamlit"
    ]
    assert not outside, outside


def test_function_local_imports_are_heavy_libraries_marked_as_such():
    wrong = []
    for module, path in MODULES.items():
        for target, line, local, text in _imports(path):
            if not local:
                continue
            top = target.split(".")[0]
            if top not in HEAVY or "# heavy" not in text:
                wrong.append(f"{module}:{line}: {text.strip()}")
    assert not wrong, "local imports must be heavy libraries marked '# heavy':\n" + "\n".join(wrong)


@pytest.mark.parametrize("module", sorted(m for m, p in MODULES.items() if p.name == "__init__.py"))
def test_each_package_says_what_it_owns(module):
    doc = ast.get_docstring(ast.parse(MODULES[module].read_text(encoding="utf-8")))
    assert doc and len(doc) > 40, f"{module} needs a docstring saying what it owns"


def test_no_module_is_over_about_500_lines():
    long = {m: n for m, p in MODULES.items() if (n := len(p.read_text(encoding="utf-8").splitlines())) > 550}
    assert not long, long
