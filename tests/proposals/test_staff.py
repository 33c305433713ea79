"""Staff pages for the call: settings, formats, questions, codes, the list, export, email, state."""

import csv
import io
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from summit.core.audit import AuditEntry
from summit.extensions import db
from summit.proposals import services
from summit.proposals.staff import EXPORT_COLUMNS
from tests.proposals.conftest import hostile_markup, proposal_form, spanish, wall_now

LISTED = re.compile(r'href="/2027/staff/proposals/(PRO-[A-Z0-9]{5})"')


def _text(response) -> str:
    return response.get_data(as_text=True)


def _listed(response) -> set[str]:
    assert response.status_code == 200
    return set(LISTED.findall(_text(response)))


def _audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def _with_student(app, code: str) -> None:
    """Add a 15-year-old presenter reached through a guardian."""
    from summit.proposals.models import Proposal

    with app.app_context():
        proposal = db.session.scalars(select(Proposal).where(Proposal.code == code)).one()
        services.add_presenter_without_email(
            proposal,
            actor=proposal.owner,
            name="Student Presenter",
            role_type="student",
            age_band="13_17",
            guardian_name="Pat Guardian",
            guardian_email="guardian@example.org",
        )
        db.session.commit()


def _state(app, code: str, new: str) -> None:
    from summit.proposals.models import Proposal

    with app.app_context():
        proposal = db.session.scalars(select(Proposal).where(Proposal.code == code)).one()
        services.change_state(proposal, new, actor=None, as_staff=True)
        db.session.commit()


@pytest.fixture
def staff(client, open_call, login_as):
    """The test client is logged in as staff of summit 2027."""
    return login_as("staff")


# --- who may see the staff pages ---------------------------------------------------------

STAFF_PAGE_TEXT = {
    "/2027/staff/call": "Call for proposals settings",
    "/2027/staff/call/formats/new": "Add a format",
    "/2027/staff/call/formats/workshop-60": "Workshop (60 minutes)",
    "/2027/staff/call/questions/new": "Add a question",
    "/2027/staff/call/codes/new": "Create an access code",
    "/2027/staff/proposals": "1 proposal matches.",
    "/2027/staff/proposals/export.csv": "code,state,title,",
    "/2027/staff/proposals/email": "The message goes to 1 person.",
    "/2027/staff/proposals/{code}": "Change status",
}
STAFF_PAGES = list(STAFF_PAGE_TEXT)


@pytest.fixture
def submitted_code(open_call, make_user, make_proposal):
    return make_proposal(make_user(), submit=True)


@pytest.mark.parametrize("url", STAFF_PAGES)
@pytest.mark.parametrize("role", ["reviewer", "door", None])
def test_staff_pages_without_staff_role_are_forbidden(client, login_as, submitted_code, url, role):
    login_as(role)

    response = client.get(url.format(code=submitted_code))

    assert response.status_code == 403
    assert "You do not have permission to do that." in _text(response)


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_staff_pages_anonymous_goes_to_login(client, submitted_code, url):
    response = client.get(url.format(code=submitted_code))

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login?next=")


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_staff_pages_for_staff_render(client, staff, submitted_code, url):
    response = client.get(url.format(code=submitted_code))

    assert response.status_code == 200
    assert STAFF_PAGE_TEXT[url] in _text(response)


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/2027/staff/proposals/{code}/state", {"state": "under_review"}),
        ("/2027/staff/proposals/{code}/duplicate", {"of_code": "{code}"}),
        ("/2027/staff/call", {"max_copresenters": "9"}),
    ],
)
def test_staff_posts_by_reviewer_are_forbidden_and_change_nothing(
    app, client, login_as, submitted_code, load_proposal, url, data
):
    login_as("reviewer")

    response = client.post(
        url.format(code=submitted_code),
        data={k: v.format(code=submitted_code) for k, v in data.items()},
    )

    assert response.status_code == 403
    assert load_proposal(submitted_code)["state"] == "submitted"
    assert "call.update" not in _audit_actions(app)


def test_staff_detail_unknown_code_is_not_found(client, staff):
    response = client.get("/2027/staff/proposals/PRO-ZZZZZ")

    assert response.status_code == 404


# --- list, filters, pagination ------------------------------------------------------------


@pytest.fixture
def catalogue(app, open_call, make_user, make_proposal):
    """Four proposals that differ in every filterable way; returns label -> code."""
    educator = make_user(name="Ed Ucator", county="Fresno", presenter_role="educator")
    parent = make_user(name="Paula Parent", county="Los Angeles", presenter_role="family")
    student = make_user(name="Zelda Student", county="Fresno", presenter_role="student")
    codes = {
        "homework": make_proposal(
            educator,
            submit=True,
            title="Homework club",
            lead_role="educator",
            language="en",
            format_code="workshop-60",
            track_code="pillar-family",
        ),
        "padres": make_proposal(
            parent,
            submit=True,
            title="Padres en la escuela",
            lead_role="family",
            language="es",
            format_code="panel",
            track_code="pillar-supports",
        ),
        "voice": make_proposal(
            student,
            submit=True,
            title="Student voice",
            lead_role="student",
            language="bilingual",
            format_code="workshop-90",
            track_code="pillar-family",
        ),
        "draft": make_proposal(educator, title="Draft idea", lead_role="educator"),
    }
    _with_student(app, codes["voice"])
    return codes


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"homework", "padres", "voice"}),
        ("state=draft", {"draft"}),
        ("state=submitted", {"homework", "padres", "voice"}),
        ("state=accepted", set()),
        ("state=nonsense", {"homework", "padres", "voice"}),
        ("track=pillar-family", {"homework", "voice"}),
        ("format=panel", {"padres"}),
        ("lead_role=student", {"voice"}),
        ("county=Fresno", {"homework", "voice"}),
        ("language=es", {"padres"}),
        ("has_minors=1", {"voice"}),
        ("q=PADRES", {"padres"}),
        ("q=zelda", {"voice"}),
        ("track=pillar-family&county=Fresno&lead_role=educator", {"homework"}),
    ],
)
def test_proposal_list_filter_returns_matching_proposals(client, staff, catalogue, query, expected):
    response = client.get(f"/2027/staff/proposals?{query}")

    assert _listed(response) == {catalogue[label] for label in expected}


def test_proposal_list_search_by_code_finds_that_proposal(client, staff, catalogue):
    code = catalogue["homework"]

    response = client.get(f"/2027/staff/proposals?q={code.lower()}")

    assert _listed(response) == {code}


def test_proposal_list_shows_counts_and_minor_badge(client, staff, catalogue):
    page = _text(client.get("/2027/staff/proposals?has_minors=1"))

    assert "1 proposal matches." in page
    assert "under 18" in page


def test_proposal_list_paginates_fifty_a_page_and_keeps_filters(
    client, staff, make_user, make_proposal
):
    owner = make_user()
    codes = {make_proposal(owner, submit=True, language="es") for _ in range(51)}
    make_proposal(owner, submit=True, language="en")

    first = client.get("/2027/staff/proposals?language=es")
    second = client.get("/2027/staff/proposals?language=es&page=2")

    assert len(_listed(first)) == 50
    assert len(_listed(second)) == 1
    assert _listed(first) | _listed(second) == codes
    next_link = re.search(r'href="([^"]*page=2[^"]*)"[^>]*>Next', _text(first))
    assert next_link and "language=es" in next_link.group(1)
    assert ">Next<" not in _text(second)
    assert "51 proposals match." in _text(first)


# --- CSV export -------------------------------------------------------------------------------


def _csv_rows(response) -> list[list[str]]:
    body = _text(response)
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_export_csv_has_header_and_one_row_per_filtered_proposal(client, staff, catalogue):
    response = client.get("/2027/staff/proposals/export.csv?track=pillar-family")

    rows = _csv_rows(response)
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert rows[0] == list(EXPORT_COLUMNS)
    by_code = {row[0]: dict(zip(EXPORT_COLUMNS, row, strict=True)) for row in rows[1:]}
    assert set(by_code) == {catalogue["homework"], catalogue["voice"]}
    voice = by_code[catalogue["voice"]]
    assert (voice["title"], voice["lead_name"], voice["county"], voice["has_minors"]) == (
        "Student voice",
        "Zelda Student",
        "Fresno",
        "yes",
    )
    assert voice["consent"] == "Student Presenter: needed"


def test_export_csv_neutralises_formula_cells(client, app, staff, make_user, make_proposal):
    owner = make_user(name="@SUM(A1:A9)")
    code = make_proposal(
        owner,
        submit=True,
        title='=HYPERLINK("javascript:alert(1)","win")',
        abstract="+1 and more",
        outcomes="-2 fewer",
        accessibility_needs="\t=cmd",
    )

    response = client.get("/2027/staff/proposals/export.csv")

    row = dict(zip(EXPORT_COLUMNS, _csv_rows(response)[1], strict=True))
    assert row["code"] == code
    assert row["title"] == '\'=HYPERLINK("javascript:alert(1)","win")'
    assert row["abstract"] == "'+1 and more"
    assert row["outcomes"] == "'-2 fewer"
    assert row["lead_name"] == "'@SUM(A1:A9)"
    assert row["presenters"] == "'@SUM(A1:A9)"
    assert row["accessibility_needs"] == "'=cmd"
    for value in row.values():
        assert not value.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert "proposal.export" in _audit_actions(app)


def test_export_csv_hostile_markup_is_served_as_inert_data(client, staff, make_user, make_proposal):
    code = make_proposal(
        make_user(),
        submit=True,
        title="<script>alert('x')</script>",
        abstract="[prize](javascript:alert('x'))",
    )

    response = client.get("/2027/staff/proposals/export.csv")

    row = dict(zip(EXPORT_COLUMNS, _csv_rows(response)[1], strict=True))
    assert row["code"] == code
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert row["title"] == "<script>alert('x')</script>"  # the presenter's text, as data


# --- hostile text on staff pages ----------------------------------------------------------


def test_staff_list_and_detail_hostile_text_is_inert(client, app, staff, make_user, make_proposal):
    from summit.proposals.models import Proposal
    from summit.summits.queries import get_summit_by_slug

    script = "<script>alert('x')</script>"
    code = make_proposal(
        make_user(name=f"Name {script}"),
        submit=True,
        title=f"Title {script}",
        abstract=f"See [prize](javascript:alert(1)) {script} <a href='javascript:alert(1)'>x</a>",
        outcomes=f"<img src=x onerror=alert(1)> {script}",
    )
    with app.app_context():
        question = services.save_question(
            get_summit_by_slug("2027"),
            actor=None,
            kind="long_text",
            prompt_en="Anything else?",
            prompt_es="¿Algo más?",
        )
        proposal = db.session.scalars(select(Proposal).where(Proposal.code == code)).one()
        services.update_proposal(
            proposal,
            actor=proposal.owner,
            data={"title": proposal.title, "abstract": proposal.abstract, "lead_role": "family"},
            questions=[question],
            answers={question.public_id: f"{script} javascript:alert(1)"},
        )
        db.session.commit()

    listing = _text(client.get("/2027/staff/proposals"))
    detail = _text(client.get(f"/2027/staff/proposals/{code}"))

    assert hostile_markup(listing) == []
    assert hostile_markup(detail) == []
    assert "Title &lt;script&gt;alert(" in listing
    assert "Title &lt;script&gt;alert(" in detail
    assert "Anything else?" in detail


# --- state changes ---------------------------------------------------------------------------


def test_staff_detail_offers_only_allowed_transitions(client, staff, submitted_code):
    page = _text(client.get(f"/2027/staff/proposals/{submitted_code}"))

    options = set(re.findall(r'<option[^>]*value="(\w+)"', page))
    assert options == {"withdrawn", "under_review", "draft"}


def test_staff_change_state_allowed_transition_is_saved_and_audited(
    client, app, staff, submitted_code, load_proposal
):
    response = client.post(
        f"/2027/staff/proposals/{submitted_code}/state",
        data={"state": "under_review", "note": "Ready for reviewers"},
        follow_redirects=True,
    )

    assert "Status changed." in _text(response)
    assert load_proposal(submitted_code)["state"] == "under_review"
    assert "Ready for reviewers" in _text(response)
    assert "proposal.state" in _audit_actions(app)


def test_staff_change_state_illegal_transition_flashes_and_changes_nothing(
    client, app, staff, submitted_code, load_proposal
):
    response = client.post(
        f"/2027/staff/proposals/{submitted_code}/state",
        data={"state": "confirmed"},
        follow_redirects=True,
    )

    assert "A proposal that is “Submitted” cannot become “Confirmed”." in _text(response)
    assert load_proposal(submitted_code)["state"] == "submitted"
    assert "proposal.state" not in _audit_actions(app)


def test_staff_change_state_unknown_state_flashes_and_changes_nothing(
    client, staff, submitted_code, load_proposal
):
    response = client.post(
        f"/2027/staff/proposals/{submitted_code}/state",
        data={"state": "published"},
        follow_redirects=True,
    )

    assert "Choose a new status." in _text(response)
    assert load_proposal(submitted_code)["state"] == "submitted"


def test_staff_accept_with_minor_missing_consent_is_refused_until_guardian_consents(
    client, app, staff, submitted_code, load_proposal
):
    _with_student(app, submitted_code)
    _state(app, submitted_code, "under_review")

    refused = client.post(
        f"/2027/staff/proposals/{submitted_code}/state",
        data={"state": "accepted"},
        follow_redirects=True,
    )

    assert "A guardian has not yet given consent for: Student Presenter." in _text(refused)
    assert load_proposal(submitted_code)["state"] == "under_review"
    assert "Guardian consent: Guardian contact needed" in _text(refused)


def test_staff_accept_after_guardian_consent_is_saved(
    client, app, staff, submitted_code, load_proposal
):
    from summit.proposals.models import Presenter

    _with_student(app, submitted_code)
    _state(app, submitted_code, "under_review")
    with app.app_context():
        student = db.session.scalars(select(Presenter).where(Presenter.age_band == "13_17")).one()
        services.issue_consent_request(student)
        services.record_consent(student, granted=True, media_release=False, signed_name="Pat")
        db.session.commit()

    response = client.post(
        f"/2027/staff/proposals/{submitted_code}/state",
        data={"state": "accepted"},
        follow_redirects=True,
    )

    assert "Status changed." in _text(response)
    assert load_proposal(submitted_code)["state"] == "accepted"
    assert "Guardian consent: Consent given · media release: no" in _text(response)


# --- duplicates ---------------------------------------------------------------------------


@pytest.fixture
def pair(app, open_call, make_user, make_proposal):
    """An original and a near copy by another lead with a pending co-presenter."""
    from summit.proposals.models import Proposal

    original = make_proposal(make_user(), submit=True, title="Family nights")
    copy_owner = make_user(name="Copy Owner")
    copy = make_proposal(copy_owner, submit=True, title="Family nights (again)")
    with app.app_context():
        proposal = db.session.scalars(select(Proposal).where(Proposal.code == copy)).one()
        services.invite_copresenter(proposal, actor=proposal.owner, email="guest@example.org")
        db.session.commit()
    return original, copy, copy_owner


def test_staff_mark_duplicate_links_to_original_and_keeps_state(client, staff, pair, load_proposal):
    original, copy, _owner = pair

    response = client.post(
        f"/2027/staff/proposals/{copy}/duplicate",
        data={"of_code": original.lower()},
        follow_redirects=True,
    )

    assert f"Marked as a duplicate of {original}." in _text(response)
    saved = load_proposal(copy)
    assert (saved["duplicate_of"], saved["state"]) == (original, "submitted")
    listing = _text(client.get("/2027/staff/proposals"))
    assert "duplicate" in listing


def test_staff_merge_duplicate_moves_presenters_and_withdraws_copy(
    client, app, staff, pair, load_proposal
):
    original, copy, copy_owner = pair

    client.post(f"/2027/staff/proposals/{copy}/duplicate", data={"of_code": original, "merge": "y"})

    merged = load_proposal(original)
    assert {p["email"] for p in merged["presenters"]} >= {copy_owner, "guest@example.org"}
    assert load_proposal(copy)["state"] == "withdrawn"
    assert "proposal.duplicate" in _audit_actions(app)


def test_staff_merge_keeps_copy_presenters_without_account_or_email(
    client, app, staff, pair, load_proposal
):
    from summit.proposals.models import Proposal

    original, copy, _owner = pair
    with app.app_context():
        first = db.session.scalars(select(Proposal).where(Proposal.code == original)).one()
        services.invite_copresenter(first, actor=first.owner, email="pending@example.org")
        db.session.commit()
    _with_student(app, copy)

    client.post(f"/2027/staff/proposals/{copy}/duplicate", data={"of_code": original, "merge": "y"})

    names = [p["name"] for p in load_proposal(original)["presenters"]]
    emails = [p["email"] for p in load_proposal(original)["presenters"]]
    assert "Student Presenter" in names
    assert emails.count("guest@example.org") == 1
    assert emails.count("pending@example.org") == 1


@pytest.mark.parametrize(
    ("of_code", "message"),
    [
        ("PRO-ZZZZZ", "There is no proposal with that code in this summit."),
        ("self", "Choose another proposal from this summit."),
    ],
)
def test_staff_mark_duplicate_bad_original_flashes_and_changes_nothing(
    client, staff, pair, load_proposal, of_code, message
):
    _original, copy, _owner = pair

    response = client.post(
        f"/2027/staff/proposals/{copy}/duplicate",
        data={"of_code": copy if of_code == "self" else of_code},
        follow_redirects=True,
    )

    assert message in _text(response)
    assert load_proposal(copy)["duplicate_of"] is None


# --- group email --------------------------------------------------------------------------


def test_group_email_goes_to_filtered_leads_in_their_language(
    client, app, staff, catalogue, mailbox, deliver
):
    from summit.accounts.queries import get_user_by_email
    from summit.proposals.models import Proposal

    with app.app_context():
        homework = db.session.scalars(
            select(Proposal).where(Proposal.code == catalogue["homework"])
        ).one()
        homework.owner.preferred_language = "es"
        lead_es = homework.owner.email
        voice_lead = (
            db.session.scalars(select(Proposal).where(Proposal.code == catalogue["voice"]))
            .one()
            .owner.email
        )
        padres_lead = (
            db.session.scalars(select(Proposal).where(Proposal.code == catalogue["padres"]))
            .one()
            .owner.email
        )
        db.session.commit()
        assert get_user_by_email(lead_es).preferred_language == "es"

    page = _text(client.get("/2027/staff/proposals/email?track=pillar-family"))
    response = client.post(
        "/2027/staff/proposals/email?track=pillar-family",
        data={
            "subject_en": "Room news",
            "body_en": "Your room changed.",
            "subject_es": "Noticias de la sala",
            "body_es": "Su sala cambió.",
        },
    )
    deliver()

    assert "The message goes to 2 people." in page
    assert response.status_code == 302
    assert "track=pillar-family" in response.headers["Location"]
    spanish_mail = mailbox.to(lead_es)
    english_mail = mailbox.to(voice_lead)
    assert [m["Subject"] for m in spanish_mail] == ["Noticias de la sala"]
    assert "Su sala cambió." in mailbox.body(spanish_mail[0])
    footer = spanish("About your proposal %(code)s: %(link)s").split("%(code)s")[0]
    assert footer in mailbox.body(spanish_mail[0])
    assert [m["Subject"] for m in english_mail] == ["Room news"]
    assert "Your room changed." in mailbox.body(english_mail[0])
    assert mailbox.to(padres_lead) == []
    assert mailbox.to("guardian@example.org") == []
    assert "proposal.group_email" in _audit_actions(app)


def test_group_email_with_copresenters_also_reaches_them(
    client, app, staff, submitted_code, make_user, mailbox, deliver, load_proposal
):
    from summit.accounts.queries import get_user_by_email
    from summit.proposals.models import Proposal

    co = make_user()
    with app.app_context():
        proposal = db.session.scalars(select(Proposal).where(Proposal.code == submitted_code)).one()
        invitation = services.invite_copresenter(proposal, actor=proposal.owner, email=co)
        services.accept_invitation(invitation.presenter, user=get_user_by_email(co))
        db.session.commit()
    lead = load_proposal(submitted_code)["owner"]
    message = {"subject_en": "Hello team", "body_en": "Details inside."}

    client.post("/2027/staff/proposals/email", data=message)
    deliver()
    leads_only = (len(mailbox.to(lead)), len(mailbox.to(co)))
    client.post("/2027/staff/proposals/email", data=message | {"include_copresenters": "y"})
    deliver()

    assert leads_only == (1, 0)
    assert (len(mailbox.to(lead)), len(mailbox.to(co))) == (2, 1)
    assert mailbox.to(co)[0]["Subject"] == "Hello team"


def test_group_email_without_subject_is_refused_and_sends_nothing(
    client, app, staff, submitted_code
):
    from summit.core.outbox import OutboxMessage

    response = client.post("/2027/staff/proposals/email", data={"body_en": "No subject"})

    assert response.status_code == 422
    with app.app_context():
        assert db.session.query(OutboxMessage).count() == 0


# --- call settings, formats, questions, access codes --------------------------------------


def _call_form(**overrides) -> dict:
    form = {
        "intro_en": "Tell us what works.",
        "intro_es": "Cuéntenos qué funciona.",
        "max_copresenters": "2",
        "title_max_chars": "100",
        "abstract_max_words": "250",
        "outcomes_max_words": "120",
    }
    return form | overrides


def test_call_settings_save_is_applied_and_audited(client, app, staff):
    from summit.proposals.queries import get_call_settings
    from summit.summits.queries import get_summit_by_slug

    response = client.post("/2027/staff/call", data=_call_form(), follow_redirects=True)

    assert "Call settings saved." in _text(response)
    with app.app_context():
        settings = get_call_settings(get_summit_by_slug("2027"))
        assert (settings.max_copresenters, settings.title_max_chars, settings.intro_es) == (
            2,
            100,
            "Cuéntenos qué funciona.",
        )
    assert "call.update" in _audit_actions(app)
    assert "Tell us what works." in _text(client.get("/2027/call"))


def test_call_settings_out_of_range_shows_error_and_keeps_old_values(client, app, staff):
    from summit.proposals.queries import get_call_settings
    from summit.summits.queries import get_summit_by_slug

    response = client.post("/2027/staff/call", data=_call_form(max_copresenters="50"))

    assert response.status_code == 422
    assert 'id="max_copresenters-error"' in _text(response)
    with app.app_context():
        assert get_call_settings(get_summit_by_slug("2027")).max_copresenters == 4
    assert "call.update" not in _audit_actions(app)


def _format_form(**overrides) -> dict:
    form = {
        "code": "lightning",
        "name_en": "Lightning talk",
        "name_es": "Charla relámpago",
        "description_en": "Five minutes.",
        "description_es": "Cinco minutos.",
        "duration_minutes": "15",
        "closes_at": "",
        "position": "7",
        "is_active": "y",
    }
    return form | overrides


def test_new_format_with_own_deadline_is_saved_in_summit_time_and_audited(client, app, staff):
    from summit.proposals.queries import get_format
    from summit.summits.queries import get_summit_by_slug

    response = client.post(
        "/2027/staff/call/formats/new",
        data=_format_form(closes_at="2027-03-01T17:00"),
        follow_redirects=True,
    )

    assert "Format saved." in _text(response)
    with app.app_context():
        summit = get_summit_by_slug("2027")
        fmt = get_format(summit, "lightning")
        expected = datetime(2027, 3, 1, 17, 0, tzinfo=ZoneInfo(summit.timezone))
        assert (fmt.name_es, fmt.duration_minutes) == ("Charla relámpago", 15)
        assert fmt.closes_at == expected
    assert "format.create" in _audit_actions(app)
    assert "Lightning talk" in _text(client.get("/2027/call"))


def test_new_format_duplicate_code_shows_field_error(client, staff):
    response = client.post("/2027/staff/call/formats/new", data=_format_form(code="panel"))

    assert response.status_code == 422
    assert re.search(r'id="code-error"[^>]*>Already used', _text(response))


def test_format_own_deadline_in_the_past_refuses_submission_for_that_format_only(
    client, app, staff, make_user, make_proposal, client_for, load_proposal
):
    yesterday = (wall_now() - timedelta(days=1)).astimezone(ZoneInfo("America/Los_Angeles"))
    client.post(
        "/2027/staff/call/formats/poster",
        data=_format_form(
            name_en="Poster",
            name_es="Póster",
            duration_minutes="60",
            closes_at=yesterday.strftime("%Y-%m-%dT%H:%M"),
        ),
    )
    owner = make_user()
    poster = make_proposal(owner, format_code="poster")
    workshop = make_proposal(owner, format_code="workshop-60")
    presenter = client_for(owner)

    refused = presenter.post(f"/2027/proposals/{poster}/submit", follow_redirects=True)
    presenter.post(f"/2027/proposals/{workshop}/submit")

    assert "The call for proposals is not open" in _text(refused)
    assert load_proposal(poster)["state"] == "draft"
    assert load_proposal(workshop)["state"] == "submitted"
    assert "format.update" in _audit_actions(app)


def _question_form(**overrides) -> dict:
    form = {
        "kind": "single_choice",
        "prompt_en": "Have you presented before?",
        "prompt_es": "¿Ha presentado antes?",
        "help_en": "",
        "help_es": "",
        "options": "Never | Nunca\nOnce or twice | Una o dos veces",
        "is_required": "y",
        "format": "",
        "track": "",
        "position": "1",
        "is_active": "y",
    }
    return form | overrides


def test_choice_question_with_one_option_shows_error_and_is_not_saved(client, app, staff):
    from summit.proposals.queries import list_questions
    from summit.summits.queries import get_summit_by_slug

    response = client.post(
        "/2027/staff/call/questions/new", data=_question_form(options="Only | Solo")
    )

    assert response.status_code == 422
    assert re.search(r'id="options-error"[^>]*>Add at least two options', _text(response))
    with app.app_context():
        assert list_questions(get_summit_by_slug("2027")) == []


def test_choice_question_with_two_options_is_saved_and_audited(client, app, staff):
    from summit.proposals.queries import list_questions
    from summit.summits.queries import get_summit_by_slug

    response = client.post(
        "/2027/staff/call/questions/new", data=_question_form(), follow_redirects=True
    )

    assert "Question saved." in _text(response)
    with app.app_context():
        [question] = list_questions(get_summit_by_slug("2027"))
        assert [(o["en"], o["es"]) for o in question.options] == [
            ("Never", "Nunca"),
            ("Once or twice", "Una o dos veces"),
        ]
    assert "question.create" in _audit_actions(app)


def test_question_limited_to_a_format_is_required_and_listed_only_for_that_format(
    client, app, staff, make_user, make_proposal, client_for, load_proposal
):
    client.post(
        "/2027/staff/call/questions/new",
        data=_question_form(
            kind="short_text", prompt_en="Who is on the panel?", options="", format="panel"
        ),
    )
    owner = make_user()
    panel = make_proposal(owner, format_code="panel")
    workshop = make_proposal(owner, format_code="workshop-60")
    presenter = client_for(owner)

    panel_page = _text(presenter.get(f"/2027/proposals/{panel}"))
    workshop_page = _text(presenter.get(f"/2027/proposals/{workshop}"))
    refused = presenter.post(
        f"/2027/proposals/{panel}/edit", data=proposal_form("submit", format="panel")
    )
    presenter.post(f"/2027/proposals/{workshop}/submit")

    assert "an answer to a question" in panel_page
    assert "Still needed before you can submit" not in workshop_page
    assert refused.status_code == 422
    assert "A few things are missing before you can submit it." in _text(refused)
    assert load_proposal(panel)["state"] == "draft"
    assert load_proposal(workshop)["state"] == "submitted"


def test_question_edit_form_shows_saved_values(client, app, staff):
    from summit.proposals.queries import list_questions
    from summit.summits.queries import get_summit_by_slug

    client.post("/2027/staff/call/questions/new", data=_question_form(format="panel"))
    with app.app_context():
        public_id = list_questions(get_summit_by_slug("2027"))[0].public_id

    page = _text(client.get(f"/2027/staff/call/questions/{public_id}"))

    assert "Never | Nunca" in page
    assert re.search(r'<option selected value="panel"|<option value="panel" selected', page)


def test_access_code_created_is_listed_and_audited(client, app, staff):
    from summit.proposals.queries import list_access_codes
    from summit.summits.queries import get_summit_by_slug

    response = client.post(
        "/2027/staff/call/codes/new",
        data={
            "note": "Late keynote team",
            "expires_at": "2027-05-01T12:00",
            "max_uses": "3",
            "format": "panel",
            "track": "",
        },
        follow_redirects=True,
    )

    with app.app_context():
        summit = get_summit_by_slug("2027")
        [access] = list_access_codes(summit)
        code = access.code
        assert (access.note, access.max_uses, access.format.code) == (
            "Late keynote team",
            3,
            "panel",
        )
        assert access.expires_at == datetime(2027, 5, 1, 12, 0, tzinfo=ZoneInfo(summit.timezone))
    assert f"Access code {code} created." in _text(response)
    assert f"<code>{code}</code>" in _text(response)
    assert "access_code.create" in _audit_actions(app)


def test_access_code_invalid_max_uses_shows_error_and_creates_nothing(client, app, staff):
    from summit.proposals.queries import list_access_codes
    from summit.summits.queries import get_summit_by_slug

    response = client.post(
        "/2027/staff/call/codes/new", data={"max_uses": "0", "format": "", "track": ""}
    )

    assert response.status_code == 422
    with app.app_context():
        assert list_access_codes(get_summit_by_slug("2027")) == []


def test_format_seat_limit_is_saved_and_an_empty_one_means_no_reservations(client, app, staff):
    from summit.proposals.queries import get_format
    from summit.summits.queries import get_summit_by_slug

    client.post("/2027/staff/call/formats/new", data=_format_form(seat_limit="24"))
    with app.app_context():
        assert get_format(get_summit_by_slug("2027"), "lightning").seat_limit == 24
    client.post("/2027/staff/call/formats/lightning", data=_format_form(seat_limit=""))
    with app.app_context():
        assert get_format(get_summit_by_slug("2027"), "lightning").seat_limit is None


def test_format_seat_limit_zero_is_refused_with_a_message(client, staff):
    response = client.post("/2027/staff/call/formats/new", data=_format_form(seat_limit="0"))

    assert response.status_code == 422
    assert 'id="seat_limit-error"' in _text(response)
