"""Typed settings read from the environment and an optional ``.env`` file.

Every problem becomes a :class:`SettingsError` with one line that says what to do,
so the command line can print it and exit with code 2 instead of a traceback.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from dotenv import dotenv_values

DEFAULT_DB_PATH = Path("data/kindbot.sqlite3")
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{3,}\.[A-Za-z0-9_\-]{10,}$")


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line for a human."""


class Secret:
    """A string that never shows itself in ``repr``, ``str`` or f-strings."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class Settings:
    """Everything kindbot needs to know before it starts."""

    token: Secret | None
    db_path: Path
    log_level: str = "INFO"
    dev_guild: int | None = None
    catch_up_grace: timedelta = timedelta(hours=24)
    discord_api: str | None = None
    clock_start: datetime | None = None
    content_dir: Path | None = None  # wording files that override the shipped ones
    log_format: str = "text"
    backups: bool = True
    backup_dir_setting: Path | None = None

    @property
    def backup_dir(self) -> Path:
        """Where the daily backups go: ``KINDBOT_BACKUP_DIR`` or ``backups`` beside the DB."""
        if self.backup_dir_setting is not None:
            return self.backup_dir_setting
        return self.db_path.parent / "backups"

    def require_token(self) -> Secret:
        """The token, checked only by the commands that connect to Discord."""
        if self.token is None:
            raise SettingsError(
                "DISCORD_TOKEN is not set: put your bot token in a .env file or the "
                "environment (see 'Create the Discord application' in the README)."
            )
        _check_token(self.token.reveal())
        return self.token


def load_settings(
    environ: Mapping[str, str] | None = None,
    env_file: Path | None = Path(".env"),
    *,
    required_env_file: bool = False,
) -> Settings:
    """Read settings; values in the environment win over those in ``env_file``.

    A missing ``env_file`` is skipped, unless ``required_env_file`` (it was named
    on the command line). ``DISCORD_TOKEN`` is only checked by :meth:`Settings.require_token`.
    """
    values: dict[str, str] = {}
    if env_file is not None and required_env_file and not env_file.is_file():
        raise SettingsError(f"the settings file {env_file} does not exist.")
    if env_file is not None and env_file.is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ if environ is None else environ)

    def get(name: str) -> str | None:
        raw = values.get(name)
        if raw is None or not raw.strip():
            return None
        return raw.strip()

    return Settings(
        token=Secret(token) if (token := get("DISCORD_TOKEN")) else None,
        db_path=_parse_db_path(get("KINDBOT_DB")),
        log_level=_parse_log_level(get("LOG_LEVEL")),
        dev_guild=_parse_snowflake("KINDBOT_DEV_GUILD", get("KINDBOT_DEV_GUILD")),
        catch_up_grace=_parse_hours("KINDBOT_CATCH_UP_HOURS", get("KINDBOT_CATCH_UP_HOURS")),
        discord_api=_parse_api(get("KINDBOT_DISCORD_API")),
        clock_start=_parse_clock(get("KINDBOT_CLOCK_START")),
        log_format=_parse_choice("LOG_FORMAT", get("LOG_FORMAT"), ("text", "json")),
        backups=_parse_choice("KINDBOT_BACKUPS", get("KINDBOT_BACKUPS"), ("on", "off")) == "on",
        backup_dir_setting=_parse_backup_dir(get("KINDBOT_BACKUP_DIR")),
        content_dir=_parse_content_dir(get("KINDBOT_CONTENT_DIR")),
    )


def _check_token(raw: str) -> None:
    if raw.lower().startswith("bot "):
        raise SettingsError(
            "DISCORD_TOKEN starts with 'Bot ': paste only the token itself, without the prefix."
        )
    if not _TOKEN_SHAPE.match(raw):
        raise SettingsError(
            "DISCORD_TOKEN does not look like a bot token: copy it again from the Bot page "
            "of your application in the Discord Developer Portal."
        )


def _parse_db_path(raw: str | None) -> Path:
    path = Path(raw).expanduser() if raw else DEFAULT_DB_PATH
    if path.exists() and path.is_dir():
        raise SettingsError(f"KINDBOT_DB points at a folder ({path}): give a file path instead.")
    return path


def _parse_choice(name: str, raw: str | None, choices: tuple[str, ...]) -> str:
    if raw is None:
        return choices[0]
    if raw.lower() not in choices:
        raise SettingsError(f"{name} must be {' or '.join(choices)} (got {raw!r}).")
    return raw.lower()


def _parse_backup_dir(raw: str | None) -> Path | None:
    if raw is None:
        return None
    path = Path(raw).expanduser()
    if path.exists() and not path.is_dir():
        raise SettingsError(f"KINDBOT_BACKUP_DIR points at a file ({path}): give a folder.")
    return path


def _parse_log_level(raw: str | None) -> str:
    if raw is None:
        return "INFO"
    level = raw.upper()
    if level not in _LOG_LEVELS:
        raise SettingsError(f"LOG_LEVEL must be one of {', '.join(_LOG_LEVELS)} (got {raw!r}).")
    return level


def _parse_snowflake(name: str, raw: str | None) -> int | None:
    if raw is None:
        return None
    if not raw.isdigit() or not 15 <= len(raw) <= 21:
        raise SettingsError(
            f"{name} must be a server ID (a long number; right-click the server with "
            f"Developer Mode on and choose 'Copy Server ID'), got {raw!r}."
        )
    return int(raw)


def _parse_hours(name: str, raw: str | None) -> timedelta:
    if raw is None:
        return timedelta(hours=24)
    try:
        hours = float(raw)
    except ValueError:
        hours = -1.0
    if not 0 <= hours <= 24 * 14:
        raise SettingsError(f"{name} must be a number of hours from 0 to 336 (got {raw!r}).")
    return timedelta(hours=hours)


def _parse_api(raw: str | None) -> str | None:
    if raw is None:
        return None
    if not re.match(r"^http://(127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d+/?$", raw):
        raise SettingsError(
            "KINDBOT_DISCORD_API is only for the local emulator and must look like "
            f"http://127.0.0.1:PORT (got {raw!r}); leave it unset to use Discord."
        )
    return raw.rstrip("/")


def _parse_clock(raw: str | None) -> datetime | None:
    if raw is None:
        return None
    try:
        when = datetime.fromisoformat(raw)
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise SettingsError(
            "KINDBOT_CLOCK_START must be an ISO date-time with a UTC offset, "
            f"like 2026-01-05T09:00:00+00:00 (got {raw!r})."
        )
    return when


def _parse_content_dir(raw: str | None) -> Path | None:
    if raw is None:
        return None
    path = Path(raw).expanduser()
    if not path.is_dir():
        raise SettingsError(
            f"KINDBOT_CONTENT_DIR must be a folder of wording files ({path} is not one); "
            "'kindbot content export FOLDER' makes one to start from."
        )
    return path


def level_number(settings: Settings) -> int:
    return logging.getLevelNamesMapping()[settings.log_level]
