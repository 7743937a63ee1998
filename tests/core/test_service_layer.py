"""Services and repositories are domain code: no printing, exiting or argument parsing."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = sorted(
    [*ROOT.joinpath("bot/services").rglob("*.py"), *ROOT.joinpath("bot/repos").rglob("*.py")]
)
FORBIDDEN_MODULES = {"argparse", "sys", "getopt", "click"}
FORBIDDEN_CALLS = {"print", "input", "exit", "quit"}
MAX_LINES = 500


def _problems(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] in FORBIDDEN_MODULES]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found += [node.module] if node.module.split(".")[0] in FORBIDDEN_MODULES else []
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            found += [f"{node.func.id}()"] if node.func.id in FORBIDDEN_CALLS else []
    return found


def test_the_check_sees_console_work(tmp_path: Path) -> None:
    module = tmp_path / "noisy.py"
    module.write_text(
        "import sys\nfrom argparse import ArgumentParser\nprint('hi')\nsys.exit(2)\n", "utf-8"
    )
    assert _problems(module) == ["sys", "argparse", "print()"]


@pytest.mark.parametrize("path", DOMAIN, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_domain_modules_do_no_console_work(path: Path) -> None:
    assert _problems(path) == []


def test_no_module_in_bot_is_over_500_lines() -> None:
    long = {
        p.relative_to(ROOT).as_posix(): n
        for p in ROOT.joinpath("bot").rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
