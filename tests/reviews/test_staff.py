"""Staff review pages: who may open them, rubric, settings, start and assign, per-proposal
reviews, reviewer progress, selection dashboard and the CSV export."""

import csv
import io
import re
from urllib.parse import unquote

import pytest
from sqlalchemy import select

from summit.extensions import db
from summit.proposals.enums import ProposalState
from summit.reviews.models import Assignment, BlindText, Conflict, Criterion, TrackCapacity
from summit.reviews.queries import get_settings
from tests.reviews.conftest import SLUG, assigned_emails

OVERVIEW = f"/{SLUG}/staff/review"
SELECTION = f"/{SLUG}/staff/selection"
EXPORT = f"/{SLUG}/staff/review/export.csv"
NEW_CRITERION = f"/{SLUG}/staff/review/criteria/new"
ROW = re.compile(r'id="row-(PRO-[A-Z0-9]{5})"')


def reviews_of(code: str) -> str:
    return f"/{SLUG}/staff/review/proposals/{code}"


def _text(response) -> str:
    return response.get_data(as_text=True)


def _rows(response) -> list[str]:
    assert response.status_code == 200, _text(response)[:300]
    return ROW.findall(_text(response))


def _row(response, code: str) -> str:
    """The HTML of one proposal's row on the selection page."""
    html = _text(response)
    start = html.index(f'id="row-{code}"')
    return html[start : html.index("</tr>", start)]


@pytest.fixture
def staff(world) -> str:
    return world.person("Sam Staff", roles=("staff",))


@pytest.fixture
def code(world) -> str:
    return world.proposal(title="Harvest suppers for families")


# --- who may open staff review pages: role x page ---------------------------------------------

GET_PAGES = ["overview", "selection", "proposal", "export", "new-criterion", "criterion"]
POSTS = [
    ("start", {}),
    ("assign", {}),
    ("decide", {"decision": "accepted"}),
    ("send", {}),
    ("capacity", {"slots": "3"}),
]


def _url(name: str, code: str) -> str:
    return {
        "overview": OVERVIEW,
        "selection": SELECTION,
        "proposal": reviews_of(code),
        "export": EXPORT,
        "new-criterion": NEW_CRITERION,
        "criterion": f"/{SLUG}/staff/review/criteria/clarity",
        "start": f"{OVERVIEW}/start",
        "assign": f"{OVERVIEW}/assign",
        "decide": f"{SELECTION}/decide",
        "send": f"{SELECTION}/send",
        "capacity": f"{SELECTION}/capacity/pillar-family",
    }[name]


@pytest.mark.parametrize("name", GET_PAGES)
@pytest.mark.parametrize("role", ["reviewer", "door", None])
def test_staff_review_pages_other_roles_are_forbidden(world, code, browse_as, name, role):
    someone = world.person("Someone", roles=(role,) if role else ())

    response = browse_as(someone).get(_url(name, code))

    assert response.status_code == 403
    assert "Harvest suppers" not in _text(response)


def test_staff_review_pages_presenter_of_the_proposal_is_forbidden(world, browse_as):
    lead = world.person("Lead")
    code = world.proposal(lead, title="Harvest suppers for families")

    statuses = [browse_as(lead).get(_url(name, code)).status_code for name in GET_PAGES]

    assert statuses == [403] * len(GET_PAGES)


@pytest.mark.parametrize("name", GET_PAGES)
def test_staff_review_pages_anonymous_is_sent_to_login(code, client, name):
    url = _url(name, code)

    response = client.get(url)

    assert response.status_code == 302
    assert unquote(response.headers["Location"]) == f"/account/login?next={url}"


@pytest.mark.parametrize("admin", [False, True], ids=["staff", "site-admin"])
@pytest.mark.parametrize("name", GET_PAGES)
def test_staff_review_pages_staff_and_site_admins_may_open_them(
    world, code, browse_as, name, admin
):
    email = world.person("Boss", is_admin=True) if admin else world.person("Sam", roles=("staff",))

    response = browse_as(email).get(_url(name, code))

    assert response.status_code == 200
    if name == "proposal":
        assert "Harvest suppers for families" in _text(response)


@pytest.mark.parametrize(("name", "data"), POSTS)
def test_staff_review_actions_by_a_reviewer_are_forbidden_and_change_nothing(
    world, browse_as, name, data
):
    reviewer = world.reviewer()
    submitted = world.proposal(state=ProposalState.SUBMITTED)
    under_review = world.proposal()

    response = browse_as(reviewer).post(
        _url(name, under_review), data={"code": under_review, **data}
    )

    assert response.status_code == 403
    assert (world.state(submitted), world.state(under_review)) == ("submitted", "under_review")
    assert world.run(lambda s: db.session.scalars(select(Assignment)).all()) == []
    assert world.run(lambda s: db.session.scalars(select(TrackCapacity)).all()) == []


# --- rubric and settings ----------------------------------------------------------------------


def _criterion_form(**overrides) -> dict:
    return {
        "code": "depth",
        "name_en": "Depth",
        "name_es": "Profundidad",
        "guidance_en": "How deep?",
        "guidance_es": "¿Qué tan profundo?",
        "scale_min": "1",
        "scale_max": "5",
        "weight": "2",
        "position": "9",
        "is_active": "y",
    } | overrides


def _criteria(world) -> dict[str, tuple]:
    return world.run(
        lambda s: {
            c.code: (c.scale_min, c.scale_max, c.weight, c.is_active)
            for c in db.session.scalars(select(Criterion))
        }
    )


def test_criterion_form_new_is_saved(world, staff, browse_as):
    response = browse_as(staff).post(NEW_CRITERION, data=_criterion_form())

    assert response.headers["Location"] == OVERVIEW
    assert _criteria(world)["depth"] == (1, 5, 2.0, True)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"scale_min": "4", "scale_max": "4"}, "Must be above the lowest score."),
        ({"scale_max": "11"}, "Number must be between 1 and 10."),
        ({"code": "Bad Code"}, "Lowercase letters, digits, hyphens."),
        ({"code": "clarity"}, "Already used."),
        ({"weight": "0"}, "This field is required."),
    ],
)
def test_criterion_form_invalid_shows_the_field_error_and_saves_nothing(
    world, staff, browse_as, overrides, message
):
    response = browse_as(staff).post(NEW_CRITERION, data=_criterion_form(**overrides))

    assert response.status_code == 422
    assert message in _text(response)
    assert "depth" not in _criteria(world)
    assert len(_criteria(world)) == 5


def test_criterion_form_edit_changes_scale_and_can_retire_it(world, staff, browse_as):
    response = browse_as(staff).post(
        f"/{SLUG}/staff/review/criteria/clarity",
        data=_criterion_form(code="", scale_min="0", scale_max="3", weight="0.5", is_active=""),
    )

    assert response.headers["Location"] == OVERVIEW
    assert _criteria(world)["clarity"] == (0, 3, 0.5, False)


def test_criterion_form_unknown_code_is_404(staff, browse_as):
    assert browse_as(staff).get(f"/{SLUG}/staff/review/criteria/nothing").status_code == 404


def test_settings_form_saves_every_setting(world, staff, browse_as):
    response = browse_as(staff).post(
        OVERVIEW,
        data={
            "reviews_per_proposal": "2",
            "show_reviews_after_submit": "y",
            "share_comments_with_presenters": "y",
            "min_reviews_to_normalise": "3",
        },
    )

    assert response.headers["Location"] == OVERVIEW

    def read(summit):
        s = get_settings(summit)
        return (
            s.reviews_per_proposal,
            s.is_blind,
            s.show_reviews_after_submit,
            s.share_comments_with_presenters,
            s.min_reviews_to_normalise,
        )

    assert world.run(read) == (2, False, True, True, 3)


@pytest.mark.parametrize("value", ["0", "11", ""])
def test_settings_form_reviews_per_proposal_out_of_range_is_refused(world, staff, browse_as, value):
    response = browse_as(staff).post(
        OVERVIEW, data={"reviews_per_proposal": value, "min_reviews_to_normalise": "5"}
    )

    assert response.status_code == 422
    assert world.run(lambda s: get_settings(s).reviews_per_proposal) == 3


# --- start, assign, progress ------------------------------------------------------------------


def test_start_review_moves_submitted_to_review_and_assigns(world, staff, browse_as):
    world.settings(reviews_per_proposal=2)
    reviewers = [world.reviewer(f"Reviewer {n}") for n in range(3)]
    submitted = [world.proposal(state=ProposalState.SUBMITTED) for _ in range(3)]
    draft = world.proposal(state=ProposalState.DRAFT)
    page = browse_as(staff)

    response = page.post(f"{OVERVIEW}/start")

    assert response.headers["Location"] == OVERVIEW
    assert [world.state(c) for c in submitted] == ["under_review"] * 3
    assert world.state(draft) == "draft"
    teams = world.run(lambda s: [assigned_emails(world.find(s, c)) for c in submitted])
    assert [len(t) for t in teams] == [2, 2, 2]
    assert set().union(*teams) <= set(reviewers)
    assert "3 proposals are now under review." in _text(page.get(OVERVIEW))


def test_run_assignment_refreshes_conflicts_before_assigning(world, staff, browse_as):
    world.settings(reviews_per_proposal=2)
    clash = world.reviewer("Clash", organisation="Quokka Unified")
    fine = world.reviewer("Fine")
    code = world.proposal(world.person("Lead", organisation="quokka  unified"))
    page = browse_as(staff)

    page.post(f"{OVERVIEW}/assign")

    assert world.run(lambda s: assigned_emails(world.find(s, code))) == {fine}
    assert world.run(lambda s: [c.user.email for c in db.session.scalars(select(Conflict))]) == [
        clash
    ]
    flashed = _text(page.get(OVERVIEW))
    assert "Assignment done: 1 new, 0 kept, 0 replaced." in flashed
    assert "Some proposals lack reviewers" in flashed


def test_overview_shows_reviewer_progress(world, staff, browse_as):
    busy, idle = world.reviewer("Busy Bee"), world.reviewer("Idle Ida")
    one, two = world.proposal(), world.proposal()
    world.assign(one, busy, idle)
    world.assign(two, busy)
    world.review(one, busy)

    html = _text(browse_as(staff).get(OVERVIEW))

    rows = re.findall(r"<tr>\s*<td[^>]*>([^<]+)</td>\s*<td[^>]*>([^<]+)</td>", html)
    assert rows == [("Busy Bee", "1 / 2"), ("Idle Ida", "0 / 1")]


# --- one proposal's reviews: assign, unassign, conflicts, blind text ----------------------------


def _post(page, code: str, form: str, **data):
    fields = {"form": form}
    for key, value in data.items():
        fields[key if form == "unassign" else f"{form}-{key}"] = value
    return page.post(reviews_of(code), data=fields, follow_redirects=True)


def test_proposal_reviews_assign_by_hand(world, code, staff, browse_as):
    reviewer = world.reviewer("Rita")

    response = _post(browse_as(staff), code, "assign", reviewer=reviewer)

    assert "Saved." in _text(response)
    assert world.run(
        lambda s: [(a.reviewer.email, a.is_manual) for a in db.session.scalars(select(Assignment))]
    ) == [(reviewer, True)]


def test_proposal_reviews_assign_a_conflicted_reviewer_is_refused(world, code, staff, browse_as):
    reviewer = world.reviewer("Rita")
    world.conflict(code, reviewer, "declared")

    response = _post(browse_as(staff), code, "assign", reviewer=reviewer)

    assert "Rita has a conflict with this proposal." in _text(response)
    assert world.run(lambda s: assigned_emails(world.find(s, code))) == set()


def test_proposal_reviews_assign_twice_is_refused(world, code, staff, browse_as):
    reviewer = world.reviewer("Rita")
    world.assign(code, reviewer)

    response = _post(browse_as(staff), code, "assign", reviewer=reviewer)

    assert "Rita already reviews this proposal." in _text(response)
    assert world.run(lambda s: len(db.session.scalars(select(Assignment)).all())) == 1


def test_proposal_reviews_assign_someone_who_is_not_a_reviewer_is_refused(
    world, code, staff, browse_as
):
    presenter = world.person("Pat Presenter")

    response = _post(browse_as(staff), code, "assign", reviewer=presenter)

    assert "Pat Presenter is not a reviewer of this summit." in _text(response)
    assert world.run(lambda s: assigned_emails(world.find(s, code))) == set()


def test_proposal_reviews_unassign(world, code, staff, browse_as):
    leaving, staying = world.reviewer("Leaving"), world.reviewer("Staying")
    world.assign(code, leaving, staying)

    _post(browse_as(staff), code, "unassign", reviewer=leaving)

    assert world.run(lambda s: assigned_emails(world.find(s, code))) == {staying}


def test_proposal_reviews_staff_conflict_removes_the_assignment(world, code, staff, browse_as):
    reviewer = world.reviewer("Rita")
    world.assign(code, reviewer)

    response = _post(browse_as(staff), code, "conflict", reviewer=reviewer, reason="Her sister")

    assert "Entered by staff (Her sister)" in _text(response)
    assert world.run(lambda s: assigned_emails(world.find(s, code))) == set()
    assert world.run(
        lambda s: [(c.user.email, c.source, c.reason) for c in db.session.scalars(select(Conflict))]
    ) == [(reviewer, "staff", "Her sister")]


def test_proposal_reviews_blind_text_is_saved(world, code, staff, browse_as):
    _post(
        browse_as(staff),
        code,
        "blind",
        title="  Suppers  ",
        abstract="Anonymous abstract",
        outcomes="",
    )

    stored = world.run(
        lambda s: [(t.title, t.abstract, t.outcomes) for t in db.session.scalars(select(BlindText))]
    )
    assert stored == [("Suppers", "Anonymous abstract", "")]


def test_proposal_reviews_unknown_form_is_400(code, staff, browse_as):
    response = browse_as(staff).post(reviews_of(code), data={"form": "nonsense"})

    assert response.status_code == 400


def test_proposal_reviews_shows_reviewers_by_name_with_scores(world, code, staff, browse_as):
    rita = world.reviewer("Rita Named")
    world.assign(code, rita)
    world.review(code, rita, value=4, comment_committee="Excellent.", comment_presenters="Bravo.")

    html = _text(browse_as(staff).get(reviews_of(code)))

    assert "Rita Named" in html
    assert "Excellent." in html
    assert "To presenters: Bravo." in html
    assert "total 100" in html


# --- the selection dashboard ------------------------------------------------------------------


@pytest.fixture
def ranked(world):
    """Three proposals where the raw mean and the normalised score disagree.

    Harsh reviewer H gives A 33 and B 0; lenient reviewer L gives B 100 and C 67.
    With 2 reviews enough to normalise: A +1, B 0, C -1; raw means: A 33, B 50, C 67.
    """
    world.settings(min_reviews_to_normalise=2)
    harsh, lenient = world.reviewer("Harsh"), world.reviewer("Lenient")
    a, b, c = (world.proposal(title=f"Proposal {x}") for x in "ABC")
    world.assign(a, harsh)
    world.assign(b, harsh, lenient)
    world.assign(c, lenient)
    world.review(a, harsh, value=2)
    world.review(b, harsh, value=1)
    world.review(b, lenient, value=4)
    world.review(c, lenient, value=3)
    return a, b, c


def test_selection_ranks_by_normalised_score_not_raw_mean(ranked, staff, browse_as):
    a, b, c = ranked

    response = browse_as(staff).get(SELECTION)

    assert _rows(response) == [a, b, c]
    assert re.search(r'data-label="Normalized">1\.00', _row(response, a))
    assert re.search(r'data-label="Normalized">-1\.00', _row(response, c))
    assert re.search(r'data-label="Mean">33<', _row(response, a))


def test_selection_flags_disagreement_only_where_reviewers_disagree(ranked, staff, browse_as):
    a, b, c = ranked

    response = browse_as(staff).get(SELECTION)

    assert ["disagree" in _row(response, code) for code in (a, b, c)] == [False, True, False]


def test_selection_filters_by_track(world, ranked, staff, browse_as):
    other = world.proposal(track="pillar-supports")

    everything = _rows(browse_as(staff).get(SELECTION))
    family = _rows(browse_as(staff).get(f"{SELECTION}?track=pillar-family"))

    assert other in everything
    assert family == list(ranked)


def test_selection_balance_counters_move_with_a_pending_decision(world, staff, browse_as):
    code = world.proposal(lead_role="student", language="es")
    page = browse_as(staff)
    before = _text(page.get(f"{SELECTION}?track=pillar-family"))

    page.post(
        f"{SELECTION}/decide", data={"code": code, "decision": "accepted", "track": "pillar-family"}
    )

    after = _text(page.get(f"{SELECTION}?track=pillar-family"))
    assert "0 sessions accepted or marked to accept." in before
    assert "This topic: 0 of ? places." in before
    assert "1 session accepted or marked to accept." in after
    assert "This topic: 1 of ? places." in after
    assert "<li>Student: 1</li>" in after
    assert "<li>Spanish: 1</li>" in after


def test_selection_rejecting_does_not_count_as_accepted(world, staff, browse_as):
    code = world.proposal()
    page = browse_as(staff)

    page.post(f"{SELECTION}/decide", data={"code": code, "decision": "rejected"})

    assert "0 sessions accepted or marked to accept." in _text(page.get(SELECTION))


def test_selection_capacity_saves_and_shows(world, staff, browse_as):
    page = browse_as(staff)

    response = page.post(f"{SELECTION}/capacity/pillar-family", data={"slots": "12"})

    assert response.headers["Location"] == f"{SELECTION}?track=pillar-family"
    html = _text(page.get(f"{SELECTION}?track=pillar-family"))
    assert "Capacity saved." in html
    assert "of 12 places." in html
    assert 'id="slots" name="slots" type="number" min="0" max="500" value="12"' in html


@pytest.mark.parametrize("slots", ["-1", "501", "many"])
def test_selection_capacity_out_of_range_is_refused(world, staff, browse_as, slots):
    page = browse_as(staff)
    page.post(f"{SELECTION}/capacity/pillar-family", data={"slots": "4"})

    page.post(f"{SELECTION}/capacity/pillar-family", data={"slots": slots})

    assert "Enter a number of sessions from 0 to 500." in _text(page.get(SELECTION))
    assert world.run(lambda s: [r.slots for r in db.session.scalars(select(TrackCapacity))]) == [4]


def test_selection_capacity_unknown_track_is_404(staff, browse_as):
    response = browse_as(staff).post(f"{SELECTION}/capacity/no-such-topic", data={"slots": "3"})

    assert response.status_code == 404


# --- CSV export -------------------------------------------------------------------------------


def test_export_neutralises_formula_cells(world, staff, browse_as):
    rita = world.reviewer("Rita")
    code = world.proposal(title='=HYPERLINK("http://evil.example","click")')
    world.assign(code, rita)
    world.review(
        code,
        rita,
        value=4,
        comment_committee="@SUM(A1:A9)",
        comment_presenters="+1 great idea",
    )

    response = browse_as(staff).get(EXPORT)

    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="reviews-2027.csv"'
    rows = list(csv.DictReader(io.StringIO(_text(response).lstrip("\ufeff"))))
    assert len(rows) == 1
    row = rows[0]
    assert row["title"] == '\'=HYPERLINK("http://evil.example","click")'
    assert row["comment_committee"] == "'@SUM(A1:A9)"
    assert row["comment_presenters"] == "'+1 great idea"
    assert (row["proposal"], row["reviewer"], row["total"], row["clarity"]) == (
        code,
        rita,
        "100.0",
        "4",
    )


def test_export_abstained_review_has_no_total(world, staff, browse_as):
    rita = world.reviewer("Rita")
    code = world.proposal()
    world.assign(code, rita)
    world.review(code, rita, scores={}, abstain=True)

    rows = list(csv.DictReader(io.StringIO(_text(browse_as(staff).get(EXPORT)).lstrip("\ufeff"))))

    assert [(r["abstained"], r["total"], r["clarity"]) for r in rows] == [("yes", "", "")]
