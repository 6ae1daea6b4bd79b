"""The dependency direction of docs/design.md, checked by walking every module's imports.

bot.py wires everything and nothing imports it. Below it: bot -> handlers -> delivery -> storage, and
bot -> feeds -> storage; ops (health, metrics, the demo, classify/evaluate) sits beside handlers and may use
feeds and delivery; handlers reach ingestion only through what bot.py installs, so they never import
feeds, and feeds never import delivery (bot.py injects fan-out as ingestion's on-new hook). Everything may
use the leaves: model, errors, settings and text, which import only the standard library and each other.
Third-party packages stay confined: within delivery, only delivery/sender.py imports telegram.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("handlers", "delivery", "feeds", "ops", "storage")
LEAVES = {"model", "errors", "settings", "text"}
PURE = {"feeds.parse", "feeds.normalize", "feeds.cluster", "feeds.story_words", "feeds.story_weights",
        "feeds.classify", "feeds.topic_model", "feeds.worker", "text",
        "delivery.keywords", "delivery.outcome", "delivery.quiet", "delivery.render", "ops.evaluate", "handlers.args",
        "handlers.format", "handlers.texts"}

# What each layer may import from the project (besides itself).
ALLOWED = {
    "handlers": {"delivery", "ops", "storage", *LEAVES},
    "delivery": {"storage", *LEAVES},
    "feeds": {"storage", *LEAVES},
    "ops": {"feeds", "delivery", "storage", *LEAVES},
    "storage": LEAVES,
    "model": set(),
    "errors": set(),
    "settings": {"model", "errors"},
    "text": set(),
}
# Third-party packages and the only places allowed to import them.
CONFINED = {
    "telegram": ("handlers", "delivery.sender", "bot"),
    "sqlalchemy": ("storage",),
    "aiohttp": ("feeds.fetch", "feeds.snapshots", "ops.health", "tests"),
    "feedparser": ("feeds.parse",),
    "prometheus_client": ("ops.metrics",),
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


def test_the_layers_are_the_ones_the_design_names() -> None:
    """Every top-level package is a layer above, so none escapes the direction checks."""
    packages = {path.parent.name for path in REPO.glob("*/__init__.py")} - {"tests", "bench"}
    assert packages == set(PACKAGES)


def test_within_delivery_only_the_sender_imports_telegram() -> None:
    importers = sorted(module for module, path in project_modules()
                       if module.startswith("delivery") and any(name.split(".")[0] == "telegram"
                                                                for name in imports_of(path)))
    assert importers == ["delivery.sender"]


def test_feeds_never_import_delivery() -> None:
    offenders = sorted(module for module, path in project_modules()
                       if module.startswith("feeds") and any(name.split(".")[0] == "delivery"
                                                             for name in imports_of(path)))
    assert offenders == []


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_says_what_it_owns_and_what_it_may_import(package: str) -> None:
    docstring = ast.get_docstring(ast.parse((REPO / package / "__init__.py").read_text(encoding="utf-8"))) or ""
    assert "May import" in docstring, f"{package}/__init__.py does not say what it may import"


def test_handlers_use_only_the_metrics_of_ops() -> None:
    """ops sits beside handlers; the handlers' Services only hold its Metrics."""
    used = sorted({name for module, path in project_modules() if module.startswith("handlers")
                   for name in imports_of(path) if name.split(".")[0] == "ops"})
    assert used == ["ops.metrics"]
