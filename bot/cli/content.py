"""``kindbot content``: start and check a folder of wording that overrides the shipped files.

``export DIR`` copies the shipped files into DIR to start from; ``check DIR``
validates DIR exactly as start-up would with ``KINDBOT_CONTENT_DIR=DIR``. Problems
print one line each and exit with code 2.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from bot.resources import prompts_dir
from bot.services.content import content_problems, shipped_files

EXIT_OK = 0
EXIT_PROBLEM = 2
PREFIX = "kindbot content: "


class ContentCliError(Exception):
    """A problem worth one line on stderr."""


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    text = "export or check your own wording files"
    content = commands.add_parser("content", help=text, description=text)
    actions = content.add_subparsers(dest="content_command", metavar="ACTION", required=True)
    export = actions.add_parser("export", help="copy the shipped wording files into DIR")
    export.add_argument("dir", type=Path, metavar="DIR", help="an empty or new folder")
    export.add_argument("--force", action="store_true", help="write into a folder with files")
    check = actions.add_parser("check", help="check DIR as start-up would")
    check.add_argument("dir", type=Path, metavar="DIR", help="a folder of wording files")


def run_content_cli(args: argparse.Namespace) -> int:
    if args.content_command == "export":
        return run_export(args.dir, force=args.force)
    return run_check(args.dir)


def run_export(target: Path, *, force: bool = False) -> int:
    try:
        written = export_content(target, force=force)
    except ContentCliError as exc:
        print(f"{PREFIX}{exc}", file=sys.stderr)
        return EXIT_PROBLEM
    except OSError as exc:
        print(f"{PREFIX}cannot write to {target} ({exc.strerror or exc})", file=sys.stderr)
        return EXIT_PROBLEM
    print(
        f"Copied {len(written)} wording files to {target}. Edit them, run "
        f"'kindbot content check {target}', then set KINDBOT_CONTENT_DIR={target}."
    )
    return EXIT_OK


def run_check(folder: Path) -> int:
    problems = content_problems(folder)
    for problem in problems:
        print(f"{PREFIX}{problem}", file=sys.stderr)
    if problems:
        return EXIT_PROBLEM
    print("ok")
    return EXIT_OK


def export_content(target: Path, *, force: bool = False) -> list[Path]:
    """Copy every shipped wording file into ``target`` (same relative paths)."""
    if target.exists() and not target.is_dir():
        raise ContentCliError(f"{target} is a file, not a folder")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise ContentCliError(
            f"{target} is not empty; choose an empty folder, or add --force to overwrite "
            "the wording files in it"
        )
    source = prompts_dir()
    written = []
    for relative in shipped_files(source):
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / relative, destination)
        written.append(destination)
    return written
