"""The dependency direction of docs/design.md, checked by walking every module's imports.

bot.py wires everything and nothing imports it; handlers -> feeds -> storage; the leaf modules (model,
errors, settings) import only the standard library and each other; third-party packages stay confined.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("handlers", "feeds", "storage")
LEAVES = {"model", "errors", "settings"}
PURE = {"feeds.parse", "feeds.normalize", "feeds.cluster", "feeds.classify", "delivery.keywords", "text",
        "ops.evaluate", "feeds.worker", "handlers.args", "handlers.format", "handlers.texts"}

# What each layer may import from the project (besides itself).
ALLOWED = {
    "handlers": {"feeds", "storage", *LEAVES},
    "feeds": {"storage", *LEAVES},
    "storage": LEAVES,
    "model": set(),
    "errors": set(),
    "settings": {"model", "errors"},
}
# Third-party packages and the only places allowed to import them.
CONFINED = {
    "telegram": ("handlers", "bot"),
    "sqlalchemy": ("storage",),
    "aiohttp": ("feeds.fetch", "feeds.snapshots", "ops.health", "tests"),
    "feedparser": ("feeds.parse",),
}
PROJECT = {*PACKAGES, *LEAVES, "bot"}


def project_modules() -> list[tuple[str, Path]]:
    modules = [(path.stem, path) for path in REPO.glob("*.py")]
    for package in PACKAGES:
        for path in (REPO / package).rglob("*.py"):
            parts = path.relative_to(REPO).with_suffix("").parts
            modules.append((".".join(part for part in parts if part != "__init__"), path))
    return modules


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize(("module", "path"), project_modules(), ids=lambda value: str(value))
def test_module_imports_follow_the_dependency_direction(module: str, path: Path) -> None:
    layer = module.split(".")[0]
    for imported in imports_of(path):
        top = imported.split(".")[0]
        if top == "bot":
            pytest.fail(f"{module} imports bot.py; only bot.py wires things together")
        if layer != "bot" and top in PROJECT and top != layer:
            assert top in ALLOWED[layer], f"{module} may not import {imported}"
        if top in CONFINED:
            assert module.startswith(CONFINED[top]), f"{module} may not import {top}"
        if module in PURE:
            # A pure module may use another pure module (handlers.args folds text with text and
            # parses keyword queries with delivery.keywords); the layer rule above still applies.
            assert top not in PROJECT or top in LEAVES or imported in PURE, (
                f"pure module {module} imports {imported}, which may do I/O")


def test_nothing_below_bot_reads_the_real_clock() -> None:
    """Time is an argument: only bot.py's clock may call datetime.now() or time.time()."""
    offenders = []
    for module, path in project_modules():
        if module == "bot":
            continue
        text = path.read_text(encoding="utf-8")
        for needle in ("datetime.now(", "datetime.utcnow(", "time.time(", "date.today("):
            if needle in text:
                offenders.append(f"{module}: {needle}")
    assert offenders == []


def test_every_module_says_why_it_exists() -> None:
    missing = [module for module, path in project_modules()
               if path.stat().st_size and ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) is None]
    assert missing == []
