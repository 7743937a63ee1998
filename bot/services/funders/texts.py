"""The report's wording and published figures, from ``prompts/report/funders.toml``."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.resources import prompts_dir

REPORT_FOLDER = "report"
TEXTS_FILE = "funders.toml"
TEMPLATE_FILE = "report.html.j2"


class FundersContentError(Exception):
    """The report's wording or template cannot be used; the message says which and why."""


@dataclass(frozen=True)
class Published:
    """A national figure shown as context beside a pulse question."""

    question: str
    value: float
    label: str
    source: str


@dataclass(frozen=True)
class FundersTexts:
    sections: Mapping[str, Mapping[str, str]]
    published: tuple[Published, ...]

    def __call__(self, section: str, key: str, **values: object) -> str:
        try:
            template = self.sections[section][key]
        except KeyError:
            raise FundersContentError(f"{TEXTS_FILE}: [{section}] needs the text '{key}'") from None
        return template.format(**values) if values else template

    def text(self, key: str, **values: object) -> str:
        return self("text", key, **values)

    def column(self, key: str, **values: object) -> str:
        return self("column", key, **values)

    def figure(self, key: str, **values: object) -> str:
        return self("figure", key, **values)


def report_folders(override_dir: Path | None = None) -> list[Path]:
    """Where templates are looked for: the override's ``report/`` first, then the shipped one."""
    folders = [prompts_dir() / REPORT_FOLDER]
    if override_dir is not None and (override_dir / REPORT_FOLDER).is_dir():
        folders.insert(0, override_dir / REPORT_FOLDER)
    return folders


def load_funders_texts(override_dir: Path | None = None) -> FundersTexts:
    """Read ``funders.toml``, from the override folder's ``report/`` when it has one."""
    file = next(
        (f / TEXTS_FILE for f in report_folders(override_dir) if (f / TEXTS_FILE).is_file()),
        prompts_dir() / REPORT_FOLDER / TEXTS_FILE,
    )
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise FundersContentError(f"{file}: cannot be read ({exc.strerror or exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise FundersContentError(f"{file}: is not valid TOML ({exc})") from exc
    return parse_funders_texts(data, file.name)


def parse_funders_texts(data: Mapping[str, Any], name: str = TEXTS_FILE) -> FundersTexts:
    sections: dict[str, dict[str, str]] = {}
    for section in ("text", "column", "figure", "kind"):
        table = data.get(section)
        if not isinstance(table, Mapping):
            raise FundersContentError(f"{name}: the [{section}] table is missing")
        for key, value in table.items():
            if not isinstance(value, str) or not value.strip():
                raise FundersContentError(f"{name}: [{section}] '{key}' must be some text")
        sections[section] = {k: v.strip() for k, v in table.items()}
    published: list[Published] = []
    for index, raw in enumerate(data.get("published", []), start=1):
        if not isinstance(raw, Mapping):
            raise FundersContentError(f"{name}: published figure {index} must be a table")
        value = raw.get("value")
        fields = [raw.get(k) for k in ("question", "label", "source")]
        if not isinstance(value, int | float) or not all(isinstance(f, str) and f for f in fields):
            raise FundersContentError(
                f"{name}: published figure {index} needs question, value, label and source"
            )
        published.append(Published(str(fields[0]), float(value), str(fields[1]), str(fields[2])))
    return FundersTexts(sections, tuple(published))
