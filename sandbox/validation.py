"""Discord's form-body rules for messages, components, modals, autocomplete and commands.

A violation becomes a 400 with ``{"code": 50035, "message": "Invalid Form Body",
"errors": {...}}``, the ``errors`` object nested along the field's path exactly as
Discord reports it (``{"embeds": {"0": {"title": {"_errors": [...]}}}}``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from sandbox.constants import (
    SELECT_TYPES,
    ApplicationCommandType,
    ButtonStyle,
    ChannelType,
    ComponentType,
    ErrorCode,
    MessageFlag,
    OptionType,
    TextInputStyle,
)
from sandbox.router import DiscordHTTPError

JSON = dict[str, Any]
Path = tuple[str | int, ...]

CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TITLE_MAX = 256
EMBED_DESCRIPTION_MAX = 4096
EMBED_FIELDS_MAX = 25
EMBED_FIELD_NAME_MAX = 256
EMBED_FIELD_VALUE_MAX = 1024
EMBED_FOOTER_MAX = 2048
EMBED_AUTHOR_MAX = 256
EMBED_TOTAL_MAX = 6000
ACTION_ROWS_MAX = 5
ROW_WIDTH = 5
SELECT_OPTIONS_MAX = 25
SELECT_VALUES_MAX = 25
CUSTOM_ID_MAX = 100
BUTTON_LABEL_MAX = 80
OPTION_LABEL_MAX = 100
OPTION_VALUE_MAX = 100
OPTION_DESCRIPTION_MAX = 100
SELECT_PLACEHOLDER_MAX = 150
BUTTON_URL_MAX = 512
MODAL_TITLE_MAX = 45
MODAL_ROWS_MAX = 5
TEXT_INPUT_LABEL_MAX = 45
TEXT_INPUT_PLACEHOLDER_MAX = 100
TEXT_INPUT_VALUE_MAX = 4000
AUTOCOMPLETE_CHOICES_MAX = 25
CHOICE_NAME_MAX = 100
CHOICE_STRING_VALUE_MAX = 100
COMMAND_NAME_MAX = 32
COMMAND_DESCRIPTION_MAX = 100
COMMAND_OPTIONS_MAX = 25
COMMAND_CHOICES_MAX = 25
NONCE_MAX = 25
THREAD_NAME_MAX = 100
#: The ``auto_archive_duration`` values Discord accepts, in minutes.
AUTO_ARCHIVE_MINUTES = (60, 1440, 4320, 10080)
DEFAULT_AUTO_ARCHIVE_MINUTES = 1440
SLOWMODE_MAX_SECONDS = 21600

#: Discord's documented pattern for CHAT_INPUT command and option names.
COMMAND_NAME = re.compile(r"^[-_'\w\u0900-\u097F\u0E00-\u0E7F]{1,32}$")


class FormErrors:
    """Collects violations and raises them as one Invalid Form Body error."""

    def __init__(self, prefix: Path = ()) -> None:
        self.prefix = prefix
        self.tree: JSON = {}

    def add(self, path: Path, code: str, message: str) -> None:
        node = self.tree
        for part in (*self.prefix, *path):
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})

    def raise_if_any(self) -> None:
        if self.tree:
            raise DiscordHTTPError(
                400, ErrorCode.INVALID_FORM_BODY, "Invalid Form Body", errors=self.tree
            )

    # -- rule helpers -----------------------------------------------------------

    def required(self, path: Path) -> None:
        self.add(path, "BASE_TYPE_REQUIRED", "This field is required")

    def max_length(self, path: Path, value: Any, limit: int) -> None:
        if value is not None and len(_text(value)) > limit:
            self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")

    def bad_length(self, path: Path, value: Any, low: int, high: int) -> None:
        if value is None:
            self.required(path)
        elif not low <= len(_text(value)) <= high:
            self.add(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length.")

    def max_items(self, path: Path, items: Sequence[Any], limit: int) -> None:
        if len(items) > limit:
            self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")

    def bad_items(self, path: Path, items: Sequence[Any], low: int, high: int) -> None:
        if not low <= len(items) <= high:
            self.add(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length.")

    def in_range(self, path: Path, value: Any, low: int, high: int) -> None:
        if value is None:
            return
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(path, "NUMBER_TYPE_COERCE", f'Value "{value}" is not int.')
        elif value < low:
            self.add(
                path, "NUMBER_TYPE_MIN", f"int value should be greater than or equal to {low}."
            )
        elif value > high:
            self.add(path, "NUMBER_TYPE_MAX", f"int value should be less than or equal to {high}.")

    def choice(self, path: Path, value: Any, allowed: Iterable[int]) -> None:
        options = sorted(int(a) for a in allowed)
        if value not in options:
            shown = ", ".join(str(o) for o in options)
            self.add(path, "BASE_TYPE_CHOICES", f"Value must be one of {{{shown}}}.")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def _blank(value: Any) -> bool:
    return value is None or not _text(value).strip()


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> JSON:
    return value if isinstance(value, dict) else {}


# -- messages ----------------------------------------------------------------------


def check_message(body: JSON, *, creating: bool, has_files: bool, prefix: Path = ()) -> None:
    """Every rule Discord applies to a message create/edit body."""
    errors = FormErrors(prefix)
    content = body.get("content")
    errors.max_length(("content",), content, CONTENT_MAX)
    nonce = body.get("nonce")
    if isinstance(nonce, str):
        errors.max_length(("nonce",), nonce, NONCE_MAX)
    elif nonce is not None and (isinstance(nonce, bool) or not isinstance(nonce, int)):
        errors.add(("nonce",), "NONCE_TYPE_INVALID", "Nonce must be an integer or a string.")
    embeds = _list(body.get("embeds"))
    if body.get("embed") is not None and not embeds:
        embeds = [body["embed"]]
    check_embeds(errors, embeds)
    check_allowed_mentions(errors, body.get("allowed_mentions"))
    flags = int(body.get("flags") or 0)
    components = _list(body.get("components"))
    check_message_components(errors, components, v2=bool(flags & MessageFlag.IS_COMPONENTS_V2))
    errors.raise_if_any()
    if creating and not (
        content or embeds or has_files or components or body.get("sticker_ids") or body.get("poll")
    ):
        raise DiscordHTTPError(
            400, ErrorCode.CANNOT_SEND_EMPTY_MESSAGE, "Cannot send an empty message"
        )


MENTION_TYPES = ("users", "roles", "everyone")
#: Users or roles an ``allowed_mentions`` object may list.
ALLOWED_MENTIONS_MAX = 100


def check_allowed_mentions(errors: FormErrors, allowed: Any) -> None:
    """``parse`` holds known types; ``users`` and ``roles`` list at most 100 ids each, and
    a type can't be both parsed and listed."""
    if allowed is None:
        return
    at: Path = ("allowed_mentions",)
    parse = _list(_dict(allowed).get("parse"))
    for i, kind in enumerate(parse):
        if kind not in MENTION_TYPES:
            shown = ", ".join(MENTION_TYPES)
            errors.add((*at, "parse", i), "BASE_TYPE_CHOICES", f"Value must be one of {{{shown}}}.")
    for kind in ("users", "roles"):
        listed = _list(_dict(allowed).get(kind))
        errors.max_items((*at, kind), listed, ALLOWED_MENTIONS_MAX)
        if listed and kind in parse:
            errors.add(
                at,
                "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                f'parse:["{kind}"] and {kind}: [ids...] are mutually exclusive.',
            )


def check_embeds(errors: FormErrors, embeds: list[Any]) -> None:
    errors.max_items(("embeds",), embeds, EMBEDS_MAX)
    total = 0
    for i, raw in enumerate(embeds):
        emb = _dict(raw)
        at: Path = ("embeds", i)
        title, description = emb.get("title"), emb.get("description")
        errors.max_length((*at, "title"), title, EMBED_TITLE_MAX)
        errors.max_length((*at, "description"), description, EMBED_DESCRIPTION_MAX)
        total += len(_text(title or "")) + len(_text(description or ""))
        fields = _list(emb.get("fields"))
        errors.max_items((*at, "fields"), fields, EMBED_FIELDS_MAX)
        for j, raw_field in enumerate(fields):
            fld = _dict(raw_field)
            for key, limit in (("name", EMBED_FIELD_NAME_MAX), ("value", EMBED_FIELD_VALUE_MAX)):
                value = fld.get(key)
                if _blank(value):
                    errors.required((*at, "fields", j, key))
                else:
                    errors.max_length((*at, "fields", j, key), value, limit)
                    total += len(_text(value))
        footer = _dict(emb.get("footer"))
        if footer:
            errors.max_length((*at, "footer", "text"), footer.get("text"), EMBED_FOOTER_MAX)
            total += len(_text(footer.get("text") or ""))
        author = _dict(emb.get("author"))
        if author:
            errors.max_length((*at, "author", "name"), author.get("name"), EMBED_AUTHOR_MAX)
            total += len(_text(author.get("name") or ""))
    if total > EMBED_TOTAL_MAX:
        errors.add(
            ("embeds",),
            "MAX_EMBED_SIZE_EXCEEDED",
            f"Embed size exceeds maximum size of {EMBED_TOTAL_MAX}",
        )


def check_message_components(errors: FormErrors, components: list[Any], *, v2: bool) -> None:
    seen: set[str] = set()
    if not v2:
        errors.max_items(("components",), components, ACTION_ROWS_MAX)
    for i, raw in enumerate(components):
        comp = _dict(raw)
        at: Path = ("components", i)
        kind = comp.get("type")
        if kind == ComponentType.ACTION_ROW:
            _check_row(errors, comp, at, seen)
        elif not v2:
            errors.choice((*at, "type"), kind, [ComponentType.ACTION_ROW])
        else:
            _check_v2(errors, comp, at, seen)


def _check_v2(errors: FormErrors, comp: JSON, at: Path, seen: set[str]) -> None:
    kind = comp.get("type")
    if kind == ComponentType.ACTION_ROW:
        _check_row(errors, comp, at, seen)
        return
    if kind in (ComponentType.BUTTON, *SELECT_TYPES):
        _check_interactive(errors, comp, at, seen)
    for i, child in enumerate(_list(comp.get("components"))):
        _check_v2(errors, _dict(child), (*at, "components", i), seen)
    accessory = comp.get("accessory")
    if isinstance(accessory, dict):
        _check_v2(errors, accessory, (*at, "accessory"), seen)


def _check_row(errors: FormErrors, row: JSON, at: Path, seen: set[str]) -> None:
    children = _list(row.get("components"))
    errors.bad_items((*at, "components"), children, 1, ROW_WIDTH)
    has_select = any(_dict(c).get("type") in SELECT_TYPES for c in children)
    for j, raw in enumerate(children):
        comp = _dict(raw)
        where: Path = (*at, "components", j)
        if j >= ROW_WIDTH or (has_select and len(children) > 1 and j > 0):
            errors.add(
                where,
                "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                "The specified component exceeds the maximum width",
            )
        _check_interactive(errors, comp, where, seen)


def _check_custom_id(
    errors: FormErrors, comp: JSON, at: Path, seen: set[str], *, required: bool = True
) -> None:
    cid = comp.get("custom_id")
    if cid is None:
        if required:
            errors.required((*at, "custom_id"))
        return
    errors.bad_length((*at, "custom_id"), cid, 1, CUSTOM_ID_MAX)
    if cid in seen:
        errors.add(
            (*at, "custom_id"),
            "COMPONENT_CUSTOM_ID_DUPLICATED",
            "Component custom id cannot be duplicated",
        )
    seen.add(_text(cid))


def _check_interactive(errors: FormErrors, comp: JSON, at: Path, seen: set[str]) -> None:
    kind = comp.get("type")
    if kind == ComponentType.BUTTON:
        _check_button(errors, comp, at, seen)
    elif kind in SELECT_TYPES:
        _check_select(errors, comp, at, seen)
    else:
        errors.choice((*at, "type"), kind, [ComponentType.BUTTON, *SELECT_TYPES])


def _check_button(errors: FormErrors, comp: JSON, at: Path, seen: set[str]) -> None:
    style = comp.get("style")
    errors.choice((*at, "style"), style, ButtonStyle)
    errors.max_length((*at, "label"), comp.get("label"), BUTTON_LABEL_MAX)
    if style == ButtonStyle.LINK:
        if comp.get("url") is None:
            errors.required((*at, "url"))
        else:
            errors.max_length((*at, "url"), comp["url"], BUTTON_URL_MAX)
        if comp.get("custom_id") is not None:
            errors.add(
                (*at, "custom_id"),
                "BUTTON_COMPONENT_CUSTOM_ID_NOT_ALLOWED",
                "A link button cannot have a custom id",
            )
    elif style == ButtonStyle.PREMIUM:
        if comp.get("sku_id") is None:
            errors.required((*at, "sku_id"))
    else:
        if comp.get("url") is not None:
            errors.add(
                (*at, "url"),
                "BUTTON_COMPONENT_URL_NOT_ALLOWED",
                "Only link buttons can have a url",
            )
        _check_custom_id(errors, comp, at, seen)
    if style != ButtonStyle.PREMIUM and _blank(comp.get("label")) and not comp.get("emoji"):
        errors.add(
            at,
            "BUTTON_COMPONENT_LABEL_OR_EMOJI_REQUIRED",
            "A button needs a label or an emoji",
        )


def _check_select(errors: FormErrors, comp: JSON, at: Path, seen: set[str]) -> None:
    _check_custom_id(errors, comp, at, seen)
    errors.max_length((*at, "placeholder"), comp.get("placeholder"), SELECT_PLACEHOLDER_MAX)
    errors.in_range((*at, "min_values"), comp.get("min_values"), 0, SELECT_VALUES_MAX)
    errors.in_range((*at, "max_values"), comp.get("max_values"), 1, SELECT_VALUES_MAX)
    if comp.get("type") != ComponentType.STRING_SELECT:
        return
    options = _list(comp.get("options"))
    errors.bad_items((*at, "options"), options, 1, SELECT_OPTIONS_MAX)
    for k, raw in enumerate(options):
        opt = _dict(raw)
        where: Path = (*at, "options", k)
        errors.bad_length((*where, "label"), opt.get("label"), 1, OPTION_LABEL_MAX)
        errors.bad_length((*where, "value"), opt.get("value"), 1, OPTION_VALUE_MAX)
        errors.max_length((*where, "description"), opt.get("description"), OPTION_DESCRIPTION_MAX)


def check_thread(body: JSON) -> None:
    """A thread created in a text channel (``POST /channels/{id}/threads``)."""
    errors = FormErrors()
    errors.bad_length(("name",), body.get("name"), 1, THREAD_NAME_MAX)
    if body.get("type") is not None:
        errors.choice(
            ("type",), body["type"], [ChannelType.PUBLIC_THREAD, ChannelType.PRIVATE_THREAD]
        )
    if body.get("auto_archive_duration") is not None:
        errors.choice(
            ("auto_archive_duration",), body["auto_archive_duration"], AUTO_ARCHIVE_MINUTES
        )
    errors.in_range(
        ("rate_limit_per_user",), body.get("rate_limit_per_user"), 0, SLOWMODE_MAX_SECONDS
    )
    errors.raise_if_any()


# -- interaction callbacks ---------------------------------------------------------------


def check_modal(data: JSON) -> None:
    """A MODAL callback's ``data`` (errors are reported under ``data``)."""
    errors = FormErrors(("data",))
    errors.bad_length(("title",), data.get("title"), 1, MODAL_TITLE_MAX)
    errors.bad_length(("custom_id",), data.get("custom_id"), 1, CUSTOM_ID_MAX)
    rows = _list(data.get("components"))
    errors.bad_items(("components",), rows, 1, MODAL_ROWS_MAX)
    seen: set[str] = set()
    for i, raw in enumerate(rows):
        top = _dict(raw)
        at: Path = ("components", i)
        kind = top.get("type")
        if kind == ComponentType.ACTION_ROW:
            children = _list(top.get("components"))
            errors.bad_items((*at, "components"), children, 1, 1)
            for j, child in enumerate(children):
                _check_modal_input(errors, _dict(child), (*at, "components", j), seen, True)
        elif kind == ComponentType.LABEL:
            errors.bad_length((*at, "label"), top.get("label"), 1, TEXT_INPUT_LABEL_MAX)
            inner = top.get("component")
            if not isinstance(inner, dict):
                errors.required((*at, "component"))
            else:
                _check_modal_input(errors, inner, (*at, "component"), seen, False)
        elif kind != ComponentType.TEXT_DISPLAY:
            errors.choice(
                (*at, "type"),
                kind,
                [ComponentType.ACTION_ROW, ComponentType.TEXT_DISPLAY, ComponentType.LABEL],
            )
    errors.raise_if_any()


def _check_modal_input(
    errors: FormErrors, comp: JSON, at: Path, seen: set[str], needs_label: bool
) -> None:
    kind = comp.get("type")
    if kind in SELECT_TYPES:
        _check_select(errors, comp, at, seen)
        return
    if kind != ComponentType.TEXT_INPUT:
        _check_custom_id(errors, comp, at, seen)
        return
    _check_custom_id(errors, comp, at, seen)
    errors.choice((*at, "style"), comp.get("style"), TextInputStyle)
    if needs_label:
        errors.bad_length((*at, "label"), comp.get("label"), 1, TEXT_INPUT_LABEL_MAX)
    else:
        errors.max_length((*at, "label"), comp.get("label"), TEXT_INPUT_LABEL_MAX)
    errors.max_length((*at, "placeholder"), comp.get("placeholder"), TEXT_INPUT_PLACEHOLDER_MAX)
    errors.max_length((*at, "value"), comp.get("value"), TEXT_INPUT_VALUE_MAX)
    errors.in_range((*at, "min_length"), comp.get("min_length"), 0, TEXT_INPUT_VALUE_MAX)
    errors.in_range((*at, "max_length"), comp.get("max_length"), 1, TEXT_INPUT_VALUE_MAX)


def check_autocomplete(data: JSON) -> None:
    """An autocomplete result's ``data.choices``."""
    errors = FormErrors(("data",))
    choices = _list(data.get("choices"))
    errors.max_items(("choices",), choices, AUTOCOMPLETE_CHOICES_MAX)
    for i, raw in enumerate(choices):
        choice = _dict(raw)
        errors.bad_length(("choices", i, "name"), choice.get("name"), 1, CHOICE_NAME_MAX)
        value = choice.get("value")
        if isinstance(value, str):
            errors.max_length(("choices", i, "value"), value, CHOICE_STRING_VALUE_MAX)
        elif value is None:
            errors.required(("choices", i, "value"))
    errors.raise_if_any()


# -- application commands ----------------------------------------------------------------


def check_commands(commands: Any) -> None:
    """A bulk-overwrite body: every command, then names unique per type."""
    errors = FormErrors()
    if not isinstance(commands, list):
        errors.add((), "BASE_TYPE_ARRAY", "Must be an array.")
        errors.raise_if_any()
        return
    seen: set[tuple[str, int]] = set()
    for i, raw in enumerate(commands):
        cmd = _dict(raw)
        _check_command(errors, cmd, (i,))
        key = (_text(cmd.get("name")), int(cmd.get("type") or ApplicationCommandType.CHAT_INPUT))
        if key in seen:
            errors.add(
                (i, "name"),
                "APPLICATION_COMMANDS_DUPLICATE_NAME",
                "Application command names must be unique",
            )
        seen.add(key)
    errors.raise_if_any()


def _check_name(errors: FormErrors, at: Path, name: Any) -> None:
    if not isinstance(name, str):
        errors.required((*at, "name"))
        return
    errors.bad_length((*at, "name"), name, 1, COMMAND_NAME_MAX)
    if not COMMAND_NAME.fullmatch(name) or name != name.lower():
        errors.add(
            (*at, "name"),
            "APPLICATION_COMMAND_INVALID_NAME",
            "Command name is invalid",
        )


def _check_command(errors: FormErrors, cmd: JSON, at: Path) -> None:
    kind = int(cmd.get("type") or ApplicationCommandType.CHAT_INPUT)
    errors.choice((*at, "type"), kind, ApplicationCommandType)
    if kind != ApplicationCommandType.CHAT_INPUT:
        if not isinstance(cmd.get("name"), str):
            errors.required((*at, "name"))
        else:
            errors.bad_length((*at, "name"), cmd["name"], 1, COMMAND_NAME_MAX)
        if cmd.get("description") or cmd.get("options"):
            errors.add(
                at,
                "APPLICATION_COMMAND_CONTEXT_MENU_INVALID",
                "Context menu commands cannot have a description or options",
            )
        return
    _check_name(errors, at, cmd.get("name"))
    errors.bad_length((*at, "description"), cmd.get("description"), 1, COMMAND_DESCRIPTION_MAX)
    _check_options(errors, _list(cmd.get("options")), (*at, "options"), depth=0)


def _check_options(errors: FormErrors, options: list[Any], at: Path, *, depth: int) -> None:
    errors.max_items(at, options, COMMAND_OPTIONS_MAX)
    grouping = (OptionType.SUB_COMMAND, OptionType.SUB_COMMAND_GROUP)
    kinds = [_dict(o).get("type") for o in options]
    if any(k in grouping for k in kinds) and any(k not in grouping for k in kinds):
        errors.add(
            at,
            "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
            "Sub-command and sub-command group option types are mutually exclusive to all "
            "other types",
        )
    names: set[str] = set()
    optional_seen = False
    for i, raw in enumerate(options):
        opt = _dict(raw)
        where: Path = (*at, i)
        kind = opt.get("type")
        errors.choice((*where, "type"), kind, OptionType)
        _check_name(errors, where, opt.get("name"))
        errors.bad_length(
            (*where, "description"), opt.get("description"), 1, COMMAND_DESCRIPTION_MAX
        )
        name = _text(opt.get("name"))
        if name in names:
            errors.add(
                (*where, "name"),
                "APPLICATION_COMMAND_OPTION_NAME_ALREADY_EXISTS",
                "Option names must be unique",
            )
        names.add(name)
        if kind in grouping:
            allowed_here = depth == 0 or (depth == 1 and kind == OptionType.SUB_COMMAND)
            if not allowed_here:
                errors.add(
                    (*where, "type"),
                    "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                    "Sub-command groups can only hold sub-commands",
                )
            children = _list(opt.get("options"))
            if kind == OptionType.SUB_COMMAND_GROUP and any(
                _dict(c).get("type") != OptionType.SUB_COMMAND for c in children
            ):
                errors.add(
                    (*where, "options"),
                    "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                    "Sub-command groups can only hold sub-commands",
                )
            _check_options(errors, children, (*where, "options"), depth=depth + 1)
            continue
        if opt.get("required"):
            if optional_seen:
                errors.add(
                    where,
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be placed before non-required options",
                )
        else:
            optional_seen = True
        choices = _list(opt.get("choices"))
        errors.max_items((*where, "choices"), choices, COMMAND_CHOICES_MAX)
        for k, raw_choice in enumerate(choices):
            choice = _dict(raw_choice)
            errors.bad_length(
                (*where, "choices", k, "name"), choice.get("name"), 1, CHOICE_NAME_MAX
            )
            value = choice.get("value")
            if isinstance(value, str):
                errors.max_length((*where, "choices", k, "value"), value, CHOICE_STRING_VALUE_MAX)
