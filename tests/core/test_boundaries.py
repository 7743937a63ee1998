"""Package boundaries: the emulator stands alone, and the runtime never loads it.

``sandbox`` knows discord.py but never kindbot; ``bot`` may reach the emulator only from
``bot/demo/`` (the offline demo); ``cogs`` never. Tests and benchmarks may use both.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _imported_modules(source: str, module: str) -> list[tuple[int, str]]:
    """Every module ``module``'s source imports: statements and constant import_module calls."""
    tree = ast.parse(source)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = ".".join(module.split(".")[: -node.level])
                base = f"{package}.{node.module}" if node.module else package
            else:
                base = node.module or ""
            found.append((node.lineno, base))
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if (
                name in ("import_module", "__import__")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.append((node.lineno, node.args[0].value))
    return found


def _top(module: str) -> str:
    return module.split(".", 1)[0]


def _violations(
    package: str, forbidden: set[str], *, allowed_under: str | None = None
) -> list[str]:
    out: list[str] = []
    for path in sorted((ROOT / package).rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if allowed_under is not None and rel.startswith(allowed_under):
            continue
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for line, module in _imported_modules(path.read_text(encoding="utf-8"), name):
            if _top(module) in forbidden:
                out.append(f"{rel}:{line} imports {module}")
    return out


def test_import_scanner_sees_every_import_form() -> None:
    source = (
        "import bot.core\n"
        "from cogs.shared import x\n"
        "from . import world\n"
        "import importlib\n"
        "importlib.import_module('bot.wiring')\n"
    )
    modules = [m for _, m in _imported_modules(source, "sandbox.probe")]
    assert modules == ["bot.core", "cogs.shared", "sandbox", "importlib", "bot.wiring"]


def test_sandbox_never_imports_kindbot() -> None:
    assert _violations("sandbox", {"bot", "cogs"}) == []


def test_only_the_demo_imports_the_emulator() -> None:
    assert _violations("bot", {"sandbox"}, allowed_under="bot/demo/") == []
    assert _violations("cogs", {"sandbox"}) == []


_RUNTIME_PROBE = """
import json, pkgutil, importlib, sys
import bot.cli, bot.core, bot.wiring, bot.endpoint, cogs
for info in pkgutil.walk_packages(cogs.__path__, "cogs."):
    importlib.import_module(info.name)
from bot.cli import main
try:
    sys.argv = ["kindbot", "run", "--help"]
    main()
except SystemExit:
    pass
loaded = sorted(m for m in sys.modules if m == "sandbox" or m.startswith("sandbox."))
cogs_loaded = sorted(m for m in sys.modules if m.startswith("cogs."))
print(json.dumps({"loaded": loaded, "cogs": cogs_loaded}))
"""


@pytest.mark.timeout(120)
def test_runtime_path_never_loads_the_emulator() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _RUNTIME_PROBE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=110,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["cogs"], "the probe imported no cogs"
    assert report["loaded"] == []
