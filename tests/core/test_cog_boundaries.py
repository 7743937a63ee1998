"""The cogs stay thin: services, never storage; shared pieces, never another cog's insides.

These read the cogs' source, because the rules are about how the code is put together;
the journeys in ``tests/e2e`` check that the cogs still do what members need.
"""

from __future__ import annotations

import ast
import re
import typing
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.wiring import Services

ROOT = Path(__file__).resolve().parents[2]
COGS = ROOT / "cogs"
MODULES = sorted(COGS.rglob("*.py"))
FORBIDDEN = ("bot.repos", "bot.db")
SQL = re.compile(
    r"\b(SELECT\b.+\bFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+TABLE)\b"
)
MAX_LINES = 500
MAX_TYPE_IGNORES = 5


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(source: str, module: str, *, is_package: bool = False) -> list[str]:
    """Every module ``source`` imports, relative imports resolved, and ``from m import n`` as
    both ``m`` and ``m.n`` (``n`` may be a submodule)."""
    package = module if is_package else module.rpartition(".")[0]
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.append(base)
            found += [f"{base}.{alias.name}" for alias in node.names]
    return found


def outermost(names: list[str]) -> list[str]:
    """``names`` without those inside another listed one (``a.b.c`` goes when ``a.b`` is there)."""
    return [n for n in names if not any(n.startswith(m + ".") for m in names)]


def storage_problems(source: str, module: str, *, is_package: bool = False) -> list[str]:
    imported = imports_of(source, module, is_package=is_package)
    storage = [n for n in imported if any(n == f or n.startswith(f + ".") for f in FORBIDDEN)]
    problems = [f"imports {name}" for name in outermost(storage)]
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and SQL.search(node.value)
        ):
            problems.append(f"holds SQL: {node.value[:60]!r}")
        if isinstance(node, ast.Attribute) and node.attr == "db":
            owner = node.value
            name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            if name == "services":
                problems.append("uses services.db")
    return problems


def private_imports_of_other_cogs(
    source: str, module: str, *, is_package: bool = False
) -> list[str]:
    own = module.split(".")[1] if module.count(".") else ""
    bad = []
    for name in imports_of(source, module, is_package=is_package):
        parts = name.split(".")
        if len(parts) < 3 or parts[0] != "cogs" or parts[1] in (own, "shared"):
            continue
        if any(part.startswith("_") for part in parts[2:]):
            bad.append(name)
    return outermost(bad)


def read(path: Path) -> tuple[str, str, bool]:
    return path.read_text(encoding="utf-8"), module_name(path), path.name == "__init__.py"


def problems_in_cogs(check: Callable[..., list[str]]) -> dict[str, list[str]]:
    """What ``check`` finds in each cog module, for the modules where it finds anything."""
    found = {}
    for path in MODULES:
        source, module, is_package = read(path)
        if problems := check(source, module, is_package=is_package):
            found[module] = problems
    return found


def test_the_checks_catch_what_they_look_for() -> None:
    sneaky = (
        "from bot.repos.coffee import MeetingRecord\n"
        "import bot.db\n"
        "from ..onboarding import _render\n"
        "from cogs.kindness._forms import ActModal\n"
        "Q = 'SELECT user_id FROM champions'\n"
        "async def f(bot):\n"
        "    await bot.services.db.execute(Q)\n"
    )
    module = "cogs.coffee._checkin"
    assert storage_problems(sneaky, module) == [
        "imports bot.repos.coffee",
        "imports bot.db",
        "holds SQL: 'SELECT user_id FROM champions'",
        "uses services.db",
    ]
    assert private_imports_of_other_cogs(sneaky, module) == [
        "cogs.onboarding._render",
        "cogs.kindness._forms",
    ]
    assert storage_problems("TEXT = 'Select a group from the menu'\n", module) == []
    assert private_imports_of_other_cogs("from ._render import intro_embed\n", module) == []


def test_cogs_reach_storage_only_through_services() -> None:
    assert len(MODULES) > 20
    assert problems_in_cogs(storage_problems) == {}


def test_services_hand_cogs_no_repositories() -> None:
    hints = typing.get_type_hints(Services)
    repositories = {name for name, hint in hints.items() if hint.__module__.startswith("bot.repos")}
    assert repositories == set()
    assert {"setup", "coffee", "onboarding", "scheduler"} <= set(hints)


def test_no_cog_imports_another_cogs_private_modules() -> None:
    assert problems_in_cogs(private_imports_of_other_cogs) == {}


def test_shared_pieces_never_import_a_feature_cog() -> None:
    for path in sorted((COGS / "shared").glob("*.py")):
        source, module, is_package = read(path)
        feature = [
            name
            for name in imports_of(source, module, is_package=is_package)
            if name.startswith("cogs.") and not name.startswith("cogs.shared")
        ]
        assert feature == [], module


def _subscripts(tree: ast.AST) -> list[str]:
    return [ast.unparse(node) for node in ast.walk(tree) if isinstance(node, ast.Subscript)]


@pytest.mark.parametrize("path", MODULES, ids=module_name)
def test_cog_modules_are_small_typed_and_use_discord_py_idioms(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    assert len(source.splitlines()) <= MAX_LINES
    assert [
        s for s in _subscripts(tree) if re.fullmatch(r"(discord\.)?Interaction\[Any\]", s)
    ] == []
    assigned_callbacks = [
        ast.unparse(target)
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Attribute) and target.attr == "callback"
    ]
    assert assigned_callbacks == [], "use @discord.ui.button / @discord.ui.select"
    assert "interaction.data" not in source, "read select.values instead"


def test_type_ignores_are_few_and_explained() -> None:
    ignores = [
        (path, line)
        for folder in ("bot", "cogs")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if "type: ignore" in line
    ]
    assert len(ignores) <= MAX_TYPE_IGNORES
    for path, line in ignores:
        assert re.search(r"type: ignore\[[\w-]+\]\s+#\s*\S", line), f"{path}: {line.strip()}"


@pytest.mark.parametrize(
    "package", sorted(p.parent for p in COGS.glob("*/__init__.py")), ids=lambda p: p.name
)
def test_each_cog_package_says_what_lives_where(package: Path) -> None:
    docstring = ast.get_docstring(ast.parse((package / "__init__.py").read_text())) or ""
    modules = sorted(p.stem for p in package.glob("*.py") if p.stem != "__init__")
    missing = [m for m in modules if f"``{m}``" not in docstring]
    assert missing == []
    assert len(docstring.splitlines()) > 1, "say what lives in the package, not only its name"
