"""The emulated Discord gateway (websocket): HELLO, heartbeats, IDENTIFY/RESUME, dispatch.

Events are sequenced per session and written by one writer task per connection, so
the bot sees them in exactly the order the emulator produced them.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from sandbox import payloads
from sandbox.constants import GatewayClose, GatewayOp

if TYPE_CHECKING:
    from sandbox.core import EmulatorCore

log = logging.getLogger(__name__)


class Intent:
    """Gateway intent bits that decide which events the emulator sends."""

    GUILDS = 1 << 0
    GUILD_MEMBERS = 1 << 1
    GUILD_PRESENCES = 1 << 8
    GUILD_MESSAGES = 1 << 9
    DIRECT_MESSAGES = 1 << 12
    MESSAGE_CONTENT = 1 << 15
    PRIVILEGED = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT


HEARTBEAT_INTERVAL_MS = 41_250
BACKLOG = 2_000


@dataclass
class Session:
    """A gateway session; survives reconnects so RESUME can replay missed events."""

    session_id: str
    intents: int
    seq: int = 0
    backlog: deque[tuple[int, str]] = field(default_factory=lambda: deque(maxlen=BACKLOG))
    outbox: asyncio.Queue[tuple[int, str] | None] = field(default_factory=asyncio.Queue)
    connected: bool = False
    written_seq: int = 0
    identify_seq: int = 0

    def push(self, op: int, event: str | None, data: Any) -> None:
        seq = 0
        if op == GatewayOp.DISPATCH:
            self.seq += 1
            seq = self.seq
            frame = json.dumps({"op": GatewayOp.DISPATCH, "t": event, "s": seq, "d": data})
            self.backlog.append((seq, frame))
        else:
            frame = json.dumps({"op": op, "t": None, "s": None, "d": data})
        if self.connected:
            self.outbox.put_nowait((seq, frame))


class Gateway:
    """Serves ``/gateway`` and fans out dispatches to identified sessions."""

    def __init__(self, emu: EmulatorCore) -> None:
        self.emu = emu
        self.sessions: dict[str, Session] = {}
        self.identify_count = 0
        self.resume_count = 0
        #: The interval sent in HELLO; a benchmark may shorten it to watch the bot's loop.
        self.heartbeat_interval_ms = HEARTBEAT_INTERVAL_MS
        #: When each heartbeat arrived (monotonic seconds), for loop-lag measurements.
        self.heartbeats: list[float] = []
        self.identified_intents: int | None = None
        self._sockets: set[web.WebSocketResponse] = set()
        self.on_change: Callable[[], None] = lambda: None

    @property
    def active(self) -> list[Session]:
        return [s for s in self.sessions.values() if s.connected]

    def dispatch(self, event: str, data: Any, *, intent: int | None) -> None:
        for session in self.sessions.values():
            if intent is not None and not session.intents & intent:
                continue
            session.push(GatewayOp.DISPATCH, event, data)

    async def close_all(self, code: int = GatewayClose.GOING_AWAY) -> None:
        for ws in list(self._sockets):
            await ws.close(code=code, message=b"emulator stopping")

    async def disconnect(self, *, code: int = GatewayClose.UNKNOWN_ERROR) -> None:
        """Drops every socket (as Discord does on a gateway restart); sessions stay resumable."""
        await self.close_all(code)

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        self._sockets.add(ws)
        session: Session | None = None
        writer: asyncio.Task[None] | None = None
        try:
            await ws.send_str(
                json.dumps(
                    {
                        "op": GatewayOp.HELLO,
                        "t": None,
                        "s": None,
                        "d": {"heartbeat_interval": self.heartbeat_interval_ms, "_trace": ["emu"]},
                    }
                )
            )
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    if msg.type == WSMsgType.BINARY:
                        await ws.close(
                            code=GatewayClose.DECODE_ERROR, message=b"Error while decoding payload."
                        )
                    continue
                try:
                    frame = json.loads(msg.data)
                    op = frame["op"]
                    data = frame.get("d")
                except (ValueError, KeyError, TypeError):
                    await ws.close(
                        code=GatewayClose.DECODE_ERROR, message=b"Error while decoding payload."
                    )
                    break
                if op == GatewayOp.HEARTBEAT:
                    self.heartbeats.append(time.monotonic())
                    await ws.send_str(
                        json.dumps({"op": GatewayOp.HEARTBEAT_ACK, "t": None, "s": None, "d": None})
                    )
                elif op == GatewayOp.IDENTIFY:
                    if session is not None:
                        await ws.close(
                            code=GatewayClose.ALREADY_AUTHENTICATED,
                            message=b"Already authenticated.",
                        )
                        break
                    session = await self._identify(ws, data)
                    if session is None:
                        break
                    writer = asyncio.create_task(self._writer(ws, session))
                elif op == GatewayOp.RESUME:
                    session = self._resume(data)
                    if session is None:
                        await ws.send_str(
                            json.dumps(
                                {"op": GatewayOp.INVALID_SESSION, "t": None, "s": None, "d": False}
                            )
                        )
                        continue
                    writer = asyncio.create_task(self._writer(ws, session))
                elif op == GatewayOp.REQUEST_GUILD_MEMBERS:
                    if session is None:
                        await ws.close(
                            code=GatewayClose.NOT_AUTHENTICATED, message=b"Not authenticated."
                        )
                        break
                    self._request_members(session, data)
                elif op in (GatewayOp.PRESENCE_UPDATE, GatewayOp.VOICE_STATE_UPDATE):
                    continue
                else:
                    await ws.close(code=GatewayClose.UNKNOWN_OPCODE, message=b"Unknown opcode.")
                    break
        finally:
            self._sockets.discard(ws)
            if session is not None:
                session.connected = False
                session.outbox.put_nowait(None)
            if writer is not None:
                try:
                    await asyncio.wait_for(writer, 1.0)
                except (TimeoutError, asyncio.CancelledError):
                    writer.cancel()
            self.on_change()
        return ws

    async def _writer(self, ws: web.WebSocketResponse, session: Session) -> None:
        while True:
            item = await session.outbox.get()
            if item is None or ws.closed:
                return
            seq, frame = item
            try:
                await ws.send_str(frame)
            except ConnectionError:
                return
            if seq:
                session.written_seq = seq
                self.on_change()

    async def _identify(self, ws: web.WebSocketResponse, data: Any) -> Session | None:
        emu = self.emu
        if not isinstance(data, dict) or data.get("token") != emu.bot_token:
            await ws.close(
                code=GatewayClose.AUTHENTICATION_FAILED, message=b"Authentication failed."
            )
            return None
        intents = int(data.get("intents", 0))
        if intents & Intent.PRIVILEGED & ~emu.privileged_intents:
            await ws.close(code=GatewayClose.DISALLOWED_INTENTS, message=b"Disallowed intent(s).")
            return None
        for old in list(self.sessions.values()):
            if not old.connected:
                del self.sessions[old.session_id]
        session = Session(session_id=secrets.token_hex(16), intents=intents)
        session.connected = True
        self.sessions[session.session_id] = session
        self.identify_count += 1
        self.identified_intents = intents
        guilds = [g for g in emu.world.guilds.values() if emu.bot_user.id in g.members]
        ready = {
            "v": 10,
            "user": payloads.client_user(emu.bot_user),
            "user_settings": {},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": emu.ws_url,
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["rotterdam"],
            "auth": {},
            "application": {"id": str(emu.application_id), "flags": emu.application_flags},
            "_trace": ["emu"],
        }
        shard = data.get("shard")
        if shard is not None:
            ready["shard"] = shard
        session.push(GatewayOp.DISPATCH, "READY", ready)
        if intents & Intent.GUILDS:
            for g in guilds:
                session.push(GatewayOp.DISPATCH, "GUILD_CREATE", self.guild_create(g, intents))
        session.identify_seq = session.seq
        self.on_change()
        log.info("bot identified (intents=%s, %d guilds)", intents, len(guilds))
        return session

    def guild_create(self, guild: Any, intents: int) -> dict[str, Any]:
        return payloads.guild(
            guild,
            bot_id=self.emu.bot_user.id,
            include_all_members=bool(intents & Intent.GUILD_PRESENCES),
        )

    def _resume(self, data: Any) -> Session | None:
        if not isinstance(data, dict) or data.get("token") != self.emu.bot_token:
            return None
        session = self.sessions.get(str(data.get("session_id")))
        if session is None or session.connected:
            return None
        seq = int(data.get("seq") or 0)
        if session.backlog and session.backlog[0][0] > seq + 1:
            return None
        session.outbox = asyncio.Queue()
        session.connected = True
        for frame_seq, frame in session.backlog:
            if frame_seq > seq:
                session.outbox.put_nowait((frame_seq, frame))
        session.push(GatewayOp.DISPATCH, "RESUMED", {"_trace": ["emu"]})
        self.resume_count += 1
        self.on_change()
        return session

    def _request_members(self, session: Session, data: Any) -> None:
        if not isinstance(data, dict):
            return
        guild = self.emu.world.guilds.get(int(data.get("guild_id", 0)))
        if guild is None:
            return
        query = str(data.get("query") or "")
        limit = int(data.get("limit") or 0)
        user_ids = [int(u) for u in data.get("user_ids") or []]
        members = list(guild.members.values())
        not_found: list[str] = []
        if user_ids:
            not_found = [str(u) for u in user_ids if u not in guild.members]
            members = [m for m in members if m.user.id in user_ids]
        elif query:
            q = query.lower()
            members = [
                m
                for m in members
                if m.user.username.lower().startswith(q) or (m.nick or "").lower().startswith(q)
            ]
            members = members[: limit or 100]
        elif limit:
            members = members[:limit]
        chunks = [members[i : i + 1000] for i in range(0, len(members), 1000)] or [[]]
        for index, chunk in enumerate(chunks):
            body: dict[str, Any] = {
                "guild_id": str(guild.id),
                "members": [payloads.member(m) for m in chunk],
                "chunk_index": index,
                "chunk_count": len(chunks),
            }
            if not_found and index == 0:
                body["not_found"] = not_found
            if data.get("nonce"):
                body["nonce"] = data["nonce"]
            session.push(GatewayOp.DISPATCH, "GUILD_MEMBERS_CHUNK", body)
