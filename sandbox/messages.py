"""Turning the bot's message bodies (JSON or multipart) into stored messages and edits."""

from __future__ import annotations

import copy
import mimetypes
import re
from collections.abc import Callable
from typing import Any

from sandbox.constants import SENDABLE_FLAGS, MessageFlag
from sandbox.router import DiscordHTTPError, UploadedFile
from sandbox.state import Attachment, Message, utcnow
from sandbox.validation import check_message

_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")


def normalise_components(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Discord numbers every component with an ``id`` when it stores a message."""
    out = copy.deepcopy(components)
    counter = [0]

    def walk(items: list[dict[str, Any]]) -> None:
        for comp in items:
            counter[0] += 1
            comp.setdefault("id", counter[0])
            walk(comp.get("components", []))
            for key in ("component", "accessory"):
                child = comp.get(key)
                if isinstance(child, dict):
                    walk([child])

    walk(out)
    return out


def normalise_embeds(embeds: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for emb in embeds:
        data = copy.deepcopy(emb)
        data.setdefault("type", "rich")
        for fld in data.get("fields", []):
            fld.setdefault("inline", False)
        out.append(data)
    return out


def validate_body(
    body: dict[str, Any],
    files: dict[int, UploadedFile],
    *,
    creating: bool,
    prefix: tuple[str | int, ...] = (),
) -> None:
    """Rejects what Discord rejects with 400 (see :mod:`sandbox.validation`)."""
    check_message(body, creating=creating, has_files=bool(files), prefix=prefix)


def make_attachments(
    body: dict[str, Any],
    files: dict[int, UploadedFile],
    *,
    new_id: Callable[[], int],
    url_for: Callable[[int, str], str],
    existing: list[Attachment],
) -> list[Attachment] | None:
    """Resolves the ``attachments`` array against uploaded ``files[n]`` and kept attachments.

    Returns ``None`` when the body does not touch attachments (edits keep the old ones).
    """
    if "attachments" not in body and not files:
        return None
    out: list[Attachment] = []
    by_id = {a.id: a for a in existing}
    described = body.get("attachments")
    if described is None:
        described = [{"id": i} for i in sorted(files)]
    for meta in described:
        raw_id = meta.get("id")
        upload = files.get(int(raw_id)) if raw_id is not None and int(raw_id) in files else None
        if upload is None:
            kept = by_id.get(int(raw_id)) if raw_id is not None else None
            if kept is None:
                index = described.index(meta)
                raise DiscordHTTPError.form_error(
                    ("attachments", index, "id"),
                    "ATTACHMENT_NOT_FOUND",
                    f"Unknown attachment {raw_id}",
                )
            out.append(kept)
            continue
        filename = str(meta.get("filename") or upload.filename)
        att_id = new_id()
        ctype = upload.content_type
        if not ctype or ctype == "application/octet-stream":
            guessed = mimetypes.guess_type(filename)[0]
            ctype = guessed or ctype
        out.append(
            Attachment(
                id=att_id,
                filename=filename,
                data=upload.data,
                content_type=ctype,
                url=url_for(att_id, filename),
                description=meta.get("description"),
            )
        )
    return out


#: What Discord lets a message ping when it names no ``allowed_mentions``: everything in
#: a regular message, only users in an interaction's reply or a webhook's message.
PARSE_ALL = frozenset({"users", "roles", "everyone"})
PARSE_USERS = frozenset({"users"})


def pinged(named: list[int], allowed: Any, default: frozenset[str], kind: str) -> list[int]:
    """Who of those ``named`` in the content (``kind``: users or roles) is really
    mentioned (and notified), as ``allowed_mentions`` (or the default) lets through."""
    if not isinstance(allowed, dict):
        return named if kind in default else []
    if kind in (allowed.get("parse") or []):
        return named
    listed = {int(x) for x in allowed.get(kind) or []}
    return [x for x in named if x in listed]


def apply_body(
    msg: Message,
    body: dict[str, Any],
    attachments: list[Attachment] | None,
    *,
    default_parse: frozenset[str] = PARSE_ALL,
) -> None:
    """Applies create/edit fields to ``msg`` (keys absent from ``body`` are left alone)."""
    if "content" in body:
        msg.content = str(body["content"] or "")
    if "embeds" in body or "embed" in body:
        embeds = body.get("embeds")
        if embeds is None and body.get("embed") is not None:
            embeds = [body["embed"]]
        msg.embeds = normalise_embeds(embeds or [])
    if "components" in body:
        msg.components = normalise_components(body["components"] or [])
    if attachments is not None:
        msg.attachments = attachments
    if "flags" in body and body["flags"] is not None:
        keep = msg.flags & ~SENDABLE_FLAGS
        msg.flags = (
            keep | (int(body["flags"]) & SENDABLE_FLAGS) | (msg.flags & MessageFlag.EPHEMERAL)
        )
    if "content" not in body and "allowed_mentions" not in body:
        return  # an edit that leaves the text alone keeps whom it mentions
    msg.named_ids = list(dict.fromkeys(int(x) for x in _USER_MENTION.findall(msg.content)))
    named_roles = list(dict.fromkeys(int(x) for x in _ROLE_MENTION.findall(msg.content)))
    allowed = body.get("allowed_mentions")
    msg.mention_ids = pinged(msg.named_ids, allowed, default_parse, "users")
    msg.mention_role_ids = pinged(named_roles, allowed, default_parse, "roles")


def snapshot(msg: Message) -> dict[str, Any]:
    return {
        "content": msg.content,
        "embeds": copy.deepcopy(msg.embeds),
        "components": copy.deepcopy(msg.components),
        "attachments": [a.filename for a in msg.attachments],
        "flags": msg.flags,
        "at": utcnow(),
    }
