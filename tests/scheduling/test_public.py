"""The public programme over HTTP: nothing before the first release, the newest version
only, by day (grid and list), filters and search, sessions, presenters, rooms, tracks,
the printable page, the changes and the JSON export."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event

from summit.extensions import db
from tests.scheduling.conftest import DAY_ONE, DAY_TWO, SLUG, local

BASE = f"/{SLUG}/programme"
MINOR = {"age_band": "13_17", "guardian_email": "guardian@example.org", "invite_status": "none"}


def page(client, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    # Babel writes a narrow no-break space before AM/PM.
    return response.get_data(as_text=True).replace("\u202f", " ")


def placed(hhmm: str, room: str) -> dict:
    """A changelog snapshot: an hour on day one, in ``room``."""
    hours, minutes = hhmm.split(":")
    return {
        "starts_at": local(DAY_ONE, hhmm).isoformat(),
        "ends_at": local(DAY_ONE, f"{int(hours) + 1}:{minutes}").isoformat(),
        "room": room,
    }


def change(kind: str, code: str, title: str, *, before=None, after=None) -> dict:
    return {"code": code, "title": title, "kind": kind, "before": before, "after": after}


def card_titles(html: str) -> list[str]:
    """Titles of the session cards (list view) or grid entries, in page order."""
    pattern = (
        r'(?:programme-session-title"><a|<a class="grid-session-title")'
        r' href="[^"]*"(?: lang="\w+")?>([^<]*)</a>'
    )
    return re.findall(pattern, html)


@pytest.fixture
def summit_programme(build):
    """Two rooms, a time grid over two days and five released sessions (version 1):

    day one 9:00  Family nights (Redwood) · Círculos de familias (Oak, Spanish)
    day one 10:15 100% attendance_tips (Oak, bilingual) · 12:00 Opening plenary (Redwood)
    day two 9:00  Day two workshop (Oak, cancelled)
    """
    redwood = build.room(
        "Redwood Hall",
        building="Main building",
        floor="Floor 1",
        capacity=120,
        features=["step_free", "hearing_loop", "projector"],
        position=0,
    )
    oak = build.room("Oak Room", capacity=30, position=1)
    nine = build.slot(DAY_ONE, "09:00", "10:00")
    build.slot(DAY_ONE, "10:00", "10:15", kind="break", label_en="Coffee", label_es="Café")
    late = build.slot(DAY_ONE, "10:15", "11:15")
    plenary = build.slot(DAY_ONE, "12:00", "13:00", kind="plenary")
    day_two = build.slot(DAY_TWO, "09:00", "10:00")
    shared = build.user("Sam Shared")
    family = build.proposal(
        "Family nights that work",
        abstract="We **share** how we run family nights.",
        outcomes="Three practices to try.",
        language="en",
        audience_roles=["family"],
        grade_bands=["elementary"],
        presenters=[
            ("Rosa Pérez", {"role_type": "family", "age_band": "adult"}),
            ("Ben Ortiz", {"role_type": "educator"}),
            ("Pending Pat", {"invite_status": "pending"}),
            ("Declined Dan", {"invite_status": "declined"}),
            ("Maya Lopez", {**MINOR, "consent_status": "granted"}),
            ("Nico Quiet", {**MINOR, "consent_status": "requested"}),
            ("Sam Shared", {"user_id": shared}),
        ],
    )
    circles = build.proposal(
        "Círculos de familias",
        track="pillar-supports",
        format="panel",
        language="es",
        av_needs=["interpretation"],
        audience_roles=["community_partner"],
        presenters=[("Lucía Ramos", {})],
    )
    tips = build.proposal(
        "100% attendance_tips",
        track="commit-asset",
        format="roundtable",
        language="bilingual",
        audience_roles=["educator"],
        secondary=("pillar-family",),
        presenters=[("Sam Shared", {"user_id": shared})],
    )
    keynote = build.proposal(
        "Opening plenary", track=None, format=None, presenters=[("Keynote Speaker", {})]
    )
    cancelled = build.proposal("Day two workshop", track="pillar-extended")
    unplaced = build.proposal("Not in the schedule")
    build.release(
        {
            family: (nine, redwood),
            circles: (nine, oak),
            tips: (late, oak),
            keynote: (plenary, redwood),
            cancelled: (day_two, oak),
        },
        cancelled=(cancelled,),
        changelog=[
            change("new", family, "Family nights that work", after=placed("09:00", "Redwood Hall"))
        ],
    )
    return {
        "redwood": redwood,
        "oak": oak,
        "slots": {"nine": nine, "late": late, "plenary": plenary, "day_two": day_two},
        "family": family,
        "circles": circles,
        "tips": tips,
        "keynote": keynote,
        "cancelled": cancelled,
        "unplaced": unplaced,
    }


# --- before the first release -------------------------------------------------------------


def test_programme_before_release_every_listing_says_not_published(client, build):
    room = build.room("Redwood Hall")
    code = build.proposal("Family nights that work")

    listings = ("", "/tracks", "/print", "/changes", "/tracks/pillar-family", f"/rooms/{room}")
    for path in (BASE + listing for listing in listings):
        html = page(client, path)
        assert "The program is not published yet." in html, path
        assert "Family nights that work" not in html

    page(client, f"{BASE}/sessions/{code}", 404)
    response = client.get(f"/{SLUG}/programme.json")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_published"


def test_programme_unknown_summit_answers_404(client, build):
    page(client, "/1999/programme", 404)


# --- the newest version only --------------------------------------------------------------


def test_programme_two_versions_shows_only_the_newest_placement(client, build):
    redwood = build.room("Redwood Hall", position=0)
    oak = build.room("Oak Room", position=1)
    nine = build.slot(DAY_ONE, "09:00", "10:00")
    late = build.slot(DAY_ONE, "14:30", "15:30")
    code = build.proposal("Family nights that work")
    build.release({code: (nine, redwood)})
    build.release({code: (late, oak)})

    listing = page(client, f"{BASE}?view=list")
    session = page(client, f"{BASE}/sessions/{code}")
    data = client.get(f"/{SLUG}/programme.json").get_json()

    assert "2:30 PM" in listing and "9:00 AM" not in listing
    assert "Oak Room" in session and "Redwood Hall" not in session
    assert "Version 2," in listing
    assert data["version"] == 2
    assert data["sessions"][0]["starts_at"] == "2027-09-23T14:30:00-07:00"


def test_programme_session_dropped_from_newest_version_answers_404(client, build):
    room = build.room("Redwood Hall")
    nine = build.slot(DAY_ONE, "09:00", "10:00")
    kept = build.proposal("Kept session")
    dropped = build.proposal("Dropped session")
    build.release({kept: (nine, room), dropped: (nine, room)})
    build.release({kept: (nine, room)})

    page(client, f"{BASE}/sessions/{dropped}", 404)
    assert "Dropped session" not in page(client, BASE)


# --- by day: grid and list ------------------------------------------------------------------


def test_programme_grid_has_rooms_times_breaks_and_plenary(client, summit_programme):
    html = page(client, BASE)

    assert '<table class="table programme-grid' in html
    assert re.search(r'<th scope="col"><a href="[^"]+">Redwood Hall</a></th>', html)
    assert re.search(r'<th scope="col"><a href="[^"]+">Oak Room</a></th>', html)
    assert '<th scope="row" class="grid-time">' in html
    assert "9:00 AM" in html and "10:15 AM" in html and "12:00 PM" in html
    assert "Coffee" in html
    assert 'class="grid-plenary"' in html and "Opening plenary" in html
    assert card_titles(html) == [
        "Family nights that work",
        "Círculos de familias",
        "100% attendance_tips",
        "Opening plenary",
    ]
    assert "Day two workshop" not in html  # another day
    assert html.count("<h1") == 1


def test_programme_list_view_groups_sessions_by_local_start_time(client, summit_programme):
    html = page(client, f"{BASE}?view=list")

    assert "programme-grid" not in html
    headings = re.findall(r'<h3 id="time-\d+" class="h5">(.*?)</h3>', html)
    assert [re.sub(r"<[^>]+>", "", h) for h in headings] == [
        "9:00 AM–10:00 AM",
        "10:15 AM–11:15 AM",
        "12:00 PM–1:00 PM · Plenary",
    ]
    assert card_titles(html) == [
        "Family nights that work",
        "Círculos de familias",
        "100% attendance_tips",
        "Opening plenary",
    ]
    assert "Coffee" in html


def test_programme_day_tabs_switch_day_and_mark_the_current_one(client, summit_programme):
    html = page(client, f"{BASE}?view=list&day={DAY_TWO.isoformat()}")

    assert card_titles(html) == ["Day two workshop"]
    assert re.search(
        r'class="nav-link active" aria-current="page"\s+href="[^"]*day=2027-09-24', html
    )
    assert "Friday, September 24, 2027" in html


def test_programme_cancelled_session_is_listed_as_cancelled(client, summit_programme):
    listing = page(client, f"{BASE}?view=list&day={DAY_TWO.isoformat()}")
    session = page(client, f"{BASE}/sessions/{summit_programme['cancelled']}")

    assert "programme-session track-border-pillar-extended is-cancelled" in listing
    assert '<span class="badge cancelled-badge">Cancelled</span>' in listing
    assert "This session is cancelled. It will not take place." in session


# --- filters and search -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("track=pillar-family", ["Family nights that work", "100% attendance_tips"]),
        ("track=pillar-supports", ["Círculos de familias"]),
        ("format=panel", ["Círculos de familias"]),
        ("format=roundtable", ["100% attendance_tips"]),
        ("audience=educator", ["100% attendance_tips"]),
        ("audience=family", ["Family nights that work"]),
        ("language=es", ["Círculos de familias", "100% attendance_tips"]),
        ("language=bilingual", ["100% attendance_tips"]),
        ("language=en", ["Family nights that work", "100% attendance_tips", "Opening plenary"]),
        ("access=interpretation", ["Círculos de familias"]),
        ("access=step_free", ["Family nights that work", "Opening plenary"]),
        ("track=pillar-family&format=workshop-60", ["Family nights that work"]),
    ],
)
def test_programme_filter_narrows_to_matching_sessions(client, summit_programme, query, expected):
    html = page(client, f"{BASE}?view=list&{query}")

    assert card_titles(html) == expected
    assert "your choices." in html


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("100%", ["100% attendance_tips"]),
        ("%", ["100% attendance_tips"]),
        ("_", ["100% attendance_tips"]),
        ("family nights", ["Family nights that work"]),
        ("SHARE how", ["Family nights that work"]),  # the abstract, any case
        ("Ortiz", ["Family nights that work"]),  # a presenter
        ("perez", ["Family nights that work"]),  # accents do not matter
        ("Pending Pat", []),  # presenters not shown are not searchable
        ("Lopez", []),  # nor the surname of a presenter under 18
    ],
)
def test_programme_search_matches_text_literally(client, summit_programme, term, expected):
    from urllib.parse import quote

    html = page(client, f"{BASE}?view=list&q={quote(term)}")

    assert card_titles(html) == expected
    if not expected:
        assert "No sessions on this day match your choices." in html


def test_programme_unknown_filter_values_are_ignored_with_a_notice(client, summit_programme):
    html = page(client, f"{BASE}?view=sideways&day=someday&track=nope&format=x&access=jetpack")

    assert "were not recognized and were left out: day, track, format, accessibility, view" in html
    assert len(card_titles(html)) == 4  # day one, unfiltered, in the grid


def test_programme_filter_form_keeps_the_chosen_values(client, summit_programme):
    html = page(client, f"{BASE}?track=pillar-family&q=night&view=list")

    assert '<option value="pillar-family" selected>' in html
    assert 'name="q" value="night"' in html
    assert '<input type="hidden" name="view" value="list">' in html
    assert '<details class="mt-2" open>' in html
    assert "Clear search and filters" in html


# --- session pages ------------------------------------------------------------------------


def test_session_page_shows_content_time_room_and_public_presenters(client, summit_programme):
    html = page(client, f"{BASE}/sessions/{summit_programme['family']}")

    assert re.search(r"<h1[^>]*>Family nights that work</h1>", html)
    assert "We <strong>share</strong> how we run family nights." in html
    assert "Three practices to try." in html
    assert "Thursday, September 23, 2027" in html and "9:00 AM" in html and "10:00 AM" in html
    assert "America/Los_Angeles" in html
    assert "Redwood Hall" in html and "Main building · Floor 1" in html
    assert "120 seats" in html
    assert '<span class="badge track-badge track-pillar-family">Family and community' in html
    assert "Step-free access" in html and "Hearing loop" in html
    assert "Family member" in html  # audience
    assert "Grades 3–5" in html
    presenters = re.findall(r'<a href="/2027/programme/presenters/\w+">([^<]+)</a>', html)
    assert presenters == ["Rosa Pérez", "Ben Ortiz", "Maya", "Sam Shared"]
    for hidden in ("Pending Pat", "Declined Dan", "Lopez", "Nico", "@example.org", "guardian"):
        assert hidden not in html


def test_session_page_marks_the_language_of_a_spanish_session(client, summit_programme):
    html = page(client, f"{BASE}/sessions/{summit_programme['circles']}")

    assert '<h1 lang="es">Círculos de familias</h1>' in html
    assert '<div class="user-text" lang="es">' in html
    assert "Interpretation available" in html
    assert "Spanish" in html


def test_session_page_bilingual_session_has_no_lang_attribute(client, summit_programme):
    html = page(client, f"{BASE}/sessions/{summit_programme['tips']}")

    assert "<h1>100% attendance_tips</h1>" in html


@pytest.mark.parametrize("which", ["unknown", "unplaced"])
def test_session_page_unknown_or_unreleased_proposal_answers_404(client, summit_programme, which):
    code = "PRO-NOPE1" if which == "unknown" else summit_programme["unplaced"]

    page(client, f"{BASE}/sessions/{code}", 404)


def test_session_page_escapes_presenters_text(client, build):
    room = build.room("Room")
    nine = build.slot(DAY_ONE, "09:00", "10:00")
    code = build.proposal(
        "<script>alert(1)</script>", abstract="<img src=x onerror=alert(1)> [x](javascript:y)"
    )
    build.release({code: (nine, room)})

    html = page(client, f"{BASE}/sessions/{code}")

    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html
    assert not re.search(r"<[a-z]+[^>]*\sonerror=", html)  # no live attribute
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'href="javascript' not in html


# --- presenters, rooms, tracks ------------------------------------------------------------


def test_presenter_page_lists_the_same_person_across_proposals(client, build, summit_programme):
    ids = build.presenter_ids(summit_programme["family"])

    html = page(client, f"{BASE}/presenters/{ids['Sam Shared']}")

    assert "<h1>Sam Shared</h1>" in html
    assert card_titles(html) == ["Family nights that work", "100% attendance_tips"]
    assert "Presents 2 sessions at this summit." in html


def test_presenter_page_under_18_shows_first_name_only(client, build, summit_programme):
    ids = build.presenter_ids(summit_programme["family"])

    html = page(client, f"{BASE}/presenters/{ids['Maya Lopez']}")

    assert "<h1>Maya</h1>" in html and "Lopez" not in html
    assert card_titles(html) == ["Family nights that work"]


@pytest.mark.parametrize("name", ["Pending Pat", "Declined Dan", "Nico Quiet"])
def test_presenter_page_hidden_presenter_answers_404(client, build, summit_programme, name):
    ids = build.presenter_ids(summit_programme["family"])

    page(client, f"{BASE}/presenters/{ids[name]}", 404)


def test_presenter_page_unknown_id_answers_404(client, summit_programme):
    page(client, f"{BASE}/presenters/nobody", 404)


def test_room_page_lists_its_sessions_and_describes_the_room(client, summit_programme):
    html = page(client, f"{BASE}/rooms/{summit_programme['redwood']}")

    assert "<h1>Redwood Hall</h1>" in html
    assert "Main building" in html and "Floor 1" in html and "120 seats" in html
    assert "Step-free access" in html and "Projector and screen" in html
    assert card_titles(html) == ["Family nights that work", "Opening plenary"]


def test_room_page_unknown_room_answers_404(client, summit_programme):
    page(client, f"{BASE}/rooms/nothere", 404)


def test_tracks_page_lists_tracks_with_session_counts(client, summit_programme):
    html = page(client, f"{BASE}/tracks")

    names = re.findall(r'class="track-link" href="[^"]+">([^<]+)</a>', html)
    assert names == [
        "Integrated student supports",
        "Family and community engagement",
        "Asset-driven and strength-based practice",
    ]  # the cancelled session's track has no session left
    assert "2 sessions" in html  # family: its own and the secondary one


def test_track_page_lists_sessions_of_the_track_by_day(client, summit_programme):
    html = page(client, f"{BASE}/tracks/pillar-family")

    assert '<h1 class="track-heading track-border-pillar-family">Family and community' in html
    assert card_titles(html) == ["Family nights that work", "100% attendance_tips"]
    assert "Thursday, September 23, 2027" in html


def test_track_page_unknown_track_answers_404(client, summit_programme):
    page(client, f"{BASE}/tracks/no-such-track", 404)


# --- print, changes, export --------------------------------------------------------------


def test_print_page_has_every_day_without_the_filters(client, summit_programme):
    html = page(client, f"{BASE}/print")

    assert "Thursday, September 23, 2027" in html and "Friday, September 24, 2027" in html
    for title in ("Family nights that work", "Círculos de familias", "Day two workshop"):
        assert title in html
    assert "programme-filters" not in html
    assert "Rosa Pérez" in html and "Pending Pat" not in html


def test_changes_page_lists_new_moved_and_cancelled_of_each_version(client, build):
    redwood = build.room("Redwood Hall")
    oak = build.room("Oak Room")
    nine = build.slot(DAY_ONE, "09:00", "10:00")
    late = build.slot(DAY_ONE, "14:30", "15:30")
    moved = build.proposal("Moving session")
    gone = build.proposal("Cancelled session")
    added = build.proposal("Added session")

    build.release(
        {moved: (nine, redwood), gone: (nine, oak)},
        changelog=[
            change("new", moved, "Moving session", after=placed("09:00", "Redwood Hall")),
            change("new", gone, "Cancelled session", after=placed("09:00", "Oak Room")),
        ],
    )
    build.release(
        {moved: (late, oak), gone: (nine, oak), added: (nine, redwood)},
        cancelled=(gone,),
        note_en="Rooms swapped after the fire drill.",
        changelog=[
            change("new", added, "Added session", after=placed("09:00", "Redwood Hall")),
            change(
                "moved",
                moved,
                "Moving session",
                before=placed("09:00", "Redwood Hall"),
                after=placed("14:30", "Oak Room"),
            ),
            change("cancelled", gone, "Cancelled session", before=placed("09:00", "Oak Room")),
        ],
    )

    html = page(client, f"{BASE}/changes")

    newest, older = html.split('id="version-1"')
    assert "Version 2" in newest and "Rooms swapped after the fire drill." in newest
    assert "New sessions" in newest and "Moved sessions" in newest
    assert "Cancelled sessions" in newest
    moved_item = re.search(r"Moving session</a>(.*?)</li>", newest, re.S).group(1)
    assert re.search(r"Was: <del>.*9:00 AM.*Redwood Hall</del>", moved_item)
    assert re.search(r"Now: <ins>.*2:30 PM.*Oak Room</ins>", moved_item)
    assert f'href="/2027/programme/sessions/{added}">Added session</a>' in newest
    assert "Moving session" in older and "Moved sessions" not in older


def test_export_json_has_the_released_schedule(client, summit_programme):
    response = client.get(f"/{SLUG}/programme.json")
    data = response.get_json()

    assert response.status_code == 200
    assert data["version"] == 1
    assert data["timezone"] == "America/Los_Angeles"
    assert data["released_at"] == "2027-08-01T10:00:00-07:00"
    assert data["summit"]["slug"] == SLUG
    assert [r["name"] for r in data["rooms"]] == ["Redwood Hall", "Oak Room"]
    assert data["rooms"][0]["capacity"] == 120
    by_code = {s["code"]: s for s in data["sessions"]}
    family = by_code[summit_programme["family"]]
    assert family == {
        "code": summit_programme["family"],
        "title": "Family nights that work",
        "track": {
            "code": "pillar-family",
            "name_en": "Family and community engagement",
            "name_es": "Participación de las familias y la comunidad",
        },
        "format": {
            "code": "workshop-60",
            "name_en": "Workshop (60 minutes)",
            "name_es": "Taller (60 minutos)",
        },
        "language": "en",
        "interpretation": False,
        "day": "2027-09-23",
        "kind": "session",
        "starts_at": "2027-09-23T09:00:00-07:00",
        "ends_at": "2027-09-23T10:00:00-07:00",
        "room": summit_programme["redwood"],
        "room_name": "Redwood Hall",
        "presenters": ["Rosa Pérez", "Ben Ortiz", "Maya", "Sam Shared"],
        "cancelled": False,
        "sequence": 0,
        "url": f"http://localhost/2027/programme/sessions/{summit_programme['family']}",
    }
    assert by_code[summit_programme["cancelled"]]["cancelled"] is True
    assert by_code[summit_programme["keynote"]]["track"] is None
    assert summit_programme["unplaced"] not in by_code
    assert "@example.org" not in response.get_data(as_text=True)


# --- cost and languages ---------------------------------------------------------------------


class StatementCounter:
    def __init__(self, engine):
        self.engine = engine
        self.count = 0

    def __call__(self, *args, **kwargs):
        self.count += 1

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self)


def test_programme_query_count_does_not_grow_with_sessions(app, client, build):
    rooms = [build.room(f"Room {i}", position=i) for i in range(5)]
    slots = [build.slot(DAY_ONE, f"{9 + i:02d}:00", f"{9 + i:02d}:50") for i in range(6)]
    cells = [(slot, room) for slot in slots for room in rooms]
    codes = [
        build.proposal(
            f"Session {i}",
            secondary=("commit-asset",),
            presenters=[("Lead Person", {}), (f"Co Presenter {i}", {})],
        )
        for i in range(30)
    ]
    counts = {}
    for size in (5, 30):
        build.release(dict(zip(codes[:size], cells[:size], strict=True)))
        for view in ("grid", "list"):
            with app.app_context():
                engine = db.engine
            with StatementCounter(engine) as counter:
                html = page(client, f"{BASE}?view={view}")
            assert len(card_titles(html)) == size
            counts[(size, view)] = counter.count
        with StatementCounter(engine) as counter:
            page(client, f"{BASE}/print")
        counts[(size, "print")] = counter.count

    assert counts[(5, "grid")] == counts[(30, "grid")]
    assert counts[(5, "list")] == counts[(30, "list")]
    assert counts[(5, "print")] == counts[(30, "print")]
    assert counts[(30, "grid")] <= 12, counts


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("", "Participación de las familias y la comunidad"),
        ("?view=list", "Participación de las familias y la comunidad"),
        ("/tracks", "Participación de las familias y la comunidad"),
        ("/tracks/pillar-family", "Participación de las familias y la comunidad"),
        ("/print", "Participación de las familias y la comunidad"),
        ("/changes", "Family nights that work"),
        ("/sessions/{family}", "Taller (60 minutos)"),
    ],
)
def test_programme_in_spanish_renders(client, summit_programme, path, expected):
    client.set_cookie("summit_lang", "es")

    html = page(client, BASE + path.format(family=summit_programme["family"]))

    assert '<html lang="es">' in html
    assert expected in html


def test_programme_in_spanish_writes_days_and_times_the_spanish_way(client, summit_programme):
    client.set_cookie("summit_lang", "es")

    html = page(client, f"{BASE}?view=list")

    assert "jueves, 23 de septiembre de 2027" in html
    assert "9:00–10:00" in re.sub(r"<[^>]+>", "", html)
    assert "Café" in html
    # English session text is marked as English on a Spanish page.
    assert 'lang="en">Family nights that work</a>' in html


def test_programme_nav_link_is_on_the_summit_pages(client, build):
    html = page(client, f"/{SLUG}/")

    assert f'href="/{SLUG}/programme"' in html


# --- the two ways sessions are read ---------------------------------------------------------
# Listings read plain columns; one session page reads ORM rows. Both must give the same.


def _two_track_session(build, summit_programme):
    """A session with two secondary tracks, released with the others (version 2)."""
    code = build.proposal(
        "Two more tracks",
        secondary=("pillar-supports", "commit-asset"),
        presenters=[("Lead Person", {}), ("Hidden Minor", MINOR)],
    )
    slots = summit_programme["slots"]
    build.release(
        {
            summit_programme["family"]: (slots["nine"], summit_programme["redwood"]),
            summit_programme["circles"]: (slots["nine"], summit_programme["oak"]),
            code: (slots["late"], summit_programme["redwood"]),
        }
    )
    return code


def test_listing_and_session_reading_agree_on_every_session(app, build, summit_programme):
    from summit.scheduling import programme
    from summit.summits.queries import get_summit_by_slug

    _two_track_session(build, summit_programme)
    with app.app_context():
        summit = get_summit_by_slug(SLUG)
        listed = programme.list_released(summit)
        assert len(listed) == 3
        for session in listed:
            db.session.expunge_all()  # nothing shared between the two readings
            one = programme.get_released_session(get_summit_by_slug(SLUG), session.code)
            assert _comparable(one) == _comparable(session)
            db.session.expunge_all()
            summit_found, with_summit = programme.get_summit_and_session(SLUG, session.code)
            assert summit_found.id == summit.id
            assert _comparable(with_summit) == _comparable(session)


def test_summit_and_session_reading_finds_nothing_for_another_summit_or_code(
    app, make_summit, summit_programme
):
    from summit.scheduling import programme
    from summit.summits.queries import get_summit_by_slug

    make_summit("other-summit")
    with app.app_context():
        code = programme.list_released(get_summit_by_slug(SLUG))[0].code
        assert programme.get_summit_and_session(SLUG, code) is not None
        assert programme.get_summit_and_session("other-summit", code) is None
        assert programme.get_summit_and_session("no-such-summit", code) is None
        assert programme.get_summit_and_session(SLUG, "PRO-NOPE1") is None


def test_session_page_of_an_unknown_summit_answers_404(client, summit_programme):
    page(client, "/no-such-summit/programme/sessions/PRO-NOPE1", 404)


def _comparable(session) -> dict:
    from dataclasses import asdict

    values = asdict(session)
    values["track"] = session.track.code if session.track else None
    values["format"] = session.format.code if session.format else None
    values["secondary_tracks"] = [t.code for t in session.secondary_tracks]
    return values


def test_listing_shows_secondary_tracks_in_track_order_and_hides_unconsented_minors(
    app, build, summit_programme
):
    from summit.scheduling import programme
    from summit.summits.queries import get_summit_by_slug

    code = _two_track_session(build, summit_programme)
    with app.app_context():
        summit = get_summit_by_slug(SLUG)
        session = next(s for s in programme.list_released(summit) if s.code == code)
        positions = [t.position for t in session.secondary_tracks]
        assert positions == sorted(positions) and len(positions) == 2
        assert [p.name for p in session.presenters] == ["Lead Person"]


def test_listing_reads_a_track_renamed_after_the_page_loaded_it(app, build, summit_programme):
    """Tracks already in the session are reused only while they are current."""
    from summit.scheduling import programme
    from summit.summits.queries import get_summit_by_slug, get_track

    with app.app_context():
        summit = get_summit_by_slug(SLUG)
        before = programme.list_released(summit)
        family = next(s for s in before if s.code == summit_programme["family"])
        assert family.track.name("en") != "Renamed track"
        get_track(summit, "pillar-family").name_en = "Renamed track"
        db.session.commit()  # expires what the session holds
        after = programme.list_released(get_summit_by_slug(SLUG))
        family = next(s for s in after if s.code == summit_programme["family"])
        assert family.track.name("en") == "Renamed track"


def test_listing_keeps_the_released_name_of_a_deleted_room(app, build, summit_programme):
    from summit.scheduling import programme
    from summit.scheduling.models import Room
    from summit.summits.queries import get_summit_by_slug

    with app.app_context():
        room = db.session.scalar(db.select(Room).where(Room.code == summit_programme["oak"]))
        db.session.delete(room)
        db.session.commit()
        listed = programme.list_released(get_summit_by_slug(SLUG))
        in_oak = [s for s in listed if s.room.name == "Oak Room"]
        assert len(in_oak) == 3 and all(s.room.code is None for s in in_oak)
        assert _comparable(in_oak[0]) == _comparable(
            programme.get_released_session(get_summit_by_slug(SLUG), in_oak[0].code)
        )
