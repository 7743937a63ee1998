"""Find the data folders (``migrations/`` and ``prompts/``) in a checkout or an install.

A wheel carries them inside the package as ``bot/_data/<name>``; a source checkout
keeps them at the top level, next to ``bot/``.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """Return the folder called ``name`` ("migrations" or "prompts")."""
    for candidate in (_PACKAGE_DIR / "_data" / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"kindbot cannot find its '{name}' folder; reinstall the package with 'pip install .'"
    )


def migrations_dir() -> Path:
    return data_dir("migrations")


def prompts_dir() -> Path:
    return data_dir("prompts")
