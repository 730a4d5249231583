"""Saved views: kept per user in a small SQLite file, listed, reopened by their link, deleted; a
damaged file is set aside (never lost) and a new one started."""

import sqlite3

import pytest

from lib.brief.views import ViewStore
from lib.errors import BadInputError


@pytest.fixture
def store(tmp_path):
    return ViewStore(tmp_path / "state" / "views.db")


def test_a_saved_view_round_trips_and_reopens_by_its_link(store):
    saved = store.save("  Hanoi sanctions ", "search", "q=sanctions+relief&k=4&source=CNN&source=Asia+Times")
    assert saved.name == "Hanoi sanctions" and saved.created
    [listed] = store.views()
    assert listed == saved
    assert listed.link == "./search?q=sanctions+relief&k=4&source=CNN&source=Asia+Times"
    assert listed.params == {"q": ["sanctions relief"], "k": ["4"], "source": ["CNN", "Asia Times"]}
    assert store.get("Hanoi sanctions") == saved
    store.delete("Hanoi sanctions")
    assert store.views() == []
    with pytest.raises(BadInputError, match="nothing was deleted"):
        store.delete("Hanoi sanctions")


def test_saving_a_name_again_replaces_that_view(store):
    store.save("Deadline", "timeline", "min_sources=2")
    store.save("Deadline", "timeline", "min_sources=1&entity=Kim+Jong+Un")
    [view] = store.views()
    assert view.params == {"min_sources": ["1"], "entity": ["Kim Jong Un"]}


def test_each_user_sees_only_their_own_views(store):
    store.save("Mine", "search", "q=missile", user="ana@example.org")
    store.save("Mine", "stance", "claims=Talks+failed", user="ben@example.org")
    store.save("Team", "timeline", "", user="")
    assert [(v.name, v.page) for v in store.views("ana@example.org")] == [("Mine", "search")]
    assert [(v.name, v.page) for v in store.views("ben@example.org")] == [("Mine", "stance")]
    assert [v.name for v in store.views("")] == ["Team"]
    assert len(store.views(None)) == 3  # the operator's list: everyone's
    store.delete("Mine", "ana@example.org")
    assert store.get("Mine", "ben@example.org").page == "stance"
    with pytest.raises(BadInputError, match="No saved view is called 'Mine'"):
        store.get("Mine", "ana@example.org")


@pytest.mark.parametrize(
    ("name", "message"),
    [("   ", "Give the view a name"), ("x" * 81, "under 80"), ("two\nlines", "line breaks")],
)
def test_unusable_names_are_refused_with_a_reason(store, name, message):
    with pytest.raises(BadInputError, match=message):
        store.save(name, "search", "q=x")
    assert store.views() == []


def test_an_unknown_view_lists_the_saved_names(store):
    with pytest.raises(BadInputError, match="None is saved yet"):
        store.get("Nope")
    store.save("Alpha", "search", "q=a")
    with pytest.raises(BadInputError, match="Saved: 'Alpha'"):
        store.get("Nope")


@pytest.mark.parametrize(
    "damage",
    [
        b"this is not a database at all, just text someone wrote here" * 20,
        "truncated",
        "foreign table",
    ],
)
def test_a_damaged_database_is_set_aside_and_reported_never_lost(store, damage):
    store.save("Before", "search", "q=before")
    if damage == "truncated":
        data = store.path.read_bytes()
        store.path.write_bytes(data[:1000] + b"\x00garbage" * 200)
    elif damage == "foreign table":
        store.path.unlink()
        with sqlite3.connect(store.path) as db:
            db.execute("CREATE TABLE views (id INTEGER, payload BLOB)")
    else:
        store.path.write_bytes(damage)
    broken = store.path.read_bytes()

    fresh = ViewStore(store.path)
    assert fresh.views() == []  # a new, empty database
    assert fresh.set_aside is not None and fresh.set_aside.read_bytes() == broken  # kept as it was
    assert fresh.set_aside.name.startswith("views.db.damaged-")
    assert "was damaged" in fresh.damage_note and str(fresh.set_aside) in fresh.damage_note
    fresh.save("After", "search", "q=after")
    assert [v.name for v in ViewStore(store.path).views()] == ["After"]
    assert ViewStore(store.path).damage_note == ""  # once set aside, the new file is sound


def test_a_folder_in_the_way_is_an_error_not_damage(tmp_path):
    (tmp_path / "views.db").mkdir()
    store = ViewStore(tmp_path / "views.db")
    with pytest.raises(BadInputError, match="DOSSIER_VIEWS"):
        store.views()
    assert (tmp_path / "views.db").is_dir() and store.set_aside is None


def test_listing_never_creates_the_file_and_an_unwritable_place_is_a_clear_error(tmp_path):
    store = ViewStore(tmp_path / "nowhere" / "views.db")
    assert store.views() == [] and not (tmp_path / "nowhere").exists()
    (tmp_path / "a-file").write_text("in the way")
    blocked = ViewStore(tmp_path / "a-file" / "views.db")  # its folder would have to be a file
    with pytest.raises(BadInputError, match="Cannot use the saved views file .*DOSSIER_VIEWS"):
        blocked.save("View", "search", "q=x")
