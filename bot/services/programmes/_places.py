"""In person: kinds of place, neighbouring regions and tables per region."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.repos.programmes import (
    ProgrammeCandidate,
)
from bot.resources import prompts_dir
from bot.services.content import ContentLibrary
from bot.services.programmes._values import (
    MAX_LABEL_LENGTH,
    MAX_SUGGESTION_LENGTH,
)
from bot.services.prompts import seeded_choice


@dataclass(frozen=True)
class Place:
    id: str
    label: str
    suggestion: str


@dataclass(frozen=True)
class RegionOffer:
    """Members of a region too small for a table, and what they are offered instead."""

    region_id: str | None
    user_ids: tuple[int, ...]
    neighbour: str | None = None
    online_programme_id: int | None = None


@dataclass(frozen=True)
class RegionPlan:
    tables: dict[str, tuple[ProgrammeCandidate, ...]]
    offers: tuple[RegionOffer, ...] = field(default_factory=tuple)


class PlacesError(Exception):
    """places.toml or region_neighbours.toml cannot be used; the bot must not start."""


def _chosen(name: str, path: Path | None, override_dir: Path | None) -> Path:
    """The file to read: the given one, else the content folder's own, else the shipped one."""
    if path is not None:
        return path
    if override_dir is not None and (override_dir / name).is_file():
        return override_dir / name
    return prompts_dir() / name


def load_places(path: Path | None = None, *, override_dir: Path | None = None) -> tuple[Place, ...]:
    file = _chosen("places.toml", path, override_dir)
    data = _read_toml(file)
    tables = data.get("place")
    if not isinstance(tables, list) or not tables:
        raise PlacesError(f"{file.name}: has no [[place]] entries")
    places: list[Place] = []
    for index, table in enumerate(tables, start=1):
        if not isinstance(table, dict) or set(table) != {"id", "label", "suggestion"}:
            raise PlacesError(f"{file.name}: place #{index} needs exactly id, label and suggestion")
        values = [table["id"], table["label"], table["suggestion"]]
        if not all(isinstance(v, str) and v.strip() for v in values):
            raise PlacesError(f"{file.name}: place #{index} has an empty or non-text value")
        place_id, label, suggestion = (str(v).strip() for v in values)
        if len(label) > MAX_LABEL_LENGTH or len(suggestion) > MAX_SUGGESTION_LENGTH:
            raise PlacesError(f"{file.name}: place #{index} ({place_id!r}) is too long")
        if any(p.id == place_id for p in places):
            raise PlacesError(f"{file.name}: place #{index} reuses id {place_id!r}")
        places.append(Place(place_id, label, suggestion))
    return tuple(places)


def load_region_neighbours(
    content: ContentLibrary, path: Path | None = None, *, override_dir: Path | None = None
) -> dict[str, tuple[str, ...]]:
    """Each region's neighbours, nearest first, checked against regions.toml."""
    file = _chosen("region_neighbours.toml", path, override_dir)
    data = _read_toml(file)
    if set(data) != {"neighbours"} or not isinstance(data["neighbours"], dict):
        raise PlacesError(f"{file.name}: expected one [neighbours] table")
    known = {r.id for r in content.regions}
    result: dict[str, tuple[str, ...]] = {}
    for region, near in data["neighbours"].items():
        if region not in known:
            raise PlacesError(f"{file.name}: {region!r} is not a region in regions.toml")
        if not isinstance(near, list) or not all(isinstance(n, str) for n in near):
            raise PlacesError(f"{file.name}: {region!r} should list region ids in quotes")
        for other in near:
            if other not in known:
                raise PlacesError(f"{file.name}: {region!r} lists unknown region {other!r}")
            if other == region:
                raise PlacesError(f"{file.name}: {region!r} lists itself")
        if len(set(near)) != len(near):
            raise PlacesError(f"{file.name}: {region!r} lists a region twice")
        result[region] = tuple(near)
    return result


def _read_toml(file: Path) -> dict[str, object]:
    try:
        return tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise PlacesError(f"{file.name}: cannot be read ({exc})") from exc


def partition_by_region(
    candidates: Sequence[ProgrammeCandidate],
    group_size: int,
    neighbours: Mapping[str, Sequence[str]],
    online_programme_id: int | None,
) -> RegionPlan:
    """Split an in-person round by region; a region with fewer than ``group_size``
    members gets an offer: the nearest listed neighbour that has a table, or else
    the online programme (None when the server runs none)."""
    by_region: dict[str | None, list[ProgrammeCandidate]] = {}
    for candidate in candidates:
        by_region.setdefault(candidate.region_id, []).append(candidate)
    tables = {
        region: tuple(members)
        for region, members in by_region.items()
        if region is not None and len(members) >= group_size
    }
    offers: list[RegionOffer] = []
    for region, members in sorted(by_region.items(), key=lambda item: item[0] or "\uffff"):
        if region in tables:
            continue
        ids = tuple(m.user_id for m in members)
        near = next((n for n in neighbours.get(region or "", ()) if n in tables), None)
        if near is not None:
            offers.append(RegionOffer(region, ids, neighbour=near))
        else:
            offers.append(RegionOffer(region, ids, online_programme_id=online_programme_id))
    return RegionPlan(tables, tuple(offers))


def offer_message(
    offer: RegionOffer, names: Mapping[str, str], programme_name: str | None
) -> tuple[str, dict[str, str]]:
    """The message (key, placeholders) for members of a region too small for a table.

    ``names`` maps region ids to labels; ``programme_name`` is the online programme's.
    """
    if offer.neighbour is not None:
        return "programmes.offer_neighbour", {"region": names.get(offer.neighbour, offer.neighbour)}
    if offer.online_programme_id is not None and programme_name:
        return "programmes.offer_online", {"programme": programme_name}
    return "programmes.offer_none", {}


def place_message(place: Place) -> tuple[str, dict[str, str]]:
    """The introduction's line suggesting a kind of place."""
    return "programmes.place_suggestion", {"suggestion": place.suggestion}


def choose_place(places: Sequence[Place], guild_id: int, meeting_id: int) -> Place:
    """The kind of place suggested to one meeting: the same one every time."""
    chosen = seeded_choice([p.id for p in places], "place", guild_id, meeting_id)
    return next(p for p in places if p.id == chosen)
