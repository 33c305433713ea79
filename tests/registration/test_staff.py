"""Staff set up ticket types: saved, audited, validated, staff only."""

from summit.extensions import db
from summit.registration.models import TicketType


def _form(**overrides):
    data = {
        "code": "family",
        "name_en": "Family member",
        "name_es": "Familiar",
        "capacity": "120",
        "position": "0",
        "is_active": "y",
    }
    return {**data, **overrides}


def test_new_ticket_type_is_saved_and_audited(app, client, login_as):
    login_as("staff")

    response = client.post("/2027/staff/tickets/new", data=_form(access_code="comp2027"))

    assert response.status_code == 302
    with app.app_context():
        saved = db.session.scalar(db.select(TicketType).where(TicketType.code == "family"))
        assert (saved.capacity, saved.taken, saved.access_code) == (120, 0, "COMP2027")
    page = client.get("/2027/staff/tickets").get_data(as_text=True)
    assert "Family member" in page and "0 / 120" in page
    assert "ticket_type.create" in client.get("/2027/staff/audit").get_data(as_text=True)


def test_edit_ticket_type_keeps_code_and_changes_seats(app, client, login_as):
    login_as("staff")
    client.post("/2027/staff/tickets/new", data=_form())

    response = client.post("/2027/staff/tickets/family", data=_form(capacity="80"))

    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(TicketType.capacity)) == 80


def test_new_ticket_type_bad_input_shows_field_errors_and_keeps_text(client, login_as):
    login_as("staff")
    client.post("/2027/staff/tickets/new", data=_form())

    duplicate = client.post("/2027/staff/tickets/new", data=_form(name_en="Typed name"))
    no_seats = client.post("/2027/staff/tickets/new", data=_form(code="other", capacity="0"))

    assert duplicate.status_code == 422
    assert "Another ticket type uses this code." in duplicate.get_data(as_text=True)
    assert 'value="Typed name"' in duplicate.get_data(as_text=True)
    assert no_seats.status_code == 422


def test_ticket_type_pages_unknown_code_is_404_and_reviewer_is_forbidden(client, login_as):
    login_as("reviewer")

    assert client.get("/2027/staff/tickets").status_code == 403
    assert client.get("/2027/staff/tickets/new").status_code == 403


def test_ticket_type_unknown_code_is_404_for_staff(client, login_as):
    login_as("staff")

    assert client.get("/2027/staff/tickets/nope").status_code == 404


# --- registrations: helpers ----------------------------------------------------------

import csv  # noqa: E402
import io  # noqa: E402
import re  # noqa: E402

import pytest  # noqa: E402

from tests.registration.conftest import DAY_ONE, link_in  # noqa: E402

BASE = "/2027/staff/registrations"


@pytest.fixture
def type_ids(app):
    def read() -> dict[str, str]:
        with app.app_context():
            return {t.code: str(t.id) for t in db.session.scalars(db.select(TicketType))}

    return read


def person_form(ticket_id, **overrides) -> dict:
    """The staff person form (edit, complimentary ticket) as the browser posts it."""
    data = {
        "name": "Guest Speaker",
        "email": "guest@example.org",
        "ticket_type": ticket_id,
        "organisation": "",
        "role_type": "",
        "county": "",
        "preferred_language": "en",
        "age_band": "adult",
        "guardian_name": "",
        "guardian_email": "",
        "dietary_needs": "",
    }
    return {**data, **overrides}


def flashes(client, response) -> str:
    """The page a redirect leads to, as text (where the flash message shows)."""
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client.get(response.headers["Location"]).get_data(as_text=True)


def csv_rows(response) -> list[dict]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")  # a BOM so spreadsheet apps read UTF-8
    return list(csv.DictReader(io.StringIO(text[1:])))


def table_row(page: str, label: str) -> list[str]:
    """The cells after the row heading ``label`` in a table, as stripped text."""
    row = re.search(rf"<tr><th scope=\"row\">(?:<a[^>]*>)?{re.escape(label)}.*?</tr>", page, re.S)
    assert row, f"no row {label!r}"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(0), re.S)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]


@pytest.fixture
def households(registration_open, make_booking):
    """Ana and Ben (confirmed family), Vic (vip, waiting for approval)."""
    return {
        "family": make_booking(
            {"name": "Ana Alvarez", "email": "ana@example.org", "county": "Fresno"},
            {"name": "Ben Brooks", "email": "ben@example.org", "county": "Kern"},
            contact="ana@example.org",
        ),
        "vip": make_booking(
            {"name": "Vic Vargas", "email": "vic@example.org", "ticket": "vip"},
            contact="vic@example.org",
        ),
    }


def staff_pages(households) -> list[tuple[str, str]]:
    family, vip = households["family"], households["vip"]
    person = f"{BASE}/{family.code}/{family.people[0]}"
    return [
        ("GET", BASE),
        ("GET", f"{BASE}?q=ana&county=Fresno"),
        ("GET", f"{BASE}/export.csv"),
        ("GET", f"{BASE}/needs"),
        ("GET", f"{BASE}/comp"),
        ("POST", f"{BASE}/comp"),
        ("GET", f"{BASE}/{family.code}"),
        ("POST", f"{BASE}/{vip.code}/approve"),
        ("POST", f"{BASE}/{vip.code}/decline"),
        ("POST", f"{BASE}/{family.code}/resend"),
        ("POST", f"{person}/cancel"),
        ("POST", f"{person}/reissue"),
        ("GET", f"{person}/edit"),
        ("POST", f"{person}/edit"),
        ("GET", "/2027/staff/tickets"),
        ("GET", "/2027/staff/tickets/new"),
        ("POST", "/2027/staff/tickets/new"),
        ("GET", "/2027/staff/tickets/family"),
        ("POST", "/2027/staff/tickets/family"),
    ]


def _nothing_changed(households, load_booking, audit_log, seats, before_audit):
    assert load_booking(households["vip"].code)["state"] == "pending_approval"
    family = load_booking(households["family"].code)
    assert family["state"] == "confirmed"
    assert [(p["name"], p["version"], p["cancelled"]) for p in family["people"]] == [
        ("Ana Alvarez", 1, False),
        ("Ben Brooks", 1, False),
    ]
    assert seats() == {"family": 2, "youth": 0, "vip": 0}
    assert audit_log() == before_audit  # no export, comp, approval… recorded


# --- who may see the staff pages ------------------------------------------------------


@pytest.mark.parametrize("role", ["reviewer", "door"])
def test_staff_registration_pages_are_forbidden_to_other_roles(
    app, client, login_as, households, load_booking, audit_log, seats, role
):
    login_as(role)
    before = audit_log()
    data = person_form("1", name="Intruder", email="intruder@example.org")

    statuses = {
        f"{method} {url}": client.open(url, method=method, data=data).status_code
        for method, url in staff_pages(households)
    }

    assert statuses == dict.fromkeys(statuses, 403)
    _nothing_changed(households, load_booking, audit_log, seats, before)


def test_staff_registration_pages_send_anonymous_visitors_to_log_in(
    client, households, load_booking, audit_log, seats
):
    before = audit_log()

    responses = {
        f"{method} {url}": client.open(url, method=method, data=person_form("1"))
        for method, url in staff_pages(households)
    }

    assert {k: r.status_code for k, r in responses.items()} == dict.fromkeys(responses, 302)
    assert all("/account/login" in r.headers["Location"] for r in responses.values())
    _nothing_changed(households, load_booking, audit_log, seats, before)


def test_staff_of_another_summit_cannot_see_this_summits_registrations(
    client, make_summit, make_user, auth, households, load_booking, audit_log, seats
):
    make_summit("2028")
    auth.login(make_user(roles=("staff",), slug="2028"))
    before = audit_log()

    statuses = {
        f"{method} {url}": client.open(url, method=method, data=person_form("1")).status_code
        for method, url in staff_pages(households)
    }

    assert statuses == dict.fromkeys(statuses, 403)
    _nothing_changed(households, load_booking, audit_log, seats, before)


def test_site_admin_may_see_the_registrations(client, login_as, households):
    login_as(admin=True)

    page = client.get(BASE)

    assert page.status_code == 200
    assert "Ana Alvarez" in page.get_data(as_text=True)


# --- the list and its filters --------------------------------------------------------


def test_registrations_list_shows_everyone_with_counts(client, login_as, households):
    login_as("staff")

    page = client.get(BASE).get_data(as_text=True)

    for name in ("Ana Alvarez", "Ben Brooks", "Vic Vargas"):
        assert name in page
    assert "3 people match." in page
    assert re.search(r"Confirmed: <strong>2</strong>", page)
    assert re.search(r"Waiting for staff approval: <strong>1</strong>", page)
    assert f'href="{BASE}/{households["vip"].code}"' in page


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("q=alvarez", ["Ana Alvarez"], ["Ben Brooks", "Vic Vargas"]),
        ("q=ANA%40example", ["Ana Alvarez", "Ben Brooks"], ["Vic Vargas"]),  # Ana registered Ben
        ("q=vic%40example", ["Vic Vargas"], ["Ana Alvarez"]),
        ("county=Kern", ["Ben Brooks"], ["Ana Alvarez", "Vic Vargas"]),
        ("state=pending_approval", ["Vic Vargas"], ["Ana Alvarez"]),
        ("ticket_type=vip", ["Vic Vargas"], ["Ben Brooks"]),
        ("region=Central+Valley", ["Ana Alvarez", "Ben Brooks"], ["Vic Vargas"]),
        ("region=Bay+Area", [], ["Ana Alvarez", "Ben Brooks", "Vic Vargas"]),
    ],
)
def test_registrations_list_filters(app, client, login_as, households, query, shown, hidden):
    from summit.summits.queries import get_summit_by_slug
    from summit.summits.services import set_regions

    with app.app_context():
        set_regions(
            get_summit_by_slug("2027"),
            {"Fresno": "Central Valley", "Kern": "Central Valley", "Alameda": "Bay Area"},
            actor=None,
        )
        db.session.commit()
    login_as("staff")

    page = client.get(f"{BASE}?{query}").get_data(as_text=True)

    assert all(name in page for name in shown), shown
    assert not any(name in page for name in hidden), hidden
    assert f"{len(shown)} {'person matches' if len(shown) == 1 else 'people match'}." in page


def test_registrations_list_region_choice_appears_once_regions_are_set(
    app, client, login_as, households
):
    from summit.summits.queries import get_summit_by_slug
    from summit.summits.services import set_regions

    login_as("staff")
    before = client.get(BASE).get_data(as_text=True)
    with app.app_context():
        set_regions(get_summit_by_slug("2027"), {"Fresno": "Central Valley"}, actor=None)
        db.session.commit()

    after = client.get(f"{BASE}?region=Central+Valley").get_data(as_text=True)

    assert 'name="region"' not in before
    assert "<option selected>Central Valley</option>" in after
    assert "Ana Alvarez" in after and "Ben Brooks" not in after


@pytest.mark.parametrize(
    "query",
    [
        "state=sideways&county=Atlantis&role_type=wizard&need=jetpack&minors=maybe",
        "page=abc",
        "page=-4",
        "q=%25%5F%5C",  # % _ \ are literal
        "q=" + "x" * 500,
    ],
)
def test_registrations_list_garbage_filters_never_break_the_page(
    client, login_as, households, query
):
    login_as("staff")

    response = client.get(f"{BASE}?{query}")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert ("Ana Alvarez" in page) == (not query.startswith("q="))


def test_registrations_list_page_past_the_end_is_empty(client, login_as, households):
    login_as("staff")

    response = client.get(f"{BASE}?page=3")

    assert response.status_code == 200
    assert "Nobody matches." in response.get_data(as_text=True)


# --- the CSV -------------------------------------------------------------------------


def test_export_csv_neutralises_formulas(app, client, login_as, registration_open, make_booking):
    make_booking(
        {"name": '=HYPERLINK("http://evil.example","click")', "email": "eve@example.org",
         "organisation": "+SUM(A1:A9)", "dietary_needs": "@cmd|' /C calc'!A0"},
        {"name": "-2+3", "email": "minus@example.org"},
        contact="eve@example.org",
    )  # fmt: skip
    login_as("staff")

    response = client.get(f"{BASE}/export.csv")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="registrations-2027.csv"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    eve, minus = csv_rows(response)
    assert eve["name"] == '\'=HYPERLINK("http://evil.example","click")'
    assert eve["organisation"] == "'+SUM(A1:A9)"
    assert eve["dietary_needs"] == "'@cmd|' /C calc'!A0"
    assert minus["name"] == "'-2+3"
    assert eve["email"] == "eve@example.org"  # ordinary text is left alone


def test_export_csv_has_every_column_guardians_included(
    app, client, login_as, registration_open, make_booking
):
    from summit.registration.queries import EXPORT_COLUMNS

    booking = make_booking(
        {"name": "Gloria Castillo", "email": "gloria@example.org", "county": "Alameda"},
        {"name": "Cruz Castillo", "age_band": "13_17", "guardian_name": "Gloria Castillo",
         "guardian_email": "gloria@example.org", "accommodations": ["asl", "captions"],
         "wants_interpretation": True, "media_consent": True},
        contact="gloria@example.org",
    )  # fmt: skip
    login_as("staff")

    response = client.get(f"{BASE}/export.csv?minors=1")

    rows = csv_rows(response)
    assert list(rows[0]) == list(EXPORT_COLUMNS)
    [cruz] = rows
    assert (cruz["booking"], cruz["ticket_code"], cruz["state"]) == (
        booking.code,
        booking.people[1],
        "confirmed",
    )
    assert (cruz["guardian_name"], cruz["guardian_email"], cruz["age_band"]) == (
        "Gloria Castillo",
        "gloria@example.org",
        "13_17",
    )
    assert (cruz["accommodations"], cruz["interpretation"], cruz["media_consent"]) == (
        "asl captions",
        "yes",
        "yes",
    )
    assert (cruz["contact_email"], cruz["comp"], cruz["ticket_type"]) == (
        "gloria@example.org",
        "no",
        "family",
    )


def test_export_csv_follows_the_filters_and_is_audited(
    app, client, login_as, households, audit_log
):
    from summit.core.audit import AuditEntry

    staff = login_as("staff")

    rows = csv_rows(client.get(f"{BASE}/export.csv?county=Kern&state=bogus"))

    assert [r["name"] for r in rows] == ["Ben Brooks"]
    assert audit_log()[-1] == ("registration.export", None, staff)
    with app.app_context():
        entry = db.session.scalar(
            db.select(AuditEntry).where(AuditEntry.action == "registration.export")
        )
        assert (entry.object_label, entry.after) == ("1 people", {"county": "Kern"})


# --- the needs summary ---------------------------------------------------------------


def test_needs_page_counts_each_need_by_day(client, login_as, registration_open, make_booking):
    """Hand-counted: Ana (family, both days) ASL and interpretation; Yuri (youth, first
    day only) ASL and a diet; Vic (vip, awaiting approval) ASL; Pat (not confirmed) ASL."""
    make_booking(
        {"name": "Ana", "email": "ana@example.org", "accommodations": ["asl"],
         "wants_interpretation": True},
        {"name": "Yuri", "email": "yuri@example.org", "ticket": "youth",
         "accommodations": ["asl"], "dietary_needs": "halal"},
        contact="ana@example.org",
    )  # fmt: skip
    make_booking(
        {"name": "Vic", "ticket": "vip", "accommodations": ["asl"]}, contact="v@example.org"
    )
    make_booking({"name": "Pat", "accommodations": ["asl"]}, contact="p@example.org", confirm=False)
    login_as("staff")

    page = client.get(f"{BASE}/needs").get_data(as_text=True)

    # columns: 23 Sep, 24 Sep, people (total), still waiting
    assert table_row(page, "ASL interpreter") == ["2", "1", "2", "1"]
    assert table_row(page, "Spanish interpretation") == ["1", "1", "1", "0"]
    assert table_row(page, "Dietary needs") == ["1", "0", "1", "0"]
    assert table_row(page, "Wheelchair access") == ["0", "0", "0", "0"]
    assert table_row(page, "Everyone confirmed") == ["2", "1", "2", ""]
    assert "Thu 23 Sept" in page or "Thu 23 Sep" in page


# --- complimentary tickets ----------------------------------------------------------


def test_comp_form_offers_every_ticket_type(client, login_as, registration_open):
    login_as("staff")

    page = client.get(f"{BASE}/comp")

    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert all(name in text for name in ("Family member", "Youth day", "Invited guest"))


def test_comp_ticket_is_confirmed_emailed_and_audited(
    app, client, login_as, registration_open, type_ids, seats, audit_log, mailbox, deliver
):
    staff = login_as("staff")

    response = client.post(
        f"{BASE}/comp", data=person_form(type_ids()["vip"], notify="y", preferred_language="es")
    )

    page = flashes(client, response)
    assert "Complimentary ticket added." in page and "Guest Speaker" in page
    code = response.headers["Location"].rsplit("/", 1)[1]
    assert seats()["vip"] == 1  # no approval needed for staff
    assert audit_log()[-1] == ("booking.comp", code, staff)
    deliver()
    [mail] = mailbox.to("guest@example.org")
    assert mail["Content-Language"] == "es"
    assert link_in(mailbox, "guest@example.org", "/2027/tickets/")
    with app.app_context():
        from summit.registration.models import Booking

        booking = db.session.scalar(db.select(Booking).where(Booking.code == code))
        assert (booking.state, booking.is_comp, booking.locale) == ("confirmed", True, "es")


def test_comp_ticket_without_notify_sends_nothing(
    client, login_as, registration_open, type_ids, mailbox, deliver
):
    login_as("staff")

    response = client.post(f"{BASE}/comp", data=person_form(type_ids()["family"]))

    assert response.status_code == 302
    deliver()
    assert mailbox.to("guest@example.org") == []


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": "not-an-email"}, "Enter a valid email."),
        ({"county": "Atlantis"}, "Choose a California county."),
        ({"email": ""}, "Enter the person&#39;s email (or a guardian&#39;s)"),
        ({"age_band": "13_17"}, "A parent or guardian&#39;s name and email are needed."),
        ({"ticket_type": "999999"}, "Choose a ticket type."),
        ({"ticket_type": "garbage"}, "Choose a ticket type."),
    ],
)
def test_comp_ticket_bad_input_is_shown_and_keeps_what_was_typed(
    client, login_as, registration_open, type_ids, seats, overrides, message
):
    login_as("staff")

    response = client.post(
        f"{BASE}/comp",
        data=person_form(type_ids()["family"], organisation="Typed Org", **overrides),
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert 'value="Guest Speaker"' in page and 'value="Typed Org"' in page
    assert seats()["family"] == 0


def test_comp_ticket_for_a_full_type_says_so(
    client, login_as, registration_open, make_booking, type_ids, seats
):
    make_booking({"name": "Yuri", "ticket": "youth"})
    login_as("staff")

    response = client.post(f"{BASE}/comp", data=person_form(type_ids()["youth"]))

    assert response.status_code == 422
    assert "That ticket type has no seats left." in response.get_data(as_text=True)
    assert seats()["youth"] == 1


def test_comp_ticket_for_someone_registered_says_so(client, login_as, households, type_ids, seats):
    login_as("staff")

    response = client.post(
        f"{BASE}/comp", data=person_form(type_ids()["family"], email="ANA@example.org")
    )

    assert response.status_code == 422
    assert "This person is already registered." in response.get_data(as_text=True)
    assert seats()["family"] == 2


# --- one household -------------------------------------------------------------------


def test_booking_detail_shows_people_and_history(client, login_as, households):
    login_as("staff")
    family = households["family"]
    client.post(f"{BASE}/{family.code}/{family.people[1]}/reissue")

    page = client.get(f"{BASE}/{family.code}").get_data(as_text=True)

    assert "Ana Alvarez" in page and "Ben Brooks" in page
    assert "Vic Vargas" not in page
    assert "version 2" in page and "version 1" in page
    assert "Ticket reissued · Ben Brooks" in page


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/NOPE1234"),
        ("GET", "/" + "A" * 300),
        ("GET", "/%C3%B1%E2%9C%93"),
        ("GET", "/%27%20OR%201%3D1--"),
        ("POST", "/NOPE1234/approve"),
        ("POST", "/NOPE1234/decline"),
        ("POST", "/NOPE1234/resend"),
        ("GET", "/{family}/NOPE1234/edit"),
        ("POST", "/{family}/NOPE1234/edit"),
        ("POST", "/{family}/NOPE1234/cancel"),
        ("POST", "/{family}/NOPE1234/reissue"),
        ("GET", "/{family}/{vip_person}/edit"),  # a person of another household
        ("POST", "/{family}/{vip_person}/cancel"),
        ("POST", "/{family}/{vip_person}/reissue"),
        ("GET", "/{family}/" + "B" * 300 + "/edit"),
    ],
)
def test_unknown_or_mismatched_codes_are_404(
    client, login_as, households, load_booking, method, path
):
    login_as("staff")
    url = BASE + path.format(
        family=households["family"].code, vip_person=households["vip"].people[0]
    )

    response = client.open(url, method=method, data=person_form("1"))

    assert response.status_code == 404
    assert load_booking(households["vip"].code)["people"][0]["version"] == 1
    assert not load_booking(households["vip"].code)["people"][0]["cancelled"]


def test_booking_of_another_summit_is_404(
    app, client, login_as, make_summit, households, make_booking
):
    from summit.registration import services as registration
    from summit.summits.queries import get_summit_by_slug

    make_summit("2028", starts_on=households and __import__("datetime").date(2028, 9, 21),
                ends_on=__import__("datetime").date(2028, 9, 22))  # fmt: skip
    with app.app_context():
        later = get_summit_by_slug("2028")
        ticket = registration.save_ticket_type(
            later, actor=None, code="family", name_en="F", name_es="F", capacity=5
        )
        booking = registration.comp_ticket(
            later, {"name": "Zed", "email": "zed@example.org", "ticket_type": ticket}, actor=None
        )
        db.session.commit()
        code, person = booking.code, booking.attendees[0].code
    login_as("staff")

    assert client.get(f"{BASE}/{code}").status_code == 404
    assert client.get(f"{BASE}/{code}/{person}/edit").status_code == 404
    assert client.get(f"/2028/staff/registrations/{code}").status_code == 403


# --- approve, decline -----------------------------------------------------------------


def test_approve_confirms_emails_the_tickets_and_is_audited(
    client, login_as, households, load_booking, seats, audit_log, mailbox, deliver
):
    staff = login_as("staff")
    vip = households["vip"]

    response = client.post(f"{BASE}/{vip.code}/approve")

    assert "Approved. We emailed the registration." in flashes(client, response)
    assert load_booking(vip.code)["state"] == "confirmed"
    assert seats()["vip"] == 1
    assert ("booking.approve", vip.code, staff) in audit_log()
    deliver()
    tickets = link_in(mailbox, "vic@example.org", "/2027/tickets/")
    assert "Vic Vargas" in client.get(tickets).get_data(as_text=True)


def test_approve_when_full_puts_the_household_on_the_waiting_list(
    app, client, login_as, households, load_booking, seats
):
    with app.app_context():
        db.session.execute(db.update(TicketType).where(TicketType.code == "vip").values(capacity=0))
        db.session.commit()
    login_as("staff")

    client.post(f"{BASE}/{households['vip'].code}/approve")

    assert load_booking(households["vip"].code)["state"] == "waitlisted"
    assert seats()["vip"] == 0


def test_approve_a_confirmed_household_says_no_and_changes_nothing(
    client, login_as, households, load_booking, audit_log, mailbox, deliver
):
    login_as("staff")
    family = households["family"]

    response = client.post(f"{BASE}/{family.code}/approve")

    assert "This registration is not waiting for approval." in flashes(client, response)
    assert load_booking(family.code)["state"] == "confirmed"
    assert not [e for e in audit_log() if e[0] == "booking.approve"]
    deliver()
    assert mailbox.to("ana@example.org") == []


def test_decline_cancels_emails_and_is_audited(
    client, login_as, households, load_booking, seats, audit_log, mailbox, deliver
):
    staff = login_as("staff")
    vip = households["vip"]

    response = client.post(f"{BASE}/{vip.code}/decline")

    assert "Declined. We emailed the registration." in flashes(client, response)
    saved = load_booking(vip.code)
    assert saved["state"] == "cancelled" and saved["people"][0]["cancelled"]
    assert seats()["vip"] == 0
    assert ("booking.decline", vip.code, staff) in audit_log()
    deliver()
    [mail] = mailbox.to("vic@example.org")
    assert vip.code in mailbox.body(mail)
    assert "/2027/register" in mailbox.body(mail)


def test_decline_twice_says_no(client, login_as, households, audit_log):
    login_as("staff")
    vip = households["vip"]
    client.post(f"{BASE}/{vip.code}/decline")

    again = client.post(f"{BASE}/{vip.code}/decline")

    assert "This registration is not waiting for approval." in flashes(client, again)
    assert [e[0] for e in audit_log()].count("booking.decline") == 1


# --- resend, cancel, reissue ----------------------------------------------------------


def test_resend_to_a_confirmed_household_sends_a_new_tickets_link(
    client, login_as, registration_open, make_booking, audit_log, mailbox, deliver
):
    booking = make_booking({"name": "Ana"}, contact="ana@example.org", manage=True)
    staff = login_as("staff")

    response = client.post(f"{BASE}/{booking.code}/resend")

    assert "Sent again to ana@example.org." in flashes(client, response)
    assert ("booking.resend", booking.code, staff) in audit_log()
    deliver()
    new = link_in(mailbox, "ana@example.org", "/2027/tickets/")
    assert client.get(new).status_code == 200
    assert client.get(f"/2027/tickets/{booking.manage}").status_code == 404  # the old link


def test_resend_to_an_unconfirmed_household_sends_a_working_confirm_link(
    client, login_as, registration_open, make_booking, load_booking, mailbox, deliver
):
    booking = make_booking({"name": "Ana"}, contact="ana@example.org", confirm=False)
    login_as("staff")

    client.post(f"{BASE}/{booking.code}/resend")

    deliver()
    confirm = link_in(mailbox, "ana@example.org", "/2027/register/confirm/")
    assert client.post(confirm).status_code == 302
    assert load_booking(booking.code)["state"] == "confirmed"


def test_resend_to_a_cancelled_household_says_no(
    client, login_as, households, audit_log, mailbox, deliver
):
    login_as("staff")
    vip = households["vip"]
    client.post(f"{BASE}/{vip.code}/decline")
    deliver()
    mailbox.clear()

    response = client.post(f"{BASE}/{vip.code}/resend")

    assert "This registration is cancelled." in flashes(client, response)
    assert "booking.resend" not in [e[0] for e in audit_log()]
    deliver()
    assert mailbox.to("vic@example.org") == []


def test_staff_cancel_frees_the_seat_and_offers_it(
    client, login_as, registration_open, make_booking, load_booking, seats, audit_log, mailbox,
    deliver,
):  # fmt: skip
    full = make_booking({"name": "A1"}, {"name": "A2"}, {"name": "A3"}, contact="a@example.org")
    waiting = make_booking({"name": "W1"}, contact="w@example.org")
    assert waiting.state == "waitlisted"
    staff = login_as("staff")

    response = client.post(f"{BASE}/{full.code}/{full.people[2]}/cancel")

    assert "The ticket of A3 is cancelled." in flashes(client, response)
    assert load_booking(full.code)["people"][2]["cancelled"]
    assert load_booking(waiting.code)["state"] == "offered"
    assert seats()["family"] == 3
    assert ("attendee.cancel", full.people[2], staff) in audit_log()
    deliver()
    claim = link_in(mailbox, "w@example.org", "/2027/register/claim/")
    assert client.post(claim).status_code == 302
    assert load_booking(waiting.code)["state"] == "confirmed"


def test_reissue_bumps_the_version_emails_and_is_audited(
    app, client, login_as, households, load_booking, audit_log, mailbox, deliver
):
    from summit.registration import services as registration
    from summit.registration.models import Attendee
    from summit.registration.tickets import InvalidTicket, verify_ticket
    from summit.summits.queries import get_summit_by_slug

    family = households["family"]
    with app.app_context():
        summit = get_summit_by_slug("2027")
        ana = db.session.scalar(db.select(Attendee).where(Attendee.code == family.people[0]))
        old = registration.ticket_token(summit, ana)
        db.session.commit()
    staff = login_as("staff")

    response = client.post(f"{BASE}/{family.code}/{family.people[0]}/reissue")

    assert "the old QR code no longer works" in flashes(client, response)
    assert [p["version"] for p in load_booking(family.code)["people"]] == [2, 1]
    assert ("attendee.reissue", family.people[0], staff) in audit_log()
    with app.app_context():
        summit = get_summit_by_slug("2027")
        key = registration.ensure_summit_key(summit)
        with pytest.raises(InvalidTicket) as caught:
            verify_ticket(old, {"2027": key.public_key}, current_versions={family.people[0]: 2})
        assert caught.value.reason == "revoked"
    deliver()
    assert link_in(mailbox, "ana@example.org", "/2027/tickets/")


def test_reissue_a_cancelled_ticket_says_no(client, login_as, households, load_booking, audit_log):
    login_as("staff")
    family = households["family"]
    person = f"{BASE}/{family.code}/{family.people[1]}"
    client.post(f"{person}/cancel")

    response = client.post(f"{person}/reissue")

    assert "This ticket is cancelled." in flashes(client, response)
    assert load_booking(family.code)["people"][1]["version"] == 1
    assert "attendee.reissue" not in [e[0] for e in audit_log()]


# --- edit a person -------------------------------------------------------------------


def test_edit_person_form_is_filled_in(client, login_as, households, type_ids):
    login_as("staff")
    family = households["family"]

    page = client.get(f"{BASE}/{family.code}/{family.people[1]}/edit").get_data(as_text=True)

    assert 'value="Ben Brooks"' in page and 'value="ben@example.org"' in page
    assert f'<option selected value="{type_ids()["family"]}">' in page
    assert '<option selected value="Kern">' in page


def test_edit_person_saves_and_is_audited(
    client, login_as, households, type_ids, load_booking, seats, audit_log
):
    staff = login_as("staff")
    family = households["family"]

    response = client.post(
        f"{BASE}/{family.code}/{family.people[1]}/edit",
        data=person_form(
            type_ids()["youth"], name="Benjamin Brooks", email="ben@example.org", county="Inyo",
            accommodations=["captions", "jetpack"],
        ),
    )  # fmt: skip

    assert "Saved." in flashes(client, response)
    ben = load_booking(family.code)["people"][1]
    assert (ben["name"], ben["county"], ben["ticket_type"]) == ("Benjamin Brooks", "Inyo", "youth")
    assert ben["accommodations"] == ["captions"]
    assert seats() == {"family": 1, "youth": 1, "vip": 0}
    assert ("attendee.update", family.people[1], staff) in audit_log()


def test_edit_person_to_a_full_type_says_so_and_moves_nothing(
    client, login_as, households, make_booking, type_ids, load_booking, seats
):
    make_booking({"name": "Yuri", "ticket": "youth"}, contact="yuri@example.org")
    login_as("staff")
    family = households["family"]

    response = client.post(
        f"{BASE}/{family.code}/{family.people[1]}/edit",
        data=person_form(type_ids()["youth"], name="Typed Rename", email="ben@example.org"),
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "That ticket type has no seats left." in page
    assert 'value="Typed Rename"' in page
    assert load_booking(family.code)["people"][1]["name"] == "Ben Brooks"
    assert seats() == {"family": 2, "youth": 1, "vip": 0}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": "ana@example.org"}, "Another registration uses this email."),
        ({"email": "nope@"}, "Enter a valid email."),
        ({"name": ""}, "This field is required."),
        ({"preferred_language": "tlh"}, "Choose one of the options."),
    ],
)
def test_edit_person_bad_input_is_shown_and_keeps_what_was_typed(
    client, login_as, households, type_ids, load_booking, overrides, message
):
    login_as("staff")
    family = households["family"]

    response = client.post(
        f"{BASE}/{family.code}/{family.people[1]}/edit",
        data=person_form(type_ids()["family"], organisation="Typed Org", **overrides),
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert 'value="Typed Org"' in page
    assert load_booking(family.code)["people"][1]["email"] == "ben@example.org"


# --- ticket type days ------------------------------------------------------------------


def test_ticket_type_days_are_saved_and_shown(app, client, login_as):
    login_as("staff")

    response = client.post(
        "/2027/staff/tickets/new",
        data=_form(code="day-one", days=[DAY_ONE, "2030-01-01", "garbage"]),
    )

    assert response.status_code == 302
    with app.app_context():
        days = db.session.scalar(db.select(TicketType.days).where(TicketType.code == "day-one"))
    assert days == [DAY_ONE]  # days outside the summit are dropped
    page = client.get("/2027/staff/tickets/day-one").get_data(as_text=True)
    assert re.search(rf'<input checked[^>]*value="{DAY_ONE}"', page)
    assert not re.search(r'<input checked[^>]*value="2027-09-24"', page)


def test_ticket_type_without_days_admits_every_day(app, client, login_as):
    login_as("staff")
    client.post("/2027/staff/tickets/new", data=_form(days=[DAY_ONE]))

    client.post("/2027/staff/tickets/family", data=_form())

    with app.app_context():
        assert db.session.scalar(db.select(TicketType.days)) == []


def test_ticket_type_pages_are_forbidden_to_door_staff(client, login_as):
    login_as("door")

    assert client.get("/2027/staff/tickets").status_code == 403
    assert client.post("/2027/staff/tickets/new", data=_form()).status_code == 403
