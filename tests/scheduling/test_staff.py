"""Staff scheduling pages over HTTP: rooms, the time grid, the draft editor and its
moves (HTML and JSON), locks, solver runs, releases; and the presenters' page for
the times they cannot present."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import pytest
from flask_babel import force_locale, gettext

from summit.core.audit import AuditEntry
from summit.extensions import db
from summit.proposals.models import Presenter, Proposal
from summit.scheduling import queries, services
from summit.scheduling.models import (
    Placement,
    Room,
    ScheduleSettings,
    SolveRun,
    TimeSlot,
    Unavailability,
)
from summit.summits.queries import get_summit_by_slug
from tests.conftest import PASSWORD
from tests.scheduling.builders import (
    DAY_ONE,
    DAY_TWO,
    add_room,
    add_session,
    add_slot,
    make_schedule_summit,
    person,
)

SLUG = "2027"
STAFF = f"/{SLUG}/staff"
EDITOR = f"{STAFF}/schedule"
PRESENTER_PASSWORD = "long enough pw"  # the builders' presenters
CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@dataclass(frozen=True)
class World:
    """Codes of summit 2027's grid: two rooms, two session slots and a lunch break on
    day one, and three confirmed sessions, none placed yet."""

    big: str  # Hall A, 200 seats, hearing loop and projector
    small: str  # Room 101, 20 seats
    first: str  # 09:00–10:00
    second: str  # 10:30–11:30
    lunch: str  # 12:00–13:00, a break
    family: str  # "Family nights", 10 expected
    voice: str  # "Student voice", 10 expected, a lead and a co-presenter
    crowd: str  # "Big ideas", 150 expected: too many for Room 101
    lead: str  # email of the lead of "Student voice"
    co: str  # email of its co-presenter

    def cell(self, slot: str, room: str) -> str:
        return f"{getattr(self, slot)}:{getattr(self, room)}"


@pytest.fixture
def world(app) -> World:
    with app.test_request_context():
        summit = make_schedule_summit(SLUG)
        big = add_room(summit, "Hall A", capacity=200, features=["hearing_loop", "projector"])
        small = add_room(summit, "Room 101", capacity=20)
        first = add_slot(summit, (9, 0), (10, 0))
        second = add_slot(summit, (10, 30), (11, 30))
        lunch = add_slot(summit, (12, 0), (13, 0), kind="break", label="Lunch")
        services.get_settings(summit).time_limit = 1
        lead, co = person("Lena Lead"), person("Cole Copresenter")
        family = add_session(summit, "Family nights")
        voice = add_session(summit, "Student voice", owner=lead, co=(co,))
        crowd = add_session(summit, "Big ideas", audience=150)
        db.session.commit()
        return World(
            big=big.code,
            small=small.code,
            first=first.code,
            second=second.code,
            lunch=lunch.code,
            family=family.code,
            voice=voice.code,
            crowd=crowd.code,
            lead=lead.email,
            co=co.email,
        )


@pytest.fixture
def staff(world, login_as) -> str:
    return login_as("staff")


# --- helpers -------------------------------------------------------------------------


def _text(response) -> str:
    return response.get_data(as_text=True)


def _in(app, locale: str, msgid: str, **values) -> str:
    """``msgid`` as the app renders it in ``locale``."""
    with app.test_request_context(), force_locale(locale):
        return gettext(msgid, **values)


def followed(client, response) -> str:
    """The page a redirect leads to, as text (where the flash message shows)."""
    assert response.status_code in (302, 303), _text(response)[:500]
    return html.unescape(_text(client.get(response.headers["Location"])))


def in_context(app, work):
    with app.test_request_context():
        return work(get_summit_by_slug(SLUG))


def placement_of(app, code: str) -> dict:
    """Where a session is in the draft: cell codes (or None), revision, lock, warning."""

    def read(summit):
        p = services.get_placement(summit, code)
        db.session.commit()
        cell = f"{p.slot.code}:{p.room.code}" if p.slot_id else None
        return {"cell": cell, "revision": p.revision, "locked": p.is_locked, "warning": p.warning}

    return in_context(app, read)


def place(app, code: str, slot: str, room: str) -> None:
    def work(summit):
        placement = services.get_placement(summit, code)
        target = {s.code: s for s in queries.list_slots(summit)}[slot]
        where = {r.code: r for r in queries.list_rooms(summit)}[room]
        services.move_session(
            summit, placement, slot=target, room=where, revision=placement.revision, actor=None
        )
        db.session.commit()

    in_context(app, work)


def cells(page: str) -> dict[str, list[str]]:
    """The editor grid: cell value → session codes shown in it."""
    found = {}
    for cell, body in re.findall(
        r'<td class="drop-target" data-cell="([^"]*)">(.*?)</td>', page, re.S
    ):
        found[cell] = re.findall(r'data-code="([^"]+)"', body)
    return found


def unplaced_codes(page: str) -> list[str]:
    match = re.search(r'<div class="unplaced-list[^"]*" data-cell="">(.*?)</section>', page, re.S)
    return re.findall(r'data-code="([^"]+)"', match.group(1)) if match else []


def audit_actions(app, action: str) -> list[tuple]:
    """(object id, before, after) of each audit entry for ``action``, oldest first."""
    with app.app_context():
        query = db.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        entries = list(db.session.scalars(query))
        return [(e.object_id, e.before, e.after) for e in entries]


def move_data(cell: str, revision: int, **extra) -> dict:
    return {"cell": cell, "revision": str(revision), "accept_warnings": "", **extra}


def room_form(**overrides) -> dict:
    data = {
        "name": "Library",
        "building": "Main",
        "floor": "2",
        "capacity": "60",
        "features": ["projector", "step_free"],
        "notes": "Quiet room",
        "position": "3",
        "is_active": "y",
    }
    return {**data, **overrides}


def slot_form(day=DAY_ONE, start="14:00", end="15:00", **overrides) -> dict:
    data = {
        "day": day.isoformat(),
        "start": start,
        "end": end,
        "kind": "session",
        "label_en": "",
        "label_es": "",
    }
    return {**data, **overrides}


# --- who may open the staff pages ----------------------------------------------------


@pytest.fixture
def run_and_version(app, world) -> tuple[str, int]:
    """A solver run (not executed) and a released version, for the pages that show them."""
    place(app, world.family, world.first, world.big)

    def work(summit):
        run = services.start_run(summit, actor=None)
        version = services.release(summit, actor=None).version
        db.session.commit()
        return run.public_id, version.number

    return in_context(app, work)


def staff_requests(world, run_id: str, number: int) -> list[tuple[str, str]]:
    session = f"{EDITOR}/sessions/{world.family}"
    run = f"{EDITOR}/runs/{run_id}"
    return [
        ("GET", f"{STAFF}/rooms"),
        ("GET", f"{STAFF}/rooms/new"),
        ("POST", f"{STAFF}/rooms/new"),
        ("GET", f"{STAFF}/rooms/{world.big}"),
        ("POST", f"{STAFF}/rooms/{world.big}"),
        ("GET", f"{STAFF}/slots"),
        ("GET", f"{STAFF}/slots/new"),
        ("POST", f"{STAFF}/slots/new"),
        ("GET", f"{STAFF}/slots/{world.first}"),
        ("POST", f"{STAFF}/slots/{world.first}"),
        ("POST", f"{STAFF}/slots/{world.first}/delete"),
        ("GET", EDITOR),
        ("GET", f"{session}/move"),
        ("POST", f"{session}/move"),
        ("POST", f"{session}/lock"),
        ("POST", f"{session}/unlock"),
        ("GET", session),
        ("POST", session),
        ("POST", f"{EDITOR}/settings"),
        ("POST", f"{EDITOR}/solve"),
        ("GET", run),
        ("GET", f"{run}.json"),
        ("POST", f"{run}/apply"),
        ("POST", f"{run}/discard"),
        ("POST", f"{EDITOR}/release"),
        ("GET", f"{EDITOR}/versions/{number}"),
    ]


@pytest.mark.parametrize("role", ["reviewer", "door", None])
def test_staff_pages_other_roles_are_forbidden_and_change_nothing(
    app, client, world, run_and_version, login_as, role
):
    login_as(role)
    before = placement_of(app, world.family)

    answers = {
        (method, path): client.open(path, method=method, data={"revision": "0"}).status_code
        for method, path in staff_requests(world, *run_and_version)
    }

    assert set(answers.values()) == {403}, answers
    assert placement_of(app, world.family) == before
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(TimeSlot.id))) == 3
        assert db.session.scalar(db.select(SolveRun.state)) == "running"


def test_staff_pages_anonymous_is_sent_to_log_in(client, world, run_and_version):
    answers = {
        (method, path): client.open(path, method=method)
        for method, path in staff_requests(world, *run_and_version)
    }

    for (_method, path), response in answers.items():
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/account/login"), path


def test_staff_pages_admin_without_a_role_gets_in(client, world, login_as):
    login_as(admin=True)

    assert "Schedule draft" in _text(client.get(EDITOR))


# --- rooms ---------------------------------------------------------------------------


def test_new_room_is_saved_with_features_and_listed(app, client, staff):
    response = client.post(f"{STAFF}/rooms/new", data=room_form())

    assert response.status_code == 302
    with app.app_context():
        room = db.session.scalar(db.select(Room).where(Room.name == "Library"))
        assert (room.capacity, room.features, room.floor, room.position, room.is_active) == (
            60,
            ["projector", "step_free"],
            "2",
            3,
            True,
        )
    page = followed(client, response)
    assert "Room saved." in page
    assert "Library" in page and "Main, floor 2" in page
    assert "Projector and screen, Step-free access" in page
    assert "room.create" in _text(client.get(f"{STAFF}/audit"))


def test_edit_room_changes_seats_and_features(app, client, world, staff):
    page = _text(client.get(f"{STAFF}/rooms/{world.small}"))
    assert 'value="Room 101"' in page and 'value="20"' in page

    response = client.post(
        f"{STAFF}/rooms/{world.small}",
        data=room_form(name="Room 101", capacity="25", features=["hearing_loop"], is_active=""),
    )

    assert response.status_code == 302
    with app.app_context():
        room = db.session.scalar(db.select(Room).where(Room.code == world.small))
        assert (room.capacity, room.features, room.is_active) == (25, ["hearing_loop"], False)
    assert [a[0] for a in audit_actions(app, "room.update")] == [world.small]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": "   "}, "This field is required."),
        ({"capacity": "-5"}, "Number must be between 0 and 100000."),
        ({"capacity": "lots"}, "Not a valid integer value."),
        ({"features": ["projector", "jacuzzi"]}, "Unknown."),
    ],
    ids=["empty-name", "negative-capacity", "capacity-not-a-number", "unknown-feature"],
)
def test_new_room_bad_input_shows_the_error_and_keeps_typed_values(
    app, client, login_as, overrides, message
):
    login_as("staff")
    data = room_form(building="East wing", notes="Typed notes") | overrides

    response = client.post(f"{STAFF}/rooms/new", data=data)

    page = _text(response)
    assert response.status_code == 422
    assert message in page
    assert 'value="East wing"' in page and "Typed notes" in page
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Room.id))) == 0


def test_room_with_sessions_placed_cannot_go_out_of_use(app, client, world, staff):
    place(app, world.family, world.first, world.small)

    response = client.post(
        f"{STAFF}/rooms/{world.small}",
        data=room_form(name="Room 101", capacity="20", features=[], is_active=""),
    )

    assert response.status_code == 422
    assert "Move them before taking it out of use." in _text(response)
    with app.app_context():
        assert db.session.scalar(db.select(Room.is_active).where(Room.code == world.small))
    assert cells(_text(client.get(EDITOR)))[world.cell("first", "small")] == [world.family]


def test_room_unknown_code_is_404(client, world, staff):
    assert client.get(f"{STAFF}/rooms/nope").status_code == 404


# --- the time grid -------------------------------------------------------------------


def test_new_slot_is_saved_in_summit_time_and_listed(app, client, world, staff):
    response = client.post(
        f"{STAFF}/slots/new", data=slot_form(DAY_TWO, "13:00", "14:30", label_en="Afternoon")
    )

    assert response.status_code == 302
    with app.app_context():
        slot = db.session.scalar(db.select(TimeSlot).where(TimeSlot.label_en == "Afternoon"))
        assert (slot.day, slot.minutes, slot.starts_at.hour) == (DAY_TWO, 90, 20)  # PDT
    page = followed(client, response)
    assert "Time slot saved." in page
    assert "13:00–14:30" in page and "Afternoon" in page


def test_edit_slot_shows_its_local_times_and_saves_new_ones(app, client, world, staff):
    page = _text(client.get(f"{STAFF}/slots/{world.second}"))
    assert 'value="10:30"' in page and 'value="11:30"' in page

    response = client.post(
        f"{STAFF}/slots/{world.second}", data=slot_form(start="10:15", end="11:00")
    )

    assert response.status_code == 302
    with app.app_context():
        slot = db.session.scalar(db.select(TimeSlot).where(TimeSlot.code == world.second))
        assert slot.minutes == 45


@pytest.mark.parametrize(
    ("data", "message", "field_message"),
    [
        (slot_form(start="09:30", end="10:15"), "overlaps another slot", "Overlaps another slot."),
        (slot_form(start="15:00", end="14:00"), "The end must be after the start.", "Must be"),
        (slot_form(day=DAY_TWO.replace(day=25)), "Pick one of the summit", "Not a day of"),
        (slot_form(kind="siesta"), "Not a valid choice", "Not a valid choice"),
        (slot_form(start=""), "This field is required.", "This field is required."),
    ],
    ids=["overlap", "end-before-start", "day-outside-summit", "unknown-kind", "no-start"],
)
def test_new_slot_bad_input_is_422_with_the_message_and_nothing_saved(
    app, client, world, staff, data, message, field_message
):
    response = client.post(f"{STAFF}/slots/new", data={**data, "label_en": "Typed label"})

    page = _text(response)
    assert response.status_code == 422
    assert message in page and field_message in page
    assert 'value="Typed label"' in page
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(TimeSlot.id))) == 3


def test_slot_with_sessions_placed_cannot_become_a_break(app, client, world, staff):
    place(app, world.family, world.first, world.big)

    response = client.post(
        f"{STAFF}/slots/{world.first}", data=slot_form(start="09:00", end="10:00", kind="break")
    )

    assert response.status_code == 422
    assert "Move them before making it a break." in _text(response)
    assert cells(_text(client.get(EDITOR)))[world.cell("first", "big")] == [world.family]


def test_delete_slot_puts_its_sessions_back_to_place(app, client, world, staff):
    place(app, world.family, world.first, world.big)

    response = client.post(f"{STAFF}/slots/{world.first}/delete")

    assert "Its sessions are back in the list to place." in followed(client, response)
    assert placement_of(app, world.family)["cell"] is None
    assert world.family in unplaced_codes(_text(client.get(EDITOR)))
    assert [a[0] for a in audit_actions(app, "slot.delete")] == [world.first]


# --- the editor ----------------------------------------------------------------------


def test_editor_shows_the_grid_the_unplaced_sessions_and_broken_rules(app, client, world, staff):
    place(app, world.family, world.first, world.big)

    def crowd_in_small_room(summit):
        placement = services.get_placement(summit, world.crowd)
        slot = {s.code: s for s in queries.list_slots(summit)}[world.second]
        room = {r.code: r for r in queries.list_rooms(summit)}[world.small]
        services.move_session(
            summit, placement, slot=slot, room=room, revision=placement.revision,
            actor=None, accept_warnings=True,
        )  # fmt: skip
        db.session.commit()

    in_context(app, crowd_in_small_room)

    page = _text(client.get(EDITOR))

    grid = cells(page)
    assert grid[world.cell("first", "big")] == [world.family]
    assert grid[world.cell("second", "small")] == [world.crowd]
    assert grid[world.cell("first", "small")] == []
    assert world.cell("lunch", "big") not in grid  # a break holds no session
    assert "Lunch" in page
    assert unplaced_codes(page) == [world.voice]
    assert "2 of 3 accepted sessions are in the grid." in page
    assert "1 rule is broken." in page
    assert f"{world.crowd} expects more people than Room 101 holds." in page
    assert "Thursday, September 23, 2027" in page


def test_editor_lists_a_rule_broken_by_two_sessions_once(app, client, world, staff):
    def same_lead_twice(summit):
        lead = person("Busy Lead")
        codes = [add_session(summit, title, owner=lead).code for title in ("Clash A", "Clash B")]
        db.session.commit()
        return codes

    first, second = in_context(app, same_lead_twice)
    place(app, first, world.first, world.big)
    revision = placement_of(app, second)["revision"]
    client.post(
        f"{EDITOR}/sessions/{second}/move",
        data=move_data(world.cell("first", "small"), revision, accept_warnings="1"),
    )

    page = _text(client.get(EDITOR))

    rules = re.search(r'id="warnings-title".*?</section>', page, re.S).group(0)
    assert "1 rule is broken." in page
    assert re.findall(r"<li>(.*?)</li>", rules) == [
        f"A presenter is in two sessions at once: {first}, {second}."
    ]
    on_cards = page.count(
        f"<strong>Warning:</strong> A presenter is in two sessions at once: {first}"
    )
    assert on_cards == 2


def test_editor_without_grid_or_rooms_says_what_to_add(app, client, login_as):
    with app.test_request_context():
        make_schedule_summit(SLUG)
        db.session.commit()
    login_as("staff")

    page = _text(client.get(EDITOR))

    assert "There is no time grid yet." in page
    assert "Nothing is public yet." in page


# --- moving sessions: the HTML form --------------------------------------------------


def test_move_form_lists_the_cells_and_moves_the_session(app, client, world, staff):
    form = _text(client.get(f"{EDITOR}/sessions/{world.family}/move"))
    assert f'value="{world.cell("first", "small")}"' in form
    assert world.lunch not in form  # no break in the list
    revision = placement_of(app, world.family)["revision"]

    response = client.post(
        f"{EDITOR}/sessions/{world.family}/move",
        data=move_data(world.cell("first", "small"), revision),
    )

    assert response.status_code == 302
    assert response.headers["Location"] == EDITOR
    page = followed(client, response)
    assert "Moved." in page
    assert cells(page)[world.cell("first", "small")] == [world.family]
    assert placement_of(app, world.family)["cell"] == world.cell("first", "small")


def test_move_onto_another_session_swaps_them(app, client, world, staff):
    place(app, world.family, world.first, world.big)
    place(app, world.voice, world.second, world.big)
    revision = placement_of(app, world.family)["revision"]

    client.post(
        f"{EDITOR}/sessions/{world.family}/move",
        data=move_data(world.cell("second", "big"), revision),
    )

    grid = cells(_text(client.get(EDITOR)))
    assert grid[world.cell("second", "big")] == [world.family]
    assert grid[world.cell("first", "big")] == [world.voice]


def test_move_breaking_a_rule_asks_first_then_moves_anyway_and_audits(app, client, world, staff):
    url = f"{EDITOR}/sessions/{world.crowd}/move"
    revision = placement_of(app, world.crowd)["revision"]

    asked = client.post(url, data=move_data(world.cell("first", "small"), revision))

    page = _text(asked)
    assert asked.status_code == 409
    assert "This move breaks a rule" in page
    assert f"{world.crowd} expects more people than Room 101 holds." in page
    assert "Move anyway" in page
    assert re.search(r'name="accept_warnings" type="hidden" value="1"', page)
    assert placement_of(app, world.crowd)["cell"] is None

    made = client.post(
        url, data=move_data(world.cell("first", "small"), revision, accept_warnings="1")
    )

    assert "Moved, with a warning:" in followed(client, made)
    placed = placement_of(app, world.crowd)
    assert placed["cell"] == world.cell("first", "small")
    assert "Room 101" in placed["warning"]
    [(code, before, after)] = audit_actions(app, "schedule.move")
    assert code == world.crowd and before == {"cell": None}
    assert after["warnings"] == [f"{world.crowd} expects more people than Room 101 holds."]


def test_move_with_a_stale_revision_redirects_with_a_message_and_changes_nothing(
    app, client, world, staff
):
    place(app, world.family, world.first, world.big)  # someone moved it meanwhile
    before = placement_of(app, world.family)

    response = client.post(
        f"{EDITOR}/sessions/{world.family}/move",
        data=move_data(world.cell("second", "small"), before["revision"] - 1),
    )

    assert response.status_code == 303
    assert response.headers["Location"] == f"{EDITOR}/sessions/{world.family}/move"
    page = followed(client, response)
    assert "Someone else changed this session while you were looking at it." in page
    assert re.search(rf'name="revision" [^>]*value="{before["revision"]}"', page)
    assert placement_of(app, world.family) == before


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("nope:nope", "That time and room do not exist."),
        ("no-colon", "That time and room do not exist."),
        ("lunch:big", "Sessions cannot be placed in a break."),
    ],
    ids=["unknown-cell", "malformed-cell", "break"],
)
def test_move_to_a_cell_that_cannot_hold_it_is_4xx_with_a_message(
    app, client, world, staff, cell, message
):
    value = world.cell(*cell.split(":")) if cell == "lunch:big" else cell
    revision = placement_of(app, world.family)["revision"]

    response = client.post(
        f"{EDITOR}/sessions/{world.family}/move", data=move_data(value, revision)
    )

    assert 400 <= response.status_code < 500
    assert message in _text(response)
    assert placement_of(app, world.family)["cell"] is None


def test_move_without_a_revision_is_400_not_500(app, client, world, staff):
    response = client.post(
        f"{EDITOR}/sessions/{world.family}/move", data={"cell": world.cell("first", "big")}
    )

    assert response.status_code == 400
    assert placement_of(app, world.family)["cell"] is None


def test_move_out_of_the_grid_puts_it_back_in_the_list(app, client, world, staff):
    place(app, world.family, world.first, world.big)
    revision = placement_of(app, world.family)["revision"]

    client.post(f"{EDITOR}/sessions/{world.family}/move", data=move_data("", revision))

    assert world.family in unplaced_codes(_text(client.get(EDITOR)))


@pytest.mark.parametrize("path", ["move", "lock", ""])
def test_session_pages_unknown_code_is_404(client, world, staff, path):
    url = f"{EDITOR}/sessions/PRO-NOPE/{path}".rstrip("/")

    get = client.get(url) if path != "lock" else None
    post = client.post(url, data={"revision": "0"})

    assert post.status_code == 404
    assert get is None or get.status_code == 404


# --- moving sessions: JSON for drag-and-drop -----------------------------------------

JSON = {"Accept": "application/json"}


def test_json_move_answers_ok_and_moves(app, client, world, staff):
    revision = placement_of(app, world.family)["revision"]

    response = client.post(
        f"{EDITOR}/sessions/{world.family}/move",
        data=move_data(world.cell("second", "big"), revision),
        headers=JSON,
    )

    assert response.status_code == 200
    assert response.get_json() == {"ok": True, "message": "Moved.", "swapped": None}
    assert placement_of(app, world.family)["cell"] == world.cell("second", "big")


def test_json_move_breaking_a_rule_needs_confirmation_then_accepts(app, client, world, staff):
    url = f"{EDITOR}/sessions/{world.crowd}/move"
    revision = placement_of(app, world.crowd)["revision"]

    asked = client.post(url, data=move_data(world.cell("first", "small"), revision), headers=JSON)

    assert asked.status_code == 409
    error = asked.get_json()["error"]
    assert error["code"] == "needs_confirmation"
    assert "expects more people than Room 101 holds" in error["message"]
    assert placement_of(app, world.crowd)["cell"] is None

    made = client.post(
        url,
        data=move_data(world.cell("first", "small"), revision, accept_warnings="1"),
        headers=JSON,
    )

    assert made.status_code == 200 and made.get_json()["ok"] is True
    assert made.get_json()["message"].startswith("Moved, with a warning:")
    assert placement_of(app, world.crowd)["cell"] == world.cell("first", "small")


def test_json_move_with_a_stale_revision_is_409_stale(app, client, world, staff):
    place(app, world.family, world.first, world.big)
    before = placement_of(app, world.family)

    response = client.post(
        f"{EDITOR}/sessions/{world.family}/move",
        data=move_data(world.cell("second", "big"), before["revision"] - 1),
        headers=JSON,
    )

    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "stale"
    assert "Someone else changed this session" in error["message"]
    assert placement_of(app, world.family) == before


def test_json_move_unknown_cell_is_400_with_a_message(app, client, world, staff):
    revision = placement_of(app, world.family)["revision"]

    response = client.post(
        f"{EDITOR}/sessions/{world.family}/move", data=move_data("x:y", revision), headers=JSON
    )

    assert response.status_code == 400
    assert response.get_json()["error"]["message"] == "That time and room do not exist."


def test_json_move_unknown_session_is_404_json(client, world, staff):
    response = client.post(f"{EDITOR}/sessions/PRO-NOPE/move", data=move_data("", 0), headers=JSON)

    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


# --- locks ---------------------------------------------------------------------------


def test_lock_keeps_a_session_in_place_until_unlocked(app, client, world, staff):
    place(app, world.family, world.first, world.big)
    revision = placement_of(app, world.family)["revision"]
    url = f"{EDITOR}/sessions/{world.family}"

    locked = client.post(f"{url}/lock", data={"revision": str(revision)})

    assert "Locked." in followed(client, locked)
    state = placement_of(app, world.family)
    assert state["locked"] is True
    page = _text(client.get(EDITOR))
    assert f'href="{url}/move"' not in page and f'action="{url}/unlock"' in page
    refused = client.post(
        f"{url}/move", data=move_data(world.cell("second", "big"), state["revision"])
    )
    assert refused.status_code == 400
    assert "This session is locked. Unlock it to move it." in _text(refused)

    unlocked = client.post(f"{url}/unlock", data={"revision": str(state["revision"])})

    assert "Unlocked." in followed(client, unlocked)
    assert placement_of(app, world.family)["locked"] is False
    assert [a[0] for a in audit_actions(app, "schedule.lock")] == [world.family]
    assert [a[0] for a in audit_actions(app, "schedule.unlock")] == [world.family]


def test_lock_unplaced_or_stale_says_why_and_changes_nothing(app, client, world, staff):
    url = f"{EDITOR}/sessions/{world.family}"
    revision = placement_of(app, world.family)["revision"]

    unplaced = followed(client, client.post(f"{url}/lock", data={"revision": str(revision)}))
    place(app, world.voice, world.first, world.big)
    stale = client.post(f"{EDITOR}/sessions/{world.voice}/lock", data={"revision": "0"})

    assert "Place the session before locking it." in unplaced
    assert "Someone else changed this session" in followed(client, stale)
    assert placement_of(app, world.family)["locked"] is False
    assert placement_of(app, world.voice)["locked"] is False


# --- session details and solver settings ---------------------------------------------


def test_session_details_saves_audience_and_needs(app, client, world, staff):
    url = f"{EDITOR}/sessions/{world.family}"
    revision = placement_of(app, world.family)["revision"]
    assert "Family nights" in _text(client.get(url))

    response = client.post(
        url, data={"revision": str(revision), "audience": "45", "needs": ["hearing_loop"]}
    )

    assert response.status_code == 302
    with app.app_context():
        placement = db.session.scalar(
            db.select(Placement).join(Proposal).where(Proposal.code == world.family)
        )
        assert (placement.audience, placement.needs) == (45, ["hearing_loop"])


def test_solver_settings_are_saved_and_bad_values_are_explained(app, client, world, staff):
    values = {
        "weight_miss": "5",
        "weight_topic": "4",
        "weight_room": "3",
        "weight_language": "2",
        "weight_moves": "1",
        "time_limit": "2",
        "seed": "7",
    }

    saved = client.post(f"{EDITOR}/settings", data=values)
    refused = client.post(f"{EDITOR}/settings", data={**values, "time_limit": "0"})

    assert "Solver settings saved." in followed(client, saved)
    assert "Time limit (seconds)" in followed(client, refused)
    with app.app_context():
        settings = db.session.scalar(db.select(ScheduleSettings))
        assert (settings.weight_miss, settings.time_limit, settings.seed) == (5, 2, 7)


# --- solver runs ---------------------------------------------------------------------


def _solve(client) -> tuple[str, str]:
    """Start a run from scratch; returns its URL and the run page."""
    response = client.post(f"{EDITOR}/solve", data={"keep_draft": "0"})
    assert response.status_code == 302, _text(response)[:500]
    return response.headers["Location"], _text(client.get(response.headers["Location"]))


def test_solve_shows_the_result_and_what_would_change(app, client, world, staff):
    url, page = _solve(client)

    assert re.fullmatch(rf"{EDITOR}/runs/\w+", url)
    assert "What would change" in page
    assert "Sessions that could not be placed" in page
    for code in (world.family, world.voice, world.crowd):
        assert code in page
    assert "Apply to the draft" in page and "Discard" in page
    assert client.get(f"{url}.json").get_json()["state"] == "done"
    # Nothing changes until the result is applied.
    assert placement_of(app, world.family)["cell"] is None


def test_apply_run_puts_the_result_in_the_draft(app, client, world, staff):
    url, _page = _solve(client)
    with app.app_context():
        assign = db.session.scalar(db.select(SolveRun)).result["assign"]

    response = client.post(f"{url}/apply")

    assert "The draft now has the solver's schedule: 3 sessions moved." in followed(
        client, response
    )
    for code in (world.family, world.voice, world.crowd):
        assert placement_of(app, code)["cell"] == ":".join(assign[code])
    assert assign[world.crowd][1] == world.big  # the only room big enough
    with app.app_context():
        assert db.session.scalar(db.select(SolveRun.state)) == "applied"
    assert client.post(f"{url}/apply").status_code == 302  # a second apply is refused…
    assert "This result is not ready to apply." in _text(client.get(url))  # …with a reason


def test_discard_run_leaves_the_draft_as_it_was(app, client, world, staff):
    place(app, world.family, world.second, world.small)
    before = {code: placement_of(app, code) for code in (world.family, world.voice)}
    url, _page = _solve(client)

    response = client.post(f"{url}/discard")

    assert "Result discarded. The draft is unchanged." in followed(client, response)
    assert {code: placement_of(app, code) for code in before} == before
    with app.app_context():
        assert db.session.scalar(db.select(SolveRun.state)) == "discarded"
    assert "Apply to the draft" not in _text(client.get(url))


def test_solve_without_rooms_says_to_add_them(app, client, login_as):
    with app.test_request_context():
        summit = make_schedule_summit(SLUG)
        add_slot(summit, (9, 0), (10, 0))
        db.session.commit()
    login_as("staff")

    response = client.post(f"{EDITOR}/solve", data={"keep_draft": "1"})

    assert "Add rooms first." in followed(client, response)


# --- releases ------------------------------------------------------------------------


def _calendar(message) -> str:
    """The text of a delivered message's calendar attachment."""
    [attachment] = list(message.iter_attachments())
    content = attachment.get_content()
    return content.decode() if isinstance(content, bytes) else content


def _release(client, **notes):
    return client.post(f"{EDITOR}/release", data={"note_en": "", "note_es": "", **notes})


def test_release_shows_the_version_and_emails_presenters_a_calendar_file(
    app, client, world, staff, mailbox
):
    from summit.core.outbox import deliver_pending

    place(app, world.voice, world.first, world.big)

    response = _release(client, note_en="First programme", note_es="Primer programa")

    assert response.status_code == 302
    assert response.headers["Location"] == f"{EDITOR}/versions/1"
    page = followed(client, response)
    assert "Version 1 is public: 1 new, 0 moved, 0 cancelled; 2 emails to presenters." in page
    assert "First programme" in page
    assert f"New</strong>: Student voice ({world.voice})" in page
    with app.app_context():
        assert deliver_pending()["sent"] == 2
    for address in (world.lead, world.co):
        [message] = mailbox.to(address)
        assert "Student voice" in message["Subject"]
        assert "Hall A" in mailbox.body(message)
        [attachment] = list(message.iter_attachments())
        assert attachment.get_filename() == f"{world.voice.lower()}.ics"
        assert attachment.get_content_type() == "text/calendar"
        calendar = _calendar(message)
        assert f"UID:{world.voice.lower()}@2027.summit" in calendar
        assert "DTSTART;TZID=America/Los_Angeles:20270923T090000" in calendar
    assert "Version 1 is public." in _text(client.get(EDITOR))


def test_second_release_lists_the_moved_session(app, client, world, staff, mailbox):
    from summit.core.outbox import deliver_pending

    place(app, world.voice, world.first, world.big)
    place(app, world.family, world.first, world.small)
    _release(client)
    with app.app_context():
        deliver_pending()
    mailbox.clear()
    place(app, world.voice, world.second, world.big)

    response = _release(client)

    assert response.headers["Location"] == f"{EDITOR}/versions/2"
    page = followed(client, response)
    assert "Version 2 is public: 0 new, 1 moved, 0 cancelled" in page
    assert f"Moved</strong>: Student voice ({world.voice})" in page
    assert "Family nights" not in page  # unchanged, so not in the changes
    with app.app_context():
        deliver_pending()
    [message] = mailbox.to(world.lead)
    assert "Your session has moved: Student voice" in message["Subject"]
    assert "SEQUENCE:1" in _calendar(message)


def test_release_with_nothing_placed_says_so_and_makes_no_version(app, client, world, staff):
    response = _release(client)

    assert response.headers["Location"] == f"{EDITOR}#release"
    assert "Place at least one session before releasing." in followed(client, response)
    assert client.get(f"{EDITOR}/versions/1").status_code == 404


def test_release_note_too_long_is_refused_with_a_message(app, client, world, staff):
    place(app, world.family, world.first, world.big)

    response = _release(client, note_en="x" * 2001)

    assert "Field cannot be longer than 2000 characters." in followed(client, response)
    assert client.get(f"{EDITOR}/versions/1").status_code == 404


# --- both languages ------------------------------------------------------------------


def test_editor_renders_in_spanish(app, client, world, staff):
    place(app, world.family, world.first, world.big)
    client.post("/lang", data={"lang": "es"})

    page = _text(client.get(EDITOR))

    assert '<html lang="es">' in page
    assert "jueves, 23 de septiembre de 2027" in page
    assert _in(app, "es", "Staff pages") in page
    assert cells(page)[world.cell("first", "big")] == [world.family]


def test_room_form_errors_render_in_spanish(app, client, world, staff):
    client.post("/lang", data={"lang": "es"})

    response = client.post(f"{STAFF}/rooms/new", data=room_form(name=""))

    assert response.status_code == 422
    page = _text(response)
    assert '<html lang="es">' in page
    assert _in(app, "es", "This field is required.") in page


# --- presenters' availability --------------------------------------------------------


def _presenters(app, code: str) -> dict[str, str]:
    """Presenter name → public id."""
    with app.app_context():
        rows = db.session.scalars(db.select(Presenter).join(Proposal).where(Proposal.code == code))
        return {p.name: p.public_id for p in rows}


def _unavailable(app, code: str) -> dict[str, set[str]]:
    """Presenter name → codes of the slots they cannot present in."""
    with app.app_context():
        rows = db.session.execute(
            db.select(Presenter.name, TimeSlot.code)
            .join(Unavailability, Unavailability.presenter_id == Presenter.id)
            .join(TimeSlot, TimeSlot.id == Unavailability.slot_id)
            .join(Proposal, Proposal.id == Presenter.proposal_id)
            .where(Proposal.code == code)
        )
        found: dict[str, set[str]] = {}
        for name, slot in rows:
            found.setdefault(name, set()).add(slot)
        return found


def test_availability_lead_sets_times_for_each_presenter(app, client, world, auth):
    auth.login(world.lead, PRESENTER_PASSWORD)
    url = f"/{SLUG}/proposals/{world.voice}/availability"
    ids = _presenters(app, world.voice)

    page = _text(client.get(url))

    assert "Lena Lead cannot present at:" in page and "Cole Copresenter cannot present at:" in page
    assert world.lunch not in page  # breaks are not offered
    response = client.post(
        url,
        data={
            f"slots-{ids['Lena Lead']}": [world.first],
            f"slots-{ids['Cole Copresenter']}": [world.first, world.second],
        },
    )
    assert response.headers["Location"] == f"/{SLUG}/proposals/{world.voice}"
    assert "We will not schedule the session at those times." in followed(client, response)
    assert _unavailable(app, world.voice) == {
        "Lena Lead": {world.first},
        "Cole Copresenter": {world.first, world.second},
    }
    page = _text(client.get(url))
    assert f'id="s-{ids["Lena Lead"]}-{world.first}" name="slots-{ids["Lena Lead"]}"' in page
    assert re.search(rf'value="{world.first}" checked', page)
    assert len(audit_actions(app, "presenter.availability")) == 2


def test_availability_co_presenter_sets_only_their_own(app, client, world, auth):
    auth.login(world.co, PRESENTER_PASSWORD)
    url = f"/{SLUG}/proposals/{world.voice}/availability"
    ids = _presenters(app, world.voice)

    page = _text(client.get(url))
    client.post(
        url,
        data={
            f"slots-{ids['Lena Lead']}": [world.first],
            f"slots-{ids['Cole Copresenter']}": [world.second],
        },
    )

    assert "Cole Copresenter cannot present at:" in page
    assert "Lena Lead cannot present at:" not in page
    assert _unavailable(app, world.voice) == {"Cole Copresenter": {world.second}}


def test_availability_shown_to_staff_on_the_session_page(app, client, world, auth, login_as):
    auth.login(world.co, PRESENTER_PASSWORD)
    ids = _presenters(app, world.voice)
    client.post(
        f"/{SLUG}/proposals/{world.voice}/availability",
        data={f"slots-{ids['Cole Copresenter']}": [world.second]},
    )
    auth.logout()
    login_as("staff")

    page = _text(client.get(f"{EDITOR}/sessions/{world.voice}"))

    assert "Cole Copresenter" in page and "10:30" in page


def test_availability_stranger_is_forbidden_and_anonymous_logs_in(app, client, world, auth):
    url = f"/{SLUG}/proposals/{world.voice}/availability"
    anonymous = client.get(url)
    auth.login(world.lead, PRESENTER_PASSWORD)  # leads "Student voice", not "Family nights"

    stranger = client.get(f"/{SLUG}/proposals/{world.family}/availability")
    stranger_post = client.post(f"/{SLUG}/proposals/{world.family}/availability", data={})
    unknown = client.get(f"/{SLUG}/proposals/PRO-NOPE/availability")

    assert anonymous.status_code == 302 and "/account/login" in anonymous.headers["Location"]
    assert (stranger.status_code, stranger_post.status_code, unknown.status_code) == (403, 403, 404)


def test_availability_unknown_slot_code_is_422_and_saves_nothing(app, client, world, auth):
    auth.login(world.lead, PRESENTER_PASSWORD)
    url = f"/{SLUG}/proposals/{world.voice}/availability"
    ids = _presenters(app, world.voice)

    response = client.post(
        url,
        data={
            f"slots-{ids['Lena Lead']}": [world.first],
            f"slots-{ids['Cole Copresenter']}": ["nope"],
        },
    )

    page = _text(response)
    assert response.status_code == 422
    assert "Unknown time slot." in page
    assert re.search(rf'name="slots-{ids["Lena Lead"]}" value="{world.first}" checked', page)
    assert _unavailable(app, world.voice) == {}


def test_availability_rejected_session_is_404(app, client, world, auth):
    with app.app_context():
        proposal = db.session.scalar(db.select(Proposal).where(Proposal.code == world.voice))
        proposal.state = "withdrawn"
        db.session.commit()
    auth.login(world.lead, PRESENTER_PASSWORD)

    assert client.get(f"/{SLUG}/proposals/{world.voice}/availability").status_code == 404


# --- CSRF ----------------------------------------------------------------------------


@pytest.fixture
def csrf_client(make_app, world, make_user):
    """A client of an app with CSRF on, logged in as staff with the page's token."""
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    email = make_user(roles=("staff",), slug=SLUG)
    token = CSRF_INPUT.search(_text(client.get("/account/login"))).group(1)
    response = client.post(
        "/account/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    return client


def test_csrf_move_without_token_is_refused_and_with_the_page_token_works(app, csrf_client, world):
    url = f"{EDITOR}/sessions/{world.family}/move"
    revision = placement_of(app, world.family)["revision"]

    refused = csrf_client.post(url, data=move_data(world.cell("first", "big"), revision))
    refused_json = csrf_client.post(
        url, data=move_data(world.cell("first", "big"), revision), headers=JSON
    )

    assert refused.status_code == 400
    assert "Your form expired or was sent from another page" in _text(refused)
    assert refused_json.status_code == 400
    assert placement_of(app, world.family)["cell"] is None

    # The editor's hidden form carries the token drag-and-drop sends.
    editor = _text(csrf_client.get(EDITOR))
    token = re.search(r'<form id="editor-csrf" hidden>.*?value="([^"]+)"', editor, re.S).group(1)
    made = csrf_client.post(
        url,
        data=move_data(world.cell("first", "big"), revision, csrf_token=token),
        headers=JSON,
    )
    assert made.get_json()["ok"] is True
    assert placement_of(app, world.family)["cell"] == world.cell("first", "big")


@pytest.mark.parametrize(
    "path",
    ["/staff/rooms/new", "/staff/slots/new", "/staff/schedule/release", "/staff/schedule/solve"],
)
def test_csrf_staff_forms_without_token_are_refused(app, csrf_client, world, path):
    response = csrf_client.post(f"/{SLUG}{path}", data=room_form() | slot_form(DAY_TWO))

    assert response.status_code == 400
    assert "Your form expired or was sent from another page" in _text(response)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Room.id))) == 2
        assert db.session.scalar(db.select(db.func.count(TimeSlot.id))) == 3
        assert db.session.scalar(db.select(db.func.count(SolveRun.id))) == 0


def test_csrf_availability_without_token_is_refused(app, make_app, world):
    csrf_app = make_app(WTF_CSRF_ENABLED=True)
    client = csrf_app.test_client()
    token = CSRF_INPUT.search(_text(client.get("/account/login"))).group(1)
    client.post(
        "/account/login",
        data={"email": world.lead, "password": PRESENTER_PASSWORD, "csrf_token": token},
    )
    ids = _presenters(app, world.voice)

    response = client.post(
        f"/{SLUG}/proposals/{world.voice}/availability",
        data={f"slots-{ids['Lena Lead']}": [world.first]},
    )

    assert response.status_code == 400
    assert _unavailable(app, world.voice) == {}
