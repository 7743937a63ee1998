"""HTTP plumbing for the emulated REST API: routing, auth, errors, rate limits, failures.

Routes are matched against Discord's own path templates so failures can be injected
by template and unimplemented routes can be reported by a readable name.
"""

from __future__ import annotations

import enum
import hashlib
import json
import logging
import math
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web
from multidict import MultiMapping

from sandbox.constants import ErrorCode

log = logging.getLogger(__name__)

JSON = dict[str, Any]


class DiscordHTTPError(Exception):
    """Raised by handlers; rendered as Discord's ``{"message": ..., "code": ...}`` body."""

    def __init__(self, status: int, code: int, message: str, errors: JSON | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        #: Discord's nested ``errors`` object for Invalid Form Body (50035) replies.
        self.errors = errors

    def body(self) -> JSON:
        out: JSON = {"message": self.message, "code": self.code}
        if self.errors is not None:
            out["errors"] = self.errors
        return out

    @classmethod
    def missing_permissions(cls) -> DiscordHTTPError:
        return cls(403, ErrorCode.MISSING_PERMISSIONS, "Missing Permissions")

    @classmethod
    def missing_access(cls) -> DiscordHTTPError:
        return cls(403, ErrorCode.MISSING_ACCESS, "Missing Access")

    @classmethod
    def cannot_dm(cls) -> DiscordHTTPError:
        return cls(403, ErrorCode.CANNOT_DM_USER, "Cannot send messages to this user")

    @classmethod
    def unknown(cls, what: str) -> DiscordHTTPError:
        codes = {
            "channel": ErrorCode.UNKNOWN_CHANNEL,
            "guild": ErrorCode.UNKNOWN_GUILD,
            "member": ErrorCode.UNKNOWN_MEMBER,
            "message": ErrorCode.UNKNOWN_MESSAGE,
            "role": ErrorCode.UNKNOWN_ROLE,
            "user": ErrorCode.UNKNOWN_USER,
            "webhook": ErrorCode.UNKNOWN_WEBHOOK,
            "interaction": ErrorCode.UNKNOWN_INTERACTION,
            "application command": ErrorCode.UNKNOWN_APPLICATION_COMMAND,
        }
        return cls(404, codes[what], f"Unknown {what.title()}")

    @classmethod
    def form_error(cls, path: tuple[str | int, ...], code: str, message: str) -> DiscordHTTPError:
        """A one-field Invalid Form Body (50035) error at ``path``."""
        errors: JSON = {}
        node = errors
        for part in path:
            node = node.setdefault(str(part), {})
        node["_errors"] = [{"code": code, "message": message}]
        return cls(400, ErrorCode.INVALID_FORM_BODY, "Invalid Form Body", errors=errors)


@dataclass
class UploadedFile:
    filename: str
    data: bytes
    content_type: str | None


@dataclass
class Request:
    """A parsed REST call as handlers see it."""

    method: str
    path: str
    template: str
    params: dict[str, str]
    query: MultiMapping[str]
    body: Any
    files: dict[int, UploadedFile]
    headers: MultiMapping[str]

    def snowflake(self, name: str) -> int:
        try:
            return int(self.params[name])
        except ValueError:
            raise DiscordHTTPError.form_error(
                (name,), "NUMBER_TYPE_COERCE", f'Value "{self.params[name]}" is not snowflake.'
            ) from None

    def json(self) -> JSON:
        if not isinstance(self.body, dict):
            return {}
        return self.body


@dataclass
class Reply:
    status: int = 200
    body: Any = None

    @classmethod
    def no_content(cls) -> Reply:
        return cls(204, None)


Handler = Callable[[Request], Awaitable[Reply]]


@dataclass
class Route:
    method: str
    template: str
    handler: Handler
    auth: bool
    ratelimited: bool
    pattern: re.Pattern[str] = field(init=False)

    def __post_init__(self) -> None:
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(self.template))
        self.pattern = re.compile(f"^{regex}$")

    @property
    def name(self) -> str:
        return f"{self.method} {self.template}"


class FailureMode(enum.Enum):
    """How an injected failure shows itself to the client."""

    #: Answer with the rule's status and body; the request has no effect.
    RESPOND = "respond"
    #: Let the request take effect (message stored, thread created...), then drop the
    #: connection without an answer, as when a response is lost on the way back. A call
    #: that fails (403, 429...) is answered normally and does not spend the rule.
    STORE_THEN_DROP = "store_then_drop"


@dataclass
class FailureRule:
    """An injected failure; see :meth:`DiscordEmulator.inject_failure`."""

    method: str
    route: str | re.Pattern[str]
    status: int
    times: int
    retry_after: float
    is_global: bool
    code: int | None
    message: str | None
    mode: FailureMode = FailureMode.RESPOND
    hits: int = 0

    def matches(self, method: str, template: str, path: str) -> bool:
        if self.hits >= self.times:
            return False
        if self.method not in ("*", method):
            return False
        if isinstance(self.route, re.Pattern):
            return self.route.search(path) is not None
        return self.route in (template, path)

    @property
    def exhausted(self) -> bool:
        return self.hits >= self.times


@dataclass
class RequestRecord:
    """One REST call as received, for assertions on what the bot did."""

    method: str
    path: str
    template: str
    status: int
    body: Any
    injected: bool = False

    @property
    def route(self) -> str:
        return f"{self.method} {self.template}"


@dataclass
class _Bucket:
    window_start: float
    used: int = 0


@dataclass
class RateLimitPolicy:
    """Per-route-bucket limits reported in X-RateLimit headers and enforced with 429s."""

    limit: int = 50
    window: float = 1.0


_SNOWFLAKE = re.compile(r"^\d{15,21}$")


def route_name_for(method: str, path: str) -> str:
    """A readable template for an unknown path (snowflakes → {id}, tokens → {token})."""
    parts = path.split("/")
    out: list[str] = []
    for i, part in enumerate(parts):
        if _SNOWFLAKE.match(part):
            out.append("{id}")
        elif i >= 3 and parts[i - 2] in ("webhooks", "interactions") and part:
            out.append("{token}")
        else:
            out.append(part)
    return f"{method} {'/'.join(out)}"


class Router:
    """Matches requests, applies Discord's cross-cutting behaviour, and records everything."""

    def __init__(self, *, token_check: Callable[[str | None], bool]) -> None:
        self.routes: list[Route] = []
        self.failures: list[FailureRule] = []
        self.requests: list[RequestRecord] = []
        self.unhandled: list[str] = []
        self.rate_limit = RateLimitPolicy()
        self._buckets: dict[str, _Bucket] = {}
        self._token_check = token_check
        self.on_request: Callable[[], None] = lambda: None

    def add(
        self,
        method: str,
        template: str,
        handler: Handler,
        *,
        auth: bool = True,
        ratelimited: bool = True,
    ) -> None:
        self.routes.append(Route(method, template, handler, auth, ratelimited))

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:
            if route.method != method:
                continue
            m = route.pattern.match(path)
            if m is not None:
                return route, m.groupdict()
        return None

    async def handle(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        method = request.method
        found = self.match(method, path)
        if found is None:
            name = route_name_for(method, path)
            log.error("unimplemented Discord route %s (%s)", name, path)
            self.unhandled.append(name)
            self._record(method, path, name.split(" ", 1)[1], 501, None)
            return _json_response(
                501, {"message": f"Emulator does not implement {name}", "code": ErrorCode.GENERAL}
            )
        route, params = found

        if route.auth and not self._token_check(request.headers.get("Authorization")):
            self._record(method, path, route.template, 401, None)
            return _json_response(401, {"message": "401: Unauthorized", "code": ErrorCode.GENERAL})

        try:
            body, files = await _read_body(request)
        except ValueError as exc:
            return _json_response(400, {"message": str(exc), "code": ErrorCode.INVALID_JSON})

        drop: FailureRule | None = None
        for rule in self.failures:
            if rule.matches(method, route.template, path):
                if rule.mode is FailureMode.STORE_THEN_DROP:
                    # Spent only once the call has taken effect (see below).
                    drop = rule
                    break
                rule.hits += 1
                self._record(method, path, route.template, rule.status, body, injected=True)
                log.info("injecting %s into %s", rule.status, route.name)
                return _failure_response(rule, route)

        headers: dict[str, str] = {}
        if route.ratelimited:
            limited, headers = self._take_bucket(route, params)
            if limited is not None:
                self._record(method, path, route.template, 429, body)
                return limited

        req = Request(
            method=method,
            path=path,
            template=route.template,
            params=params,
            query=request.query,
            body=body,
            files=files,
            headers=request.headers,
        )
        try:
            reply = await route.handler(req)
        except DiscordHTTPError as err:
            self._record(method, path, route.template, err.status, body)
            return _json_response(err.status, err.body(), headers=headers)
        self._record(method, path, route.template, reply.status, body, injected=drop is not None)
        if drop is not None:
            drop.hits += 1
            log.info("dropping the connection after %s", route.name)
            _abort(request)
        if reply.status == 204:
            return web.Response(status=204, headers=headers)
        return _json_response(reply.status, reply.body, headers=headers)

    def _record(
        self, method: str, path: str, template: str, status: int, body: Any, injected: bool = False
    ) -> None:
        self.requests.append(RequestRecord(method, path, template, status, body, injected))
        self.on_request()

    def _take_bucket(
        self, route: Route, params: dict[str, str]
    ) -> tuple[web.Response | None, dict[str, str]]:
        major = next(
            (params[k] for k in ("channel_id", "guild_id", "webhook_id") if k in params), ""
        )
        bucket_hash = hashlib.sha1(route.name.encode()).hexdigest()[:16]
        key = f"{bucket_hash}:{major}"
        now = time.monotonic()
        policy = self.rate_limit
        bucket = self._buckets.get(key)
        if bucket is None or now - bucket.window_start >= policy.window:
            bucket = self._buckets[key] = _Bucket(window_start=now)
        reset_after = max(policy.window - (now - bucket.window_start), 0.001)
        if bucket.used >= policy.limit:
            rule = FailureRule("*", route.template, 429, 1, reset_after, False, None, None)
            return _failure_response(rule, route, bucket_hash=bucket_hash), {}
        bucket.used += 1
        headers = {
            "X-RateLimit-Bucket": bucket_hash,
            "X-RateLimit-Limit": str(policy.limit),
            "X-RateLimit-Remaining": str(policy.limit - bucket.used),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
        }
        return None, headers


def _abort(request: web.Request) -> None:
    """Closes the client's connection at once, so it never reads an answer."""
    transport = request.transport
    if transport is not None:
        transport.abort()


def _failure_response(
    rule: FailureRule, route: Route, *, bucket_hash: str | None = None
) -> web.Response:
    status = rule.status
    if status == 429:
        bucket_hash = bucket_hash or hashlib.sha1(route.name.encode()).hexdigest()[:16]
        headers = {
            "Via": "1.1 google",
            "Retry-After": str(max(1, math.ceil(rule.retry_after))),
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": f"{time.time() + rule.retry_after:.3f}",
            "X-RateLimit-Reset-After": f"{rule.retry_after:.3f}",
            "X-RateLimit-Bucket": bucket_hash,
            "X-RateLimit-Scope": "global" if rule.is_global else "user",
        }
        if rule.is_global:
            headers["X-RateLimit-Global"] = "true"
        body: JSON = {
            "message": rule.message or "You are being rate limited.",
            "retry_after": rule.retry_after,
            "global": rule.is_global,
        }
        if rule.code is not None:
            body["code"] = rule.code
        return _json_response(429, body, headers=headers)
    if status >= 500:
        reason = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}
        default = f"{status}: {reason.get(status, 'Server Error')}"
        return _json_response(
            status, {"message": rule.message or default, "code": rule.code or ErrorCode.GENERAL}
        )
    defaults = {
        403: (ErrorCode.MISSING_PERMISSIONS, "Missing Permissions"),
        404: (ErrorCode.UNKNOWN_CHANNEL, "Unknown Channel"),
        400: (ErrorCode.INVALID_FORM_BODY, "Invalid Form Body"),
    }
    code, message = defaults.get(status, (ErrorCode.GENERAL, f"{status}"))
    return _json_response(
        status,
        {"message": rule.message or message, "code": code if rule.code is None else rule.code},
    )


def _json_response(
    status: int, body: Any, *, headers: dict[str, str] | None = None
) -> web.Response:
    # aiohttp's json_response appends "; charset=utf-8" and discord.py then treats the
    # body as text, so the header must be exactly "application/json".
    resp = web.Response(status=status, text=json.dumps(body), headers=headers)
    resp.content_type = "application/json"
    resp.charset = None
    return resp


async def _read_body(request: web.Request) -> tuple[Any, dict[int, UploadedFile]]:
    files: dict[int, UploadedFile] = {}
    if not request.can_read_body:
        return None, files
    ctype = request.content_type
    if ctype.startswith("multipart/"):
        body: Any = None
        reader = await request.multipart()
        while True:
            part = await reader.next()
            if part is None:
                break
            if not isinstance(part, BodyPartReader):
                continue
            name = part.name or ""
            data = await part.read(decode=False)
            if name == "payload_json":
                body = json.loads(data.decode("utf-8"))
                continue
            m = re.fullmatch(r"files\[(\d+)\]|file(\d*)", name)
            if m is None:
                raise ValueError(f"unexpected multipart field {name!r}")
            index = int(m.group(1) or m.group(2) or 0)
            files[index] = UploadedFile(
                filename=part.filename or f"file{index}",
                data=bytes(data),
                content_type=part.headers.get("Content-Type"),
            )
        return body, files
    raw = await request.read()
    if not raw:
        return None, files
    try:
        return json.loads(raw), files
    except json.JSONDecodeError:
        raise ValueError("The request body contains invalid JSON.") from None
