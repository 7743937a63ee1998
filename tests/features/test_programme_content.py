"""A server's own content folder (KINDBOT_CONTENT_DIR) can reword programmes and places."""

from __future__ import annotations

from pathlib import Path

from bot.wiring import Services


async def test_the_content_folder_rewords_programmes_and_replaces_places(tmp_path: Path) -> None:
    own = tmp_path / "content"
    own.mkdir()
    (own / "programmes.toml").write_text(
        '[programmes]\nfind_time_button = "Pick a time"\n', encoding="utf-8"
    )
    (own / "places.toml").write_text(
        '[[place]]\nid = "library"\nlabel = "Library"\nsuggestion = "the town library café"\n',
        encoding="utf-8",
    )
    (own / "region_neighbours.toml").write_text(
        '[neighbours]\nlondon = ["south-east"]\n', encoding="utf-8"
    )
    services = Services.build(tmp_path / "kb.sqlite3", content_dir=own)
    assert services.programme_texts("programmes.find_time_button") == "Pick a time"
    # Messages the folder leaves out keep their shipped wording.
    assert services.programme_texts("programmes.button_join") == "Join"
    assert [p.id for p in services.programmes.places] == ["library"]
    assert services.programmes.neighbours == {"london": ("south-east",)}


async def test_without_a_content_folder_the_shipped_files_are_used(tmp_path: Path) -> None:
    services = Services.build(tmp_path / "kb.sqlite3")
    assert services.programme_texts("programmes.find_time_button") == "Find a time"
    assert len(services.programmes.places) > 1
    assert "london" in services.programmes.neighbours
