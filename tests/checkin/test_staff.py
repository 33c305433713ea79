"""Check-in pages for people: the door's look-up, the staff dashboard, offline conflicts.

The numbers asserted here are counted by hand from the ``floor`` fixture's docstring."""

import html
import re

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import event

from summit.checkin import services
from summit.checkin.models import Scan
from summit.extensions import db
from tests.checkin.conftest import DAY_ONE, DAY_TWO, book, local, token_of

LOOKUP = "/2027/door/lookup"
CHECK_IN = "/2027/door/lookup/check-in"
UNDO = "/2027/door/lookup/undo"
DASHBOARD = "/2027/staff/checkin"
CONFLICTS = "/2027/staff/checkin/conflicts"


# --- reading pages --------------------------------------------------------------------


def _clean(fragment: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", " ", fragment))
    return " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())


def text(response) -> str:
    return _clean(response.get_data(as_text=True))


def _table(page: str, table_id: str) -> str:
    found = re.search(rf'<table[^>]*id="{table_id}".*?</table>', page, re.S)
    assert found, f"no table #{table_id}"
    return found.group(0)


def row_table(page: str, table_id: str) -> dict[str, list[str]]:
    """Row heading -> the cells after it, for a table whose rows start with a <th>."""
    rows = re.findall(r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', _table(page, table_id), re.S)
    return {_clean(head): [_clean(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)]
            for head, cells in rows}  # fmt: skip


def stack_rows(page: str, table_id: str) -> list[list[str]]:
    """The cells of each body row of a table-stack table."""
    body = re.search(r"<tbody>(.*?)</tbody>", _table(page, table_id), re.S).group(1)
    return [
        [_clean(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def households(page: str) -> dict[str, list[str]]:
    """Household code -> the names listed in its card, in order."""
    cards = re.findall(r'aria-labelledby="household-(\w+)">(.*?)</section>', page, re.S)
    return {
        code: [_clean(n) for n in re.findall(r'data-label="Name"><strong>(.*?)</strong>', card)]
        for code, card in cards
    }


def person_row(page: str, name: str) -> str:
    row = re.search(rf"<tr>\s*<td data-label=\"Name\"><strong>{re.escape(name)}</strong>.*?</tr>",
                    page, re.S)  # fmt: skip
    assert row, f"no row for {name}"
    return _clean(row.group(0))


def in_spanish(app, msgid: str, **values) -> str:
    with app.test_request_context(), force_locale("es"):
        return gettext(msgid, **values)


def scans_of(app, code: str) -> list[tuple[str, str]]:
    """(result, device) of every scan of one attendee, oldest first."""
    from summit.registration.models import Attendee

    with app.app_context():
        return [
            (s.result, s.device)
            for s in db.session.scalars(
                db.select(Scan).join(Attendee).where(Attendee.code == code).order_by(Scan.id)
            )
        ]


def count_scans(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(Scan.id)))


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


def statements(app, client, url: str) -> int:
    with app.app_context():
        engine = db.engine
    with StatementCounter(engine) as counter:
        response = client.get(url)
    assert response.status_code == 200
    return counter.count


def post_form(floor, name: str, day=DAY_ONE, **extra) -> dict:
    return {"attendee": floor.people[name], "checkpoint": floor.entrances[day], **extra}


# --- who may see what -----------------------------------------------------------------


def test_door_staff_may_use_the_lookup_but_not_the_dashboard(client, floor, login_as):
    login_as("door")

    statuses = [client.get(url).status_code for url in (LOOKUP, DASHBOARD, CONFLICTS)]

    assert statuses == [200, 403, 403]
    page = client.get(f"{LOOKUP}?q=perez").get_data(as_text=True)
    assert "Rosa Pérez" in page
    assert 'aria-label="Staff pages"' not in page  # door staff are not shown staff links


@pytest.mark.parametrize("role", ["reviewer", None])
def test_other_roles_are_refused_and_nothing_is_recorded(app, client, floor, login_as, role):
    login_as(role)
    before = count_scans(app)

    statuses = {
        "lookup": client.get(f"{LOOKUP}?q=perez").status_code,
        "check-in": client.post(CHECK_IN, data=post_form(floor, "Ana Ortiz")).status_code,
        "undo": client.post(UNDO, data=post_form(floor, "Rosa Pérez")).status_code,
        "dashboard": client.get(DASHBOARD).status_code,
        "conflicts": client.get(CONFLICTS).status_code,
    }

    assert statuses == dict.fromkeys(statuses, 403)
    assert count_scans(app) == before


def test_anonymous_visitors_are_sent_to_log_in(app, client, floor):
    before = count_scans(app)

    responses = [
        client.get(LOOKUP),
        client.post(CHECK_IN, data=post_form(floor, "Ana Ortiz")),
        client.post(UNDO, data=post_form(floor, "Rosa Pérez")),
        client.get(DASHBOARD),
        client.get(CONFLICTS),
    ]

    assert [r.status_code for r in responses] == [302] * 5
    assert all("/account/login" in r.headers["Location"] for r in responses)
    assert count_scans(app) == before


def test_staff_reach_the_dashboard_from_the_staff_pages(client, floor, login_as):
    login_as("staff")

    page = client.get("/2027/staff/registrations").get_data(as_text=True)

    assert 'href="/2027/staff/checkin">Check-in</a>' in page
    dashboard = client.get(DASHBOARD).get_data(as_text=True)
    assert re.search(r'active"\s+aria-current="page" href="/2027/staff/checkin">', dashboard)


# --- the look-up ----------------------------------------------------------------------


@pytest.mark.parametrize("query", ["perez", "PÉREZ", "Pérez", "luis p", "ROSA@example", "{luis}"])
def test_lookup_finds_the_household_together(client, floor, login_as, query):
    login_as("door")
    query = query.format(luis=floor.people["Luis Pérez"].lower())

    page = client.get(LOOKUP, query_string={"q": query}).get_data(as_text=True)

    assert households(page) == {floor.households["Rosa Pérez"]: ["Rosa Pérez", "Luis Pérez"]}


def test_lookup_finds_by_email_and_by_code(client, floor, login_as):
    login_as("door")

    by_email = client.get(LOOKUP, query_string={"q": "ben@example.org"}).get_data(as_text=True)
    by_code = client.get(LOOKUP, query_string={"q": floor.people["Ana Ortiz"]})

    assert households(by_email) == {floor.households["Ben Brooks"]: ["Ben Brooks"]}
    assert households(by_code.get_data(as_text=True)) == {
        floor.households["Ana Ortiz"]: ["Ana Ortiz"]
    }


@pytest.mark.parametrize(
    ("query", "found"),
    [("0%", ["Team 100% Lee"]), ("%%", []), ("a_o", []), ("__", []), ("\\x", [])],
)
def test_lookup_takes_percent_and_underscore_literally(client, floor, login_as, query, found):
    login_as("door")

    page = client.get(LOOKUP, query_string={"q": query})

    names = [n for names in households(page.get_data(as_text=True)).values() for n in names]
    assert page.status_code == 200
    assert names == found


def test_lookup_shows_ticket_status_flags_and_the_standing_check_in(client, floor, login_as):
    login_as("door")

    page = client.get(
        LOOKUP, query_string={"q": "perez", "checkpoint": floor.entrances[DAY_ONE]}
    ).get_data(as_text=True)

    rosa, luis = person_row(page, "Rosa Pérez"), person_row(page, "Luis Pérez")
    assert "Family member Confirmed ASL interpreter Yes, at 9:05 AM by Dora Door" in rosa
    assert "Undo check-in Rosa Pérez" in rosa
    assert "Youth Confirmed Under 18: with a guardian No photos Not yet" in luis
    assert "Check in Luis Pérez" in luis


def test_lookup_checked_in_column_follows_the_chosen_checkpoint(client, floor, login_as):
    login_as("door")

    page = client.get(
        LOOKUP, query_string={"q": "perez", "checkpoint": floor.entrances[DAY_TWO]}
    ).get_data(as_text=True)

    assert "Not yet" in person_row(page, "Rosa Pérez")
    assert "Yes, at 8:50 AM" in person_row(page, "Luis Pérez")


def test_lookup_sends_unconfirmed_people_to_the_desk(client, floor, login_as):
    login_as("door")

    page = client.get(LOOKUP, query_string={"q": "wanda"}).get_data(as_text=True)

    row = person_row(page, "Wanda Wait")
    assert "Waiting for email confirmation" in row
    assert "Send them to the registration desk." in row
    assert "Check in Wanda Wait" not in row


@pytest.mark.parametrize(("query", "says"), [
    ("a", "Type at least two letters"),
    ("zzzz", "Nobody matches “zzzz”"),
])  # fmt: skip
def test_lookup_explains_an_empty_result(client, floor, login_as, query, says):
    login_as("door")

    response = client.get(LOOKUP, query_string={"q": query})

    assert response.status_code == 200
    assert says in text(response)


def test_manual_check_in_then_again_says_already_with_the_first(app, client, floor, login_as):
    login_as("door")
    form = post_form(floor, "Ana Ortiz", q="ortiz")

    first = client.post(CHECK_IN, data=form)
    again = client.post(CHECK_IN, data=form)

    assert first.status_code == 303 and "scan=manual-" in first.headers["Location"]
    shown = client.get(first.headers["Location"]).get_data(as_text=True)
    assert 'class="alert alert-success checkin-result"' in shown
    assert "Checked in: Ana Ortiz" in _clean(shown) and "Welcome them in." in _clean(shown)
    assert "Yes, at" in person_row(shown, "Ana Ortiz")  # the search is shown again
    repeat = client.get(again.headers["Location"]).get_data(as_text=True)
    assert 'class="alert alert-warning checkin-result"' in repeat
    assert "Already checked in: Ana Ortiz" in _clean(repeat)
    assert "Ask whether someone else used this ticket" in _clean(repeat)
    assert "First checked in at" in _clean(repeat) and "by Test Person" in _clean(repeat)
    assert scans_of(app, floor.people["Ana Ortiz"]) == [
        ("checked_in", "North door"),
        ("annulled", "North door"),
        ("checked_in", "look-up"),
        ("already_checked_in", "look-up"),
    ]


def test_manual_check_in_of_an_unconfirmed_person_is_red(app, client, floor, login_as):
    login_as("door")

    response = client.post(CHECK_IN, data=post_form(floor, "Wanda Wait"))

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'class="alert alert-danger checkin-result"' in page
    assert "Not confirmed yet" in _clean(page)
    assert "Send them to the registration desk: they are waitlisted" in _clean(page)
    assert scans_of(app, floor.people["Wanda Wait"]) == [("not_confirmed", "look-up")]


def test_undo_annuls_the_standing_check_in(app, client, floor, login_as):
    login_as("door")

    response = client.post(UNDO, data=post_form(floor, "Rosa Pérez", q="perez"))

    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Check-in undone: Rosa Pérez" in _clean(page)
    assert "Not yet" in person_row(page, "Rosa Pérez")
    assert scans_of(app, floor.people["Rosa Pérez"])[-1] == ("annulled", "North door")
    again = client.post(UNDO, data=post_form(floor, "Rosa Pérez"))
    assert again.status_code == 409
    assert "Rosa Pérez is not checked in at Entrance" in text(again)


@pytest.mark.parametrize(
    ("form", "status", "says"),
    [
        ({"attendee": "NOPE1234"}, 404, "No ticket has the code “NOPE1234”"),
        ({"checkpoint": "ZZZZZZ"}, 404, "Unknown checkpoint"),
        ({"attendee": "", "checkpoint": ""}, 404, "Unknown checkpoint"),
        ({"attendee": "x" * 500}, 404, "No ticket has the code"),
    ],
)
@pytest.mark.parametrize("url", [CHECK_IN, UNDO])
def test_bad_codes_are_refused_with_a_message(app, client, floor, login_as, url, form, status,
                                              says):  # fmt: skip
    login_as("door")
    before = count_scans(app)

    response = client.post(url, data=post_form(floor, "Ana Ortiz") | form)

    assert response.status_code == status
    assert "Nothing was recorded" in text(response) and says in text(response)
    assert count_scans(app) == before


def test_a_ticket_of_another_summit_is_unknown_there(app, client, floor, make_summit, make_user,
                                                     auth):  # fmt: skip
    from summit.checkin.services import ensure_entrances
    from summit.summits.queries import get_summit_by_slug

    make_summit("2028")
    with app.app_context():
        entrance = ensure_entrances(get_summit_by_slug("2028"))[0].code
        db.session.commit()
    auth.login(make_user(roles=("door",), slug="2028"))
    before = count_scans(app)

    response = client.post(
        "/2028/door/lookup/check-in",
        data={"attendee": floor.people["Ana Ortiz"], "checkpoint": entrance},
    )
    elsewhere = client.post(CHECK_IN, data=post_form(floor, "Ana Ortiz"))

    assert response.status_code == 404 and "No ticket has the code" in text(response)
    assert elsewhere.status_code == 403  # door staff of 2028 only
    assert count_scans(app) == before


def test_garbage_in_the_query_string_never_breaks_the_pages(client, floor, login_as):
    login_as("staff")

    responses = [
        client.get(LOOKUP, query_string={"q": "x" * 500, "checkpoint": "nope", "scan": "nope"}),
        client.get(DASHBOARD, query_string={"day": "not-a-day"}),
        client.get(DASHBOARD, query_string={"day": "2030-01-01"}),
    ]

    assert [r.status_code for r in responses] == [200, 200, 200]
    assert "checkin-result" not in responses[0].get_data(as_text=True)


# --- the dashboard --------------------------------------------------------------------


def day_page(client, day=DAY_ONE) -> str:
    return client.get(DASHBOARD, query_string={"day": day.isoformat()}).get_data(as_text=True)


def test_dashboard_counts_arrivals_per_quarter_hour(client, floor, login_as):
    login_as("staff")

    page = day_page(client)

    assert "3 of 4 confirmed people checked in (75%)" in _clean(page)
    assert row_table(page, "arrivals") == {
        "9:00 AM": ["2"],  # Rosa 09:05, Ben 09:10 (his device's time, sent later)
        "9:15 AM": ["0"],  # Ana 09:20 was undone
        "9:30 AM": ["1"],  # Lee 09:40
        "Total": ["3"],
    }
    bars = re.findall(r'<rect class="chart-bar"[^>]*height="([\d.]+)"', page)
    assert len(bars) == 3 and float(bars[1]) == 0 and float(bars[0]) == 2 * float(bars[2])
    assert "style=" not in page


def test_dashboard_counts_checked_in_against_registered(client, floor, login_as):
    login_as("staff")

    page = day_page(client)

    assert row_table(page, "turnout-ticket-type") == {
        "Family member": ["2", "2", "100"],
        "Youth": ["0", "0", "—"],  # Luis's ticket is for day two
        "Educator": ["1", "2", "50"],  # Ana's check-in was undone
    }
    assert row_table(page, "turnout-role") == {
        "Educator": ["1", "2", "50"],
        "Student": ["0", "0", "—"],
        "Family member": ["1", "1", "100"],  # Wanda is not confirmed
        "Not given": ["1", "1", "100"],
    }
    assert row_table(page, "turnout-region") == {
        "Region 7": ["1", "1", "100"],
        "Region 8": ["1", "2", "50"],
        "No region": ["1", "1", "100"],
    }


def test_dashboard_filters_by_day(client, floor, login_as):
    login_as("staff")

    page = day_page(client, DAY_TWO)

    assert "1 of 5 confirmed people checked in (20%)" in _clean(page)
    assert row_table(page, "turnout-ticket-type")["Youth"] == ["1", "1", "100"]
    assert re.search(r'aria-current="page"\s+href="/2027/staff/checkin\?day=2027-09-24"', page)
    assert "No sessions of the released schedule fall on this day" in _clean(page)


def test_dashboard_session_attendance_against_capacity(client, floor, login_as):
    login_as("staff")

    rows = stack_rows(day_page(client), "session-attendance")

    assert rows == [
        ["Family nights that work", "10:00 AM–11:00 AM", "Hall A", "3", "2", "150% Over capacity"],
        [
            "Data for families No scanner set up for this session",
            "10:00 AM–11:00 AM",
            "Room B",
            "0",
            "30",
            "0%",
        ],
    ]


def test_dashboard_lists_devices_with_their_last_sync(client, floor, login_as):
    login_as("staff")

    rows = stack_rows(day_page(client), "devices")

    assert rows == [
        ["North door", "9/24/27, 8:50 AM", "5", "0", "0"],  # with Ana's undo
        ["Hall A door", "9/23/27, 10:02 AM", "3", "0", "0"],
        ["Phone B", "9/23/27, 9:45 AM", "1", "1", "0"],
        ["Phone A", "9/23/27, 9:30 AM", "1", "1", "0"],
    ]


def _more_people(app, start: int, n: int) -> None:
    """``n`` more confirmed households of two, each checked in at the day-one entrance and
    the session from a device of its own; every other device offline."""
    from summit.checkin import queries
    from summit.registration.models import TicketType
    from summit.summits.queries import get_summit_by_slug

    with app.app_context():
        summit = get_summit_by_slug("2027")
        family = db.session.scalar(db.select(TicketType).where(TicketType.code == "family"))
        entrance = queries.get_entrance(summit, DAY_ONE)
        hall = next(c for c in queries.list_checkpoints(summit) if c.kind == "session")
        for i in range(start, start + n):
            booking = book(
                summit,
                family,
                {"name": f"Extra {i}", "email": f"extra{i}@example.org", "county": "Kern",
                 "role_type": "other"},
                {"name": f"Extra kid {i}", "email": None},
                contact=f"extra{i}@example.org",
            )  # fmt: skip
            for j, attendee in enumerate(booking.attendees):
                for checkpoint in (entrance, hall):
                    services.record_scan(
                        summit,
                        token=token_of(summit, attendee),
                        checkpoint=checkpoint,
                        scan_id=f"x-{i}-{j}-{checkpoint.code}",
                        actor=None,
                        at=local(DAY_ONE, f"{10 + i % 8:02d}:{(7 * i) % 60:02d}"),
                        device=f"Extra phone {i}",
                        was_offline=bool(i % 2),
                    )
        db.session.commit()


def test_dashboard_and_lookup_query_counts_do_not_grow(app, client, floor, login_as):
    login_as("staff")
    pages = {
        "dashboard": f"{DASHBOARD}?day={DAY_ONE.isoformat()}",
        "conflicts": CONFLICTS,
        "lookup": f"{LOOKUP}?q=extra&checkpoint={floor.entrances[DAY_ONE]}",
    }
    _more_people(app, 0, 1)
    statements(app, client, pages["dashboard"])  # warm up once
    small = {name: statements(app, client, url) for name, url in pages.items()}

    _more_people(app, 1, 11)
    large = {name: statements(app, client, url) for name, url in pages.items()}

    assert large == small
    assert small["dashboard"] <= 16, small
    print("statements per page:", small)
    lookup = client.get(pages["lookup"]).get_data(as_text=True)
    assert len(households(lookup)) == 12
    assert lookup.count("Undo check-in") == 24


# --- offline conflicts ----------------------------------------------------------------


def test_conflicts_lists_an_offline_double_admission_with_both_scans(client, floor, login_as):
    login_as("staff")

    page = client.get(CONFLICTS).get_data(as_text=True)

    cards = re.findall(r'<section class="card mb-3" aria-labelledby="conflict-\d+">', page)
    assert len(cards) == 1
    assert "Ben Brooks" in page and "Rosa Pérez" not in page
    rows = [r for r in re.findall(r"<tr>(.*?)</tr>", page, re.S) if "data-label" in r]
    assert [_clean(r) for r in rows] == [
        "Admitted first 9/23/27, 9:10 AM 9/23/27, 9:30 AM (synced from offline) "
        "Entrance, Thursday, September 23, 2027 Phone A Sam Scanner",
        "Admitted again offline 9/23/27, 9:12 AM 9/23/27, 9:45 AM (synced from offline) "
        "Entrance, Thursday, September 23, 2027 Phone B Dora Door",
    ]
    assert f'href="/2027/staff/registrations/{floor.households["Ben Brooks"]}"' in page
    assert "1 offline conflict" in _clean(day_page(client))


def test_conflicts_page_without_conflicts_explains_itself(app, client, floor, login_as):
    with app.app_context():
        db.session.execute(db.delete(Scan).where(Scan.result == "already_checked_in"))
        db.session.commit()
    login_as("staff")

    response = client.get(CONFLICTS)

    assert response.status_code == 200
    assert "No conflicts." in text(response)
    assert "0 offline conflicts" in _clean(day_page(client))


# --- Spanish --------------------------------------------------------------------------


@pytest.mark.parametrize("url", [f"{LOOKUP}?q=perez", DASHBOARD + "?day=2027-09-23", CONFLICTS])
def test_pages_render_in_spanish(app, client, floor, login_as, url):
    login_as("staff")
    client.post("/lang", data={"lang": "es"})

    response = client.get(url)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="es">' in page
    assert in_spanish(app, "Staff pages") in page
    assert "jueves, 23 de septiembre de 2027" in _clean(page)  # the day one entrance


def test_manual_check_in_answers_in_spanish(app, client, floor, login_as):
    login_as("door")
    client.post("/lang", data={"lang": "es"})

    response = client.post(CHECK_IN, data=post_form(floor, "Ana Ortiz"))

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<html lang="es">' in page
    assert in_spanish(app, "Welcome them in.") in page
