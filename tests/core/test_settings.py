from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest

from bot.logging_setup import configure_logging
from bot.settings import DEFAULT_DB_PATH, SettingsError, load_settings

TOKEN = "MTAxMjM0NTY3ODkwMTIzNDU2Nzg5.GabCdE.abcdefghijklmnopqrstuvwxyz0123456789AB"


def test_defaults_when_nothing_is_set() -> None:
    settings = load_settings({}, env_file=None)
    assert settings.token is None
    assert settings.db_path == DEFAULT_DB_PATH
    assert settings.log_level == "INFO"
    assert settings.dev_guild is None
    assert settings.catch_up_grace == timedelta(hours=24)
    assert settings.discord_api is None


def test_reads_env_file_and_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(f"DISCORD_TOKEN={TOKEN}\nLOG_LEVEL=debug\nKINDBOT_DB=from-file.db\n")
    settings = load_settings({"KINDBOT_DB": "from-env.db"}, env_file=env_file)
    assert settings.token is not None and settings.token.reveal() == TOKEN
    assert settings.log_level == "DEBUG"
    assert settings.db_path == Path("from-env.db")


def test_token_is_never_shown_in_repr() -> None:
    settings = load_settings({"DISCORD_TOKEN": TOKEN}, env_file=None)
    assert TOKEN not in repr(settings)
    assert TOKEN not in str(settings.token)
    assert TOKEN not in f"{settings}"


@pytest.mark.parametrize(
    ("name", "value", "hint"),
    [
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL must be one of"),
        ("KINDBOT_DEV_GUILD", "my-server", "server ID"),
        ("KINDBOT_DEV_GUILD", "12", "server ID"),
        ("KINDBOT_CATCH_UP_HOURS", "-3", "number of hours"),
        ("KINDBOT_CATCH_UP_HOURS", "soon", "number of hours"),
        ("KINDBOT_DISCORD_API", "https://discord.com", "only for the local emulator"),
        ("KINDBOT_CLOCK_START", "2026-01-05T09:00:00", "UTC offset"),
    ],
)
def test_bad_values_give_one_clear_line(name: str, value: str, hint: str) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings({name: value}, env_file=None)
    message = str(raised.value)
    assert hint in message
    assert "\n" not in message
    assert TOKEN not in message


@pytest.mark.parametrize(
    ("value", "hint"),
    [("Bot " + TOKEN, "without the prefix"), ("not a token", "does not look like a bot token")],
)
def test_malformed_token_is_refused_only_when_needed(value: str, hint: str) -> None:
    settings = load_settings({"DISCORD_TOKEN": value}, env_file=None)
    with pytest.raises(SettingsError) as raised:
        settings.require_token()
    assert hint in str(raised.value)
    assert "\n" not in str(raised.value)
    assert TOKEN not in str(raised.value)


@pytest.mark.parametrize(
    ("name", "value", "hint"),
    [
        ("LOG_FORMAT", "xml", "LOG_FORMAT must be text or json"),
        ("KINDBOT_BACKUPS", "maybe", "KINDBOT_BACKUPS must be on or off"),
    ],
)
def test_bad_choices_give_one_clear_line(name: str, value: str, hint: str) -> None:
    with pytest.raises(SettingsError, match=hint):
        load_settings({name: value}, env_file=None)


def test_backup_settings(tmp_path: Path) -> None:
    default = load_settings({"KINDBOT_DB": str(tmp_path / "kb.sqlite3")}, env_file=None)
    assert default.backups is True
    assert default.backup_dir == tmp_path / "backups"
    chosen = load_settings(
        {"KINDBOT_BACKUP_DIR": str(tmp_path / "elsewhere"), "KINDBOT_BACKUPS": "OFF"},
        env_file=None,
    )
    assert chosen.backups is False
    assert chosen.backup_dir == tmp_path / "elsewhere"


def test_named_env_file_must_exist(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="does not exist"):
        load_settings({}, env_file=tmp_path / "missing.env", required_env_file=True)
    assert load_settings({}, env_file=tmp_path / "missing.env").token is None


def test_db_path_that_is_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="points at a folder"):
        load_settings({"KINDBOT_DB": str(tmp_path)}, env_file=None)


def test_missing_token_is_explained_when_needed() -> None:
    settings = load_settings({}, env_file=None)
    with pytest.raises(SettingsError, match="DISCORD_TOKEN is not set"):
        settings.require_token()


def test_logging_redacts_the_token(capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    configure_logging(logging.INFO, secrets=[TOKEN])
    try:
        try:
            raise RuntimeError(f"login failed with {TOKEN}")
        except RuntimeError:
            logging.getLogger("kindbot.test").exception("Oops %s", TOKEN)
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved_handlers:
            root.addHandler(handler)
        root.setLevel(saved_level)
    err = capsys.readouterr().err
    assert "Oops [redacted]" in err
    assert "login failed with [redacted]" in err
    assert TOKEN not in err
