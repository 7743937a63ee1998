"""The emulator refuses what Discord refuses: 400, code 50035 and the exact field path.

Each rule gets a violating payload sent over HTTP (raw aiohttp, or the real discord.py
client), and the test reads back Discord's nested ``errors`` object.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import discord
import pytest
import pytest_asyncio

from sandbox import DiscordEmulator
from sandbox.constants import ErrorCode, InteractionResponseType, InteractionType
from sandbox.state import Guild, Member
from tests.emulator.conftest import BotRunner

JSON = dict[str, Any]


class Api:
    """Raw REST calls as the bot would make them."""

    def __init__(self, emu: DiscordEmulator, session: aiohttp.ClientSession) -> None:
        self.emu, self.session = emu, session

    async def call(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        async with self.session.request(
            method,
            f"{self.emu.api_base}/api/v10{path}",
            json=body,
            headers={"Authorization": f"Bot {self.emu.bot_token}"},
        ) as resp:
            text = await resp.text()
            return resp.status, (await resp.json()) if text else None


@pytest_asyncio.fixture
async def api(discord_emulator: DiscordEmulator) -> AsyncIterator[Api]:
    async with aiohttp.ClientSession() as session:
        yield Api(discord_emulator, session)


def error_at(body: JSON, *path: str | int) -> list[str]:
    """The ``_errors`` codes at ``path`` of an Invalid Form Body reply."""
    assert body["code"] == ErrorCode.INVALID_FORM_BODY, body
    assert body["message"] == "Invalid Form Body"
    node = body["errors"]
    for part in path:
        assert str(part) in node, f"no error at {path}: {body['errors']}"
        node = node[str(part)]
    return [e["code"] for e in node["_errors"]]


def _button(custom_id: str = "b", **extra: Any) -> JSON:
    return {"type": 2, "style": 1, "label": "Hi", "custom_id": custom_id, **extra}


def _row(*components: JSON) -> JSON:
    return {"type": 1, "components": list(components)}


def _select(custom_id: str = "s", options: int = 2, **extra: Any) -> JSON:
    opts = [{"label": f"o{i}", "value": f"v{i}"} for i in range(options)]
    return {"type": 3, "custom_id": custom_id, "options": opts, **extra}


def _option(**extra: Any) -> JSON:
    return _select(options=1) | {"options": [{"label": "o", "value": "v", **extra}]}


def _embed(**extra: Any) -> JSON:
    return {"title": "t", "description": "d", **extra}


def _fields(n: int, name: str = "n", value: str = "v") -> list[JSON]:
    return [{"name": name, "value": value} for _ in range(n)]


# body, error path, expected code
MESSAGE_RULES: list[tuple[str, JSON, tuple[str | int, ...], str]] = [
    ("content > 2000", {"content": "x" * 2001}, ("content",), "BASE_TYPE_MAX_LENGTH"),
    ("11 embeds", {"embeds": [_embed()] * 11}, ("embeds",), "BASE_TYPE_MAX_LENGTH"),
    (
        "title > 256",
        {"embeds": [_embed(title="x" * 257)]},
        ("embeds", 0, "title"),
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "description > 4096",
        {"embeds": [_embed(description="x" * 4097)]},
        ("embeds", 0, "description"),
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "26 fields",
        {"embeds": [_embed(fields=_fields(26))]},
        ("embeds", 0, "fields"),
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "field name > 256",
        {"embeds": [_embed(fields=_fields(1, name="x" * 257))]},
        ("embeds", 0, "fields", 0, "name"),
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "field value > 1024",
        {"embeds": [_embed(fields=[*_fields(1), *_fields(1, value="x" * 1025)])]},
        ("embeds", 0, "fields", 1, "value"),
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "blank field name",
        {"embeds": [_embed(fields=_fields(1, name="  "))]},
        ("embeds", 0, "fields", 0, "name"),
        "BASE_TYPE_REQUIRED",
    ),
    (
        "blank field value",
        {"embeds": [_embed(fields=_fields(1, value=""))]},
        ("embeds", 0, "fields", 0, "value"),
        "BASE_TYPE_REQUIRED",
    ),
    (
        "footer > 2048",
        {"embeds": [_embed(footer={"text": "x" * 2049})]},
        ("embeds", 0, "footer", "text"),
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "author > 256",
        {"embeds": [_embed(author={"name": "x" * 257})]},
        ("embeds", 0, "author", "name"),
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "6,000 characters over all embeds",
        {"embeds": [_embed(description="x" * 3000), _embed(description="y" * 3000)]},
        ("embeds",),
        "MAX_EMBED_SIZE_EXCEEDED",
    ),
    (
        "6 action rows",
        {"components": [_row(_button(f"b{i}")) for i in range(6)]},
        ("components",),
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "6 buttons in a row",
        {"components": [_row(*(_button(f"b{i}") for i in range(6)))]},
        ("components", 0, "components", 5),
        "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
    ),
    (
        "select shares its row",
        {"components": [_row(_select(), _button())]},
        ("components", 0, "components", 1),
        "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
    ),
    (
        "26 options",
        {"components": [_row(_select(options=26))]},
        ("components", 0, "components", 0, "options"),
        "BASE_TYPE_BAD_LENGTH",
    ),
    (
        "min_values > 25",
        {"components": [_row(_select(min_values=26))]},
        ("components", 0, "components", 0, "min_values"),
        "NUMBER_TYPE_MAX",
    ),
    (
        "min_values < 0",
        {"components": [_row(_select(min_values=-1))]},
        ("components", 0, "components", 0, "min_values"),
        "NUMBER_TYPE_MIN",
    ),
    (
        "max_values > 25",
        {"components": [_row(_select(max_values=26))]},
        ("components", 0, "components", 0, "max_values"),
        "NUMBER_TYPE_MAX",
    ),
    (
        "empty custom_id",
        {"components": [_row(_button(""))]},
        ("components", 0, "components", 0, "custom_id"),
        "BASE_TYPE_BAD_LENGTH",
    ),
    (
        "custom_id > 100",
        {"components": [_row(_select("x" * 101))]},
        ("components", 0, "components", 0, "custom_id"),
        "BASE_TYPE_BAD_LENGTH",
    ),
    (
        "button label > 80",
        {"components": [_row(_button(label="x" * 81))]},
        ("components", 0, "components", 0, "label"),
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "option label > 100",
        {"components": [_row(_option(label="x" * 101))]},
        ("components", 0, "components", 0, "options", 0, "label"),
        "BASE_TYPE_BAD_LENGTH",
    ),
    (
        "option value > 100",
        {"components": [_row(_option(value="x" * 101))]},
        ("components", 0, "components", 0, "options", 0, "value"),
        "BASE_TYPE_BAD_LENGTH",
    ),
    (
        "option description > 100",
        {"components": [_row(_option(description="x" * 101))]},
        ("components", 0, "components", 0, "options", 0, "description"),
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "placeholder > 150",
        {"components": [_row(_select(placeholder="x" * 151))]},
        ("components", 0, "components", 0, "placeholder"),
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "duplicate custom_id",
        {"components": [_row(_button("same")), _row(_select("same"))]},
        ("components", 1, "components", 0, "custom_id"),
        "COMPONENT_CUSTOM_ID_DUPLICATED",
    ),
    (
        "unknown button style",
        {"components": [_row(_button(style=9))]},
        ("components", 0, "components", 0, "style"),
        "BASE_TYPE_CHOICES",
    ),
    (
        "link button without url",
        {"components": [_row({"type": 2, "style": 5, "label": "Go"})]},
        ("components", 0, "components", 0, "url"),
        "BASE_TYPE_REQUIRED",
    ),
    (
        "link button with custom_id",
        {"components": [_row(_button(style=5, url="https://example.org"))]},
        ("components", 0, "components", 0, "custom_id"),
        "BUTTON_COMPONENT_CUSTOM_ID_NOT_ALLOWED",
    ),
    (
        "button without custom_id",
        {"components": [_row({"type": 2, "style": 1, "label": "Hi"})]},
        ("components", 0, "components", 0, "custom_id"),
        "BASE_TYPE_REQUIRED",
    ),
    (
        "button without label or emoji",
        {"components": [_row({"type": 2, "style": 1, "custom_id": "b"})]},
        ("components", 0, "components", 0),
        "BUTTON_COMPONENT_LABEL_OR_EMOJI_REQUIRED",
    ),
    ("nonce > 25", {"content": "hi", "nonce": "x" * 26}, ("nonce",), "BASE_TYPE_MAX_LENGTH"),
]


@pytest.mark.parametrize(
    ("body", "path", "code"),
    [r[1:] for r in MESSAGE_RULES],
    ids=[r[0] for r in MESSAGE_RULES],
)
async def test_channel_message_rules(
    discord_emulator: DiscordEmulator, api: Api, body: JSON, path: tuple[str, ...], code: str
) -> None:
    emu = discord_emulator
    general = emu.create_guild("G").channel("general")
    payload = {"content": "hello", **body}
    status, reply = await api.call("POST", f"/channels/{general.id}/messages", payload)
    assert status == 400
    assert code in error_at(reply, *path)
    assert emu.messages_in(general) == []


async def test_the_limits_themselves_are_accepted(
    discord_emulator: DiscordEmulator, api: Api
) -> None:
    emu = discord_emulator
    general = emu.create_guild("G").channel("general")
    body = {
        "content": "x" * 2000,
        "nonce": "n" * 25,
        "embeds": [
            _embed(
                title="t" * 256,
                description="d" * 1000,
                fields=_fields(2, name="n" * 256, value="v" * 1024),
                footer={"text": "f" * 500},
                author={"name": "a" * 256},
            )
        ],
        "components": [
            _row(*(_button(f"b{i}", label="l" * 80) for i in range(5))),
            _row(_select("s", options=25, placeholder="p" * 150, min_values=0, max_values=25)),
            _row({"type": 2, "style": 5, "label": "Go", "url": "https://example.org"}),
            _row({"type": 2, "style": 2, "custom_id": "e", "emoji": {"name": "🌷"}}),
        ],
    }
    status, reply = await api.call("POST", f"/channels/{general.id}/messages", body)
    assert status == 200, reply
    [stored] = emu.messages_in(general)
    assert len(stored.content) == 2000


async def test_empty_message_is_refused(discord_emulator: DiscordEmulator, api: Api) -> None:
    general = discord_emulator.create_guild("G").channel("general")
    status, reply = await api.call("POST", f"/channels/{general.id}/messages", {"content": ""})
    assert status == 400
    assert reply["code"] == ErrorCode.CANNOT_SEND_EMPTY_MESSAGE


async def test_edits_dms_and_threads_follow_the_same_rules(
    discord_emulator: DiscordEmulator, api: Api
) -> None:
    emu = discord_emulator
    guild = emu.create_guild("G")
    alice = emu.create_member(guild, "alice")
    general = guild.channel("general")
    status, sent = await api.call("POST", f"/channels/{general.id}/messages", {"content": "ok"})
    assert status == 200
    too_long = {"embeds": [_embed(title="x" * 257)]}
    status, reply = await api.call(
        "PATCH", f"/channels/{general.id}/messages/{sent['id']}", too_long
    )
    assert status == 400 and error_at(reply, "embeds", 0, "title") == ["BASE_TYPE_MAX_LENGTH"]
    assert emu.messages_in(general)[0].embeds == []

    status, dm = await api.call("POST", "/users/@me/channels", {"recipient_id": str(alice.id)})
    assert status == 200
    status, reply = await api.call(
        "POST", f"/channels/{dm['id']}/messages", {"content": "x" * 2001}
    )
    assert status == 400 and error_at(reply, "content") == ["BASE_TYPE_MAX_LENGTH"]
    assert emu.dms_to(alice) == []

    thread = emu.create_thread(general, "chat", owner=alice)
    status, reply = await api.call(
        "POST", f"/channels/{thread.id}/messages", {"content": "x" * 2001}
    )
    assert status == 400 and error_at(reply, "content") == ["BASE_TYPE_MAX_LENGTH"]


def _handle(emu: DiscordEmulator, guild: Guild, member: Member, kind: InteractionType) -> Any:
    return emu.interactions.new_handle(
        type=kind,
        description="probe",
        user=member.user,
        guild=guild,
        channel=guild.channel("general"),
        data={"id": "1", "name": "probe", "type": 1},
    )


async def _callback(api: Api, handle: Any, body: JSON) -> tuple[int, Any]:
    return await api.call("POST", f"/interactions/{handle.id}/{handle.token}/callback", body)


def _text_input(**extra: Any) -> JSON:
    return {"type": 4, "custom_id": "t", "style": 1, "label": "Name", **extra}


def _modal(**extra: Any) -> JSON:
    return {"title": "Form", "custom_id": "m", "components": [_row(_text_input())], **extra}


MODAL_RULES: list[tuple[str, JSON, tuple[str | int, ...], str]] = [
    ("title > 45", _modal(title="x" * 46), ("title",), "BASE_TYPE_BAD_LENGTH"),
    ("custom_id > 100", _modal(custom_id="x" * 101), ("custom_id",), "BASE_TYPE_BAD_LENGTH"),
    ("no rows", _modal(components=[]), ("components",), "BASE_TYPE_BAD_LENGTH"),
    (
        "6 rows",
        _modal(components=[_row(_text_input(custom_id=f"t{i}")) for i in range(6)]),
        ("components",),
        "BASE_TYPE_BAD_LENGTH",
    ),
    (
        "two inputs in a row",
        _modal(components=[_row(_text_input(), _text_input(custom_id="u"))]),
        ("components", 0, "components"),
        "BASE_TYPE_BAD_LENGTH",
    ),
    (
        "label > 45",
        _modal(components=[_row(_text_input(label="x" * 46))]),
        ("components", 0, "components", 0, "label"),
        "BASE_TYPE_BAD_LENGTH",
    ),
    (
        "missing label",
        _modal(components=[_row({"type": 4, "custom_id": "t", "style": 1})]),
        ("components", 0, "components", 0, "label"),
        "BASE_TYPE_REQUIRED",
    ),
    (
        "placeholder > 100",
        _modal(components=[_row(_text_input(placeholder="x" * 101))]),
        ("components", 0, "components", 0, "placeholder"),
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "value > 4000",
        _modal(components=[_row(_text_input(value="x" * 4001))]),
        ("components", 0, "components", 0, "value"),
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "min_length > 4000",
        _modal(components=[_row(_text_input(min_length=4001))]),
        ("components", 0, "components", 0, "min_length"),
        "NUMBER_TYPE_MAX",
    ),
    (
        "max_length > 4000",
        _modal(components=[_row(_text_input(max_length=4001))]),
        ("components", 0, "components", 0, "max_length"),
        "NUMBER_TYPE_MAX",
    ),
    (
        "Label component label > 45",
        _modal(components=[{"type": 18, "label": "x" * 46, "component": _text_input()}]),
        ("components", 0, "label"),
        "BASE_TYPE_BAD_LENGTH",
    ),
]


@pytest.mark.parametrize(
    ("data", "path", "code"), [r[1:] for r in MODAL_RULES], ids=[r[0] for r in MODAL_RULES]
)
async def test_modal_rules(
    discord_emulator: DiscordEmulator, api: Api, data: JSON, path: tuple[str, ...], code: str
) -> None:
    emu = discord_emulator
    guild = emu.create_guild("G")
    handle = _handle(emu, guild, emu.create_member(guild, "a"), InteractionType.APPLICATION_COMMAND)
    status, reply = await _callback(
        api, handle, {"type": InteractionResponseType.MODAL, "data": data}
    )
    assert status == 400
    assert code in error_at(reply, "data", *path)
    assert handle.modal is None and not handle.responded


def _choices(n: int, name: str = "c", value: Any = "v") -> list[JSON]:
    return [{"name": name, "value": value} for _ in range(n)]


AUTOCOMPLETE_RULES: list[tuple[str, list[JSON], tuple[str | int, ...], str]] = [
    ("26 choices", _choices(26), ("choices",), "BASE_TYPE_MAX_LENGTH"),
    ("empty name", _choices(1, name=""), ("choices", 0, "name"), "BASE_TYPE_BAD_LENGTH"),
    ("name > 100", _choices(1, name="x" * 101), ("choices", 0, "name"), "BASE_TYPE_BAD_LENGTH"),
    ("value > 100", _choices(1, value="x" * 101), ("choices", 0, "value"), "BASE_TYPE_MAX_LENGTH"),
]


@pytest.mark.parametrize(
    ("choices", "path", "code"),
    [r[1:] for r in AUTOCOMPLETE_RULES],
    ids=[r[0] for r in AUTOCOMPLETE_RULES],
)
async def test_autocomplete_rules(
    discord_emulator: DiscordEmulator,
    api: Api,
    choices: list[JSON],
    path: tuple[str, ...],
    code: str,
) -> None:
    emu = discord_emulator
    guild = emu.create_guild("G")
    handle = _handle(
        emu, guild, emu.create_member(guild, "a"), InteractionType.APPLICATION_COMMAND_AUTOCOMPLETE
    )
    body = {
        "type": InteractionResponseType.APPLICATION_COMMAND_AUTOCOMPLETE_RESULT,
        "data": {"choices": choices},
    }
    status, reply = await _callback(api, handle, body)
    assert status == 400
    assert code in error_at(reply, "data", *path)
    assert handle.choices is None


async def test_interaction_messages_follow_the_message_rules(
    discord_emulator: DiscordEmulator, api: Api
) -> None:
    emu = discord_emulator
    guild = emu.create_guild("G")
    alice = emu.create_member(guild, "alice")
    handle = _handle(emu, guild, alice, InteractionType.APPLICATION_COMMAND)
    message = InteractionResponseType.CHANNEL_MESSAGE_WITH_SOURCE
    status, reply = await _callback(api, handle, {"type": message, "data": {"content": "x" * 2001}})
    assert status == 400 and error_at(reply, "data", "content") == ["BASE_TYPE_MAX_LENGTH"]
    assert not handle.responded

    status, _ = await _callback(api, handle, {"type": message, "data": {"content": "hi"}})
    assert status == 204
    hook = f"/webhooks/{emu.application_id}/{handle.token}"
    bad_embed = {"embeds": [_embed(fields=_fields(1, value="x" * 1025))]}
    status, reply = await api.call("PATCH", f"{hook}/messages/@original", bad_embed)
    assert status == 400
    assert error_at(reply, "embeds", 0, "fields", 0, "value") == ["BASE_TYPE_MAX_LENGTH"]
    status, reply = await api.call("POST", hook, {"components": [_row(_select(options=0))]})
    assert status == 400
    assert error_at(reply, "components", 0, "components", 0, "options") == ["BASE_TYPE_BAD_LENGTH"]
    assert [m.content for m in handle.messages] == ["hi"]


def _command(**extra: Any) -> JSON:
    return {"name": "ping", "description": "Ping", "type": 1, **extra}


def _opt(name: str = "who", **extra: Any) -> JSON:
    return {"type": 3, "name": name, "description": "Who", **extra}


def _sub(name: str = "sub", options: list[JSON] | None = None, kind: int = 1) -> JSON:
    return {"type": kind, "name": name, "description": "Sub", "options": options or []}


COMMAND_RULES: list[tuple[str, list[JSON], tuple[str | int, ...], str]] = [
    ("uppercase name", [_command(name="Ping")], (0, "name"), "APPLICATION_COMMAND_INVALID_NAME"),
    ("space in name", [_command(name="a b")], (0, "name"), "APPLICATION_COMMAND_INVALID_NAME"),
    ("name > 32", [_command(name="x" * 33)], (0, "name"), "BASE_TYPE_BAD_LENGTH"),
    ("empty description", [_command(description="")], (0, "description"), "BASE_TYPE_BAD_LENGTH"),
    (
        "description > 100",
        [_command(description="x" * 101)],
        (0, "description"),
        "BASE_TYPE_BAD_LENGTH",
    ),
    (
        "26 options",
        [_command(options=[_opt(f"o{i}") for i in range(26)])],
        (0, "options"),
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "26 choices",
        [_command(options=[_opt(choices=_choices(26))])],
        (0, "options", 0, "choices"),
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "choice name > 100",
        [_command(options=[_opt(choices=_choices(1, name="x" * 101))])],
        (0, "options", 0, "choices", 0, "name"),
        "BASE_TYPE_BAD_LENGTH",
    ),
    (
        "required after optional",
        [_command(options=[_opt("a"), _opt("b", required=True)])],
        (0, "options", 1),
        "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
    ),
    (
        "option name invalid",
        [_command(options=[_opt("Who")])],
        (0, "options", 0, "name"),
        "APPLICATION_COMMAND_INVALID_NAME",
    ),
    (
        "duplicate option names",
        [_command(options=[_opt("a"), _opt("a")])],
        (0, "options", 1, "name"),
        "APPLICATION_COMMAND_OPTION_NAME_ALREADY_EXISTS",
    ),
    (
        "subcommand mixed with a value option",
        [_command(options=[_sub(), _opt()])],
        (0, "options"),
        "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
    ),
    (
        "group inside a group",
        [_command(options=[_sub("g", [_sub("h", [_sub()], kind=2)], kind=2)])],
        (0, "options", 0, "options", 0, "type"),
        "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
    ),
    (
        "required after optional inside a subcommand",
        [_command(options=[_sub(options=[_opt("a"), _opt("b", required=True)])])],
        (0, "options", 0, "options", 1),
        "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
    ),
    (
        "duplicate command names",
        [_command(), _command()],
        (1, "name"),
        "APPLICATION_COMMANDS_DUPLICATE_NAME",
    ),
]


@pytest.mark.parametrize(
    ("commands", "path", "code"),
    [r[1:] for r in COMMAND_RULES],
    ids=[r[0] for r in COMMAND_RULES],
)
async def test_command_registration_rules(
    discord_emulator: DiscordEmulator,
    api: Api,
    commands: list[JSON],
    path: tuple[str, ...],
    code: str,
) -> None:
    emu = discord_emulator
    status, reply = await api.call("PUT", f"/applications/{emu.application_id}/commands", commands)
    assert status == 400
    assert code in error_at(reply, *path)
    assert emu.commands() == {}


async def test_valid_nested_commands_register(discord_emulator: DiscordEmulator, api: Api) -> None:
    emu = discord_emulator
    body = [
        _command(
            name="setup",
            options=[
                _sub("group", [_sub("leaf", [_opt("a", required=True), _opt("b")])], kind=2),
                _sub("other"),
            ],
        ),
        {"type": 3, "name": "Appreciate"},
    ]
    status, reply = await api.call("PUT", f"/applications/{emu.application_id}/commands", body)
    assert status == 200, reply
    assert set(emu.commands()) == {"setup", "Appreciate"}


async def test_discord_py_reports_the_field_path(
    discord_emulator: DiscordEmulator, run_bot: BotRunner
) -> None:
    emu = discord_emulator
    guild = emu.create_guild("G")
    bot = await run_bot(guild.id)
    channel = bot.get_channel(guild.channel("general").id)
    assert isinstance(channel, discord.TextChannel)
    embed = discord.Embed(title="Digest").add_field(name="Top", value="x" * 1025)
    with pytest.raises(discord.HTTPException) as info:
        await channel.send(embed=embed)
    assert info.value.status == 400 and info.value.code == ErrorCode.INVALID_FORM_BODY
    assert "In embeds.0.fields.0.value: Must be 1024 or fewer in length." in info.value.text
    with pytest.raises(discord.HTTPException) as info:
        await channel.send("x" * 2001)
    assert "In content: Must be 2000 or fewer in length." in info.value.text
    assert emu.messages_in(guild.channel("general")) == []


THREAD_RULES: list[tuple[str, JSON, tuple[str | int, ...], str]] = [
    ("empty name", {"name": ""}, ("name",), "BASE_TYPE_BAD_LENGTH"),
    ("name > 100", {"name": "x" * 101}, ("name",), "BASE_TYPE_BAD_LENGTH"),
    ("text channel type", {"name": "t", "type": 0}, ("type",), "BASE_TYPE_CHOICES"),
    (
        "archive after 2 days",
        {"name": "t", "auto_archive_duration": 2880},
        ("auto_archive_duration",),
        "BASE_TYPE_CHOICES",
    ),
    (
        "slowmode over 6 hours",
        {"name": "t", "rate_limit_per_user": 21601},
        ("rate_limit_per_user",),
        "NUMBER_TYPE_MAX",
    ),
]


@pytest.mark.parametrize(
    ("body", "path", "code"), [r[1:] for r in THREAD_RULES], ids=[r[0] for r in THREAD_RULES]
)
async def test_thread_rules(
    discord_emulator: DiscordEmulator, api: Api, body: JSON, path: tuple[str, ...], code: str
) -> None:
    guild = discord_emulator.create_guild("G")
    general = guild.channel("general")
    status, reply = await api.call("POST", f"/channels/{general.id}/threads", body)
    assert status == 400
    assert code in error_at(reply, *path)
    assert guild.threads == []


async def test_bad_snowflake_and_response_type(discord_emulator: DiscordEmulator, api: Api) -> None:
    emu = discord_emulator
    status, reply = await api.call("POST", "/channels/general/messages", {"content": "hi"})
    assert status == 400 and error_at(reply, "channel_id") == ["NUMBER_TYPE_COERCE"]
    guild = emu.create_guild("G")
    handle = _handle(emu, guild, emu.create_member(guild, "a"), InteractionType.APPLICATION_COMMAND)
    autocomplete = InteractionResponseType.APPLICATION_COMMAND_AUTOCOMPLETE_RESULT
    status, reply = await _callback(api, handle, {"type": autocomplete, "data": {"choices": []}})
    assert status == 400 and error_at(reply, "type") == ["BASE_TYPE_CHOICES"]
    assert not handle.responded


async def test_allowed_mentions_decide_who_is_pinged(
    discord_emulator: DiscordEmulator, api: Api
) -> None:
    """Naming someone in the content pings them only as ``allowed_mentions`` lets
    through; the message object's ``mentions`` lists only who was pinged."""
    emu = discord_emulator
    guild = emu.create_guild("G")
    alice, bob = emu.create_member(guild, "alice"), emu.create_member(guild, "bob")
    general = guild.channel("general")
    content = f"Hello <@{alice.id}> and <@!{bob.id}>"
    cases: list[tuple[JSON | None, list[int]]] = [
        (None, [alice.id, bob.id]),  # a regular message parses everything by default
        ({"parse": []}, []),
        ({"parse": ["users"]}, [alice.id, bob.id]),
        ({"users": [str(bob.id)]}, [bob.id]),
        ({"parse": ["roles"], "users": []}, []),
    ]
    for allowed, expected in cases:
        body: JSON = {"content": content}
        if allowed is not None:
            body["allowed_mentions"] = allowed
        status, sent = await api.call("POST", f"/channels/{general.id}/messages", body)
        assert status == 200, sent
        assert [int(u["id"]) for u in sent["mentions"]] == expected, allowed
        stored = emu.messages_in(general)[-1]
        assert stored.mention_ids == expected
        assert stored.named_ids == [alice.id, bob.id]
    # An edit is parsed again under its own allowed_mentions.
    status, edited = await api.call(
        "PATCH",
        f"/channels/{general.id}/messages/{sent['id']}",
        {"content": content, "allowed_mentions": {"users": [str(alice.id)]}},
    )
    assert status == 200 and [int(u["id"]) for u in edited["mentions"]] == [alice.id]
    # One that leaves the text alone keeps them.
    status, edited = await api.call(
        "PATCH", f"/channels/{general.id}/messages/{sent['id']}", {"embeds": [_embed()]}
    )
    assert status == 200 and [int(u["id"]) for u in edited["mentions"]] == [alice.id]


async def test_allowed_mentions_are_validated(discord_emulator: DiscordEmulator, api: Api) -> None:
    general = discord_emulator.create_guild("G").channel("general")
    url = f"/channels/{general.id}/messages"
    both = {"content": "hi", "allowed_mentions": {"parse": ["users"], "users": ["1"]}}
    status, reply = await api.call("POST", url, both)
    assert status == 400
    assert error_at(reply, "allowed_mentions") == ["MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE"]
    [refusal] = reply["errors"]["allowed_mentions"]["_errors"]
    assert refusal["message"] == 'parse:["users"] and users: [ids...] are mutually exclusive.'
    many = {"content": "hi", "allowed_mentions": {"users": [str(i) for i in range(1, 102)]}}
    status, reply = await api.call("POST", url, many)
    assert status == 400
    assert error_at(reply, "allowed_mentions", "users") == ["BASE_TYPE_MAX_LENGTH"]
    odd = {"content": "hi", "allowed_mentions": {"parse": ["members"]}}
    status, reply = await api.call("POST", url, odd)
    assert status == 400
    assert error_at(reply, "allowed_mentions", "parse", 0) == ["BASE_TYPE_CHOICES"]
    assert discord_emulator.messages_in(general) == []


async def test_an_interaction_reply_pings_users_but_no_roles_by_default(
    discord_emulator: DiscordEmulator, api: Api
) -> None:
    emu = discord_emulator
    guild = emu.create_guild("G")
    alice = emu.create_member(guild, "alice")
    helpers = emu.create_role(guild, "helpers", mentionable=True)
    content = f"<@{alice.id}> and <@&{helpers.id}>"
    handle = _handle(emu, guild, alice, InteractionType.APPLICATION_COMMAND)
    message = InteractionResponseType.CHANNEL_MESSAGE_WITH_SOURCE
    status, _ = await _callback(api, handle, {"type": message, "data": {"content": content}})
    assert status == 204
    reply = handle.final_message()
    assert reply is not None
    assert (reply.mention_ids, reply.mention_role_ids) == ([alice.id], [])
    general = guild.channel("general")
    status, _ = await api.call("POST", f"/channels/{general.id}/messages", {"content": content})
    assert status == 200
    posted = emu.messages_in(general)[-1]
    assert (posted.mention_ids, posted.mention_role_ids) == ([alice.id], [helpers.id])
