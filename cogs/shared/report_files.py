"""The funders' report as Discord attachments: the page, its CSV pack zipped, its charts."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import discord

CSV_PACK = "impact-tables.zip"


def funders_files(written: list[Path]) -> list[discord.File]:
    """Blocking (reads files): call through ``asyncio.to_thread``."""
    pack = io.BytesIO()
    with zipfile.ZipFile(pack, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in written:
            if path.suffix == ".csv":
                archive.write(path, arcname=path.name)
    pages = [p for p in written if p.suffix == ".html"]
    images = [p for p in written if p.suffix == ".png"]
    files = [discord.File(io.BytesIO(p.read_bytes()), filename=p.name) for p in pages]
    files.append(discord.File(io.BytesIO(pack.getvalue()), filename=CSV_PACK))
    files += [discord.File(io.BytesIO(p.read_bytes()), filename=p.name) for p in images]
    return files
