"""Decisions: pending marks, sending them through the state machine, the emails, and a
declined slot going to the best waitlisted proposal of the same track."""

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from summit.extensions import db
from summit.proposals import services as proposal_services
from summit.proposals.enums import ProposalState
from summit.proposals.models import Proposal, ProposalEvent
from summit.reviews.models import PendingDecision
from tests.reviews.conftest import SLUG

SELECTION = f"/{SLUG}/staff/selection"


def _text(response) -> str:
    return response.get_data(as_text=True)


def _in(app, locale: str, msgid: str, **values) -> str:
    """``msgid`` as the app renders it in ``locale``."""
    with app.test_request_context(), force_locale(locale):
        return gettext(msgid, **values)


def _pending(world) -> dict[str, str]:
    def read(summit):
        rows = db.session.scalars(select(PendingDecision))
        return {db.session.get(Proposal, row.proposal_id).code: row.decision for row in rows}

    return world.run(read)


@pytest.fixture
def staff(world) -> str:
    return world.person("Sam Staff", roles=("staff",))


@pytest.fixture
def desk(staff, browse_as):
    """Staff's browser with helpers for the selection page."""

    class Desk:
        page = browse_as(staff)

        def decide(self, code: str, decision: str):
            return self.page.post(f"{SELECTION}/decide", data={"code": code, "decision": decision})

        def send(self):
            return self.page.post(f"{SELECTION}/send", follow_redirects=True)

    return Desk()


# --- pending decisions ----------------------------------------------------------------------


def test_decide_marks_and_clears_a_pending_decision(world, desk):
    code = world.proposal()

    marked = desk.decide(code, "waitlisted")
    after_mark = _pending(world)
    desk.decide(code, "")

    assert marked.headers["Location"] == f"{SELECTION}?track=#row-{code}"
    assert after_mark == {code: "waitlisted"}
    assert _pending(world) == {}
    assert world.state(code) == "under_review"


def test_decide_shows_the_marked_button_pressed(world, desk):
    code = world.proposal()
    desk.decide(code, "accepted")

    html = _text(desk.page.get(SELECTION))

    assert html.count('aria-pressed="true"') == 1
    pressed = html[: html.index('aria-pressed="true"')].rsplit("<button", 1)[1]
    assert 'value="accepted"' in pressed
    assert "Send 1 decision" in html


@pytest.mark.parametrize("state", [ProposalState.SUBMITTED, ProposalState.ACCEPTED])
def test_decide_proposal_not_decidable_is_refused_with_a_message(world, desk, state):
    code = world.proposal(state=state)

    response = desk.page.post(
        f"{SELECTION}/decide", data={"code": code, "decision": "rejected"}, follow_redirects=True
    )

    assert "Only proposals under review or on the waiting list can get a decision." in _text(
        response
    )
    assert _pending(world) == {}


def test_decide_unknown_decision_is_400_and_unknown_code_404(world, desk):
    code = world.proposal()

    assert desk.decide(code, "maybe").status_code == 400
    assert desk.decide("PRO-ZZZZZ", "accepted").status_code == 404
    assert _pending(world) == {}


# --- sending ----------------------------------------------------------------------------------


def test_send_decisions_applies_each_through_change_state(world, desk):
    accept, waitlist, reject = (world.proposal(title=t) for t in ("Acc", "Wait", "Rej"))
    desk.decide(accept, "accepted")
    desk.decide(waitlist, "waitlisted")
    desk.decide(reject, "rejected")

    response = desk.send()

    assert "3 decisions sent." in _text(response)
    assert [world.state(c) for c in (accept, waitlist, reject)] == [
        "accepted",
        "waitlisted",
        "rejected",
    ]
    assert _pending(world) == {}
    events = world.run(
        lambda s: sorted(
            (world.find(s, c).code, e.from_state, e.to_state, e.detail)
            for c in (accept, waitlist, reject)
            for e in db.session.scalars(
                select(ProposalEvent).where(
                    ProposalEvent.proposal_id == world.find(s, c).id,
                    ProposalEvent.to_state.in_(["accepted", "waitlisted", "rejected"]),
                )
            )
        )
    )
    assert events == sorted(
        [
            (accept, "under_review", "accepted", "decision"),
            (waitlist, "under_review", "waitlisted", "decision"),
            (reject, "under_review", "rejected", "decision"),
        ]
    )


def test_send_decisions_waitlisted_can_later_be_accepted(world, desk):
    code = world.proposal(state=ProposalState.WAITLISTED)
    desk.decide(code, "accepted")

    desk.send()

    assert world.state(code) == "accepted"


def test_send_decisions_already_in_that_state_only_clears_the_mark(world, desk, mailbox, deliver):
    code = world.proposal(state=ProposalState.WAITLISTED)
    desk.decide(code, "waitlisted")

    response = desk.send()
    deliver()

    assert "0 decisions sent." in _text(response)
    assert (world.state(code), _pending(world), mailbox.messages) == ("waitlisted", {}, [])


def test_send_decisions_emails_every_presenter_in_their_language(
    app, world, desk, mailbox, deliver
):
    lead = world.person("Ana English", preferred_language="en")
    partner = world.person("Beto Español", preferred_language="es")
    code = world.proposal(lead, copresenters=[partner], title="Harvest suppers")

    def invite_someone(summit):
        proposal = world.find(summit, code)
        proposal_services.invite_copresenter(
            proposal, actor=proposal.owner, email="pending@invitee.example", name="Not Yet"
        )

    world.run(invite_someone)
    desk.decide(code, "accepted")

    desk.send()
    deliver()

    english, spanish = mailbox.to(lead), mailbox.to(partner)
    assert (len(english), len(spanish), mailbox.to("pending@invitee.example")) == (1, 1, [])
    assert english[0]["Subject"] == "Your session is accepted: Harvest suppers"
    assert english[0]["Content-Language"] == "en"
    assert mailbox.body(english[0]).startswith("Hello Ana English,")
    assert code in mailbox.body(english[0])
    assert f"/{SLUG}/proposals/{code}" in mailbox.body(english[0])
    assert spanish[0]["Content-Language"] == "es"
    assert spanish[0]["Subject"] == _in(
        app, "es", "Your session is accepted: %(title)s", title="Harvest suppers"
    )
    assert mailbox.body(spanish[0]).startswith("Hola, Beto Español:")
    assert "— El equipo de la Cumbre de Escuelas Comunitarias" in mailbox.body(spanish[0])


@pytest.mark.parametrize(
    ("decision", "subject"),
    [
        ("accepted", "Your session is accepted: Harvest suppers"),
        ("waitlisted", "Your proposal is on the waiting list: Harvest suppers"),
        ("rejected", "About your proposal: Harvest suppers"),
    ],
)
def test_send_decisions_email_matches_the_decision(
    world, desk, mailbox, deliver, decision, subject
):
    lead = world.person("Ana")
    code = world.proposal(lead, title="Harvest suppers")
    desk.decide(code, decision)

    desk.send()
    deliver()

    assert [m["Subject"] for m in mailbox.to(lead)] == [subject]


@pytest.mark.parametrize("share", [True, False], ids=["shared", "not-shared"])
def test_send_decisions_reviewer_comments_reach_presenters_only_when_shared(
    world, desk, mailbox, deliver, share
):
    world.settings(share_comments_with_presenters=share)
    lead = world.person("Ana")
    rita = world.reviewer("Rita")
    code = world.proposal(lead)
    world.assign(code, rita)
    world.review(
        code,
        rita,
        comment_committee="Internal: the budget is thin.",
        comment_presenters="Try a shorter opening.",
    )
    desk.decide(code, "rejected")

    desk.send()
    deliver()

    body = mailbox.body(mailbox.to(lead)[0])
    assert ("Try a shorter opening." in body) is share
    assert ("Comments from the reviewers:" in body) is share
    assert "Internal" not in body
    assert "Rita" not in body


def test_send_decisions_minor_without_guardian_consent_is_skipped_with_a_message(
    world, desk, mailbox, deliver
):
    lead = world.person("Ana")
    with_minor = world.proposal(lead, lead_role="student")
    fine = world.proposal()

    def add_student(summit):
        proposal = world.find(summit, with_minor)
        proposal_services.add_presenter_without_email(
            proposal,
            actor=proposal.owner,
            name="Student Presenter",
            role_type="student",
            age_band="13_17",
            guardian_name="Pat Guardian",
            guardian_email="guardian@family.example",
        )

    world.run(add_student)
    desk.decide(with_minor, "accepted")
    desk.decide(fine, "accepted")

    response = desk.send()
    deliver()

    assert "1 decision sent." in _text(response)
    assert (
        f"{with_minor} was not changed: A guardian has not yet given consent for: "
        "Student Presenter." in _text(response)
    )
    assert (world.state(with_minor), world.state(fine)) == ("under_review", "accepted")
    assert _pending(world) == {with_minor: "accepted"}
    assert mailbox.to(lead) == []
    assert mailbox.to("guardian@family.example") == []


def test_send_decisions_minor_with_consent_is_accepted(world, desk):
    code = world.proposal(lead_role="student")

    def add_consenting_student(summit):
        proposal = world.find(summit, code)
        student = proposal_services.add_presenter_without_email(
            proposal,
            actor=proposal.owner,
            name="Student Presenter",
            role_type="student",
            age_band="13_17",
            guardian_name="Pat Guardian",
            guardian_email="guardian@family.example",
        )
        proposal_services.issue_consent_request(student)
        proposal_services.record_consent(
            student, granted=True, media_release=False, signed_name="Pat Guardian"
        )

    world.run(add_consenting_student)
    desk.decide(code, "accepted")

    desk.send()

    assert world.state(code) == "accepted"


# --- a declined slot goes to the waiting list --------------------------------------------------


@pytest.fixture
def waiting_list(world):
    """An accepted family-track proposal and three waitlisted ones, scored.

    Same track: ``best`` (all 4s) and ``second`` (all 2s), plus ``unscored``;
    ``elsewhere`` scores 4s too but sits in another track.
    """
    lead = world.person("Declining Lead")
    accepted = world.proposal(lead, state=ProposalState.ACCEPTED)
    rita, omar = world.reviewer("Rita"), world.reviewer("Omar")
    best_lead, second_lead = world.person("Best Lead"), world.person("Second Lead")
    best = world.proposal(best_lead, title="Best waiting")
    second = world.proposal(second_lead, title="Second waiting")
    elsewhere = world.proposal(track="pillar-supports", title="Elsewhere")
    unscored = world.proposal(title="Unscored")
    for code, value in ((best, 4), (second, 2), (elsewhere, 4)):
        world.assign(code, rita, omar)
        world.review(code, rita, value=value)
        world.review(code, omar, value=value)
    for code in (best, second, elsewhere, unscored):
        world.change(code, ProposalState.WAITLISTED)
    return {
        "lead": lead,
        "accepted": accepted,
        "best": best,
        "best_lead": best_lead,
        "second": second,
        "second_lead": second_lead,
        "elsewhere": elsewhere,
        "unscored": unscored,
    }


def test_decline_moves_the_best_waitlisted_of_the_same_track_to_accepted_and_emails_it(
    world, waiting_list, browse_as, mailbox, deliver
):
    w = waiting_list

    response = browse_as(w["lead"]).post(f"/{SLUG}/proposals/{w['accepted']}/decline")
    deliver()

    assert response.headers["Location"] == f"/{SLUG}/proposals/{w['accepted']}"
    assert world.state(w["accepted"]) == "declined"
    assert world.state(w["best"]) == "accepted"
    assert [world.state(w[k]) for k in ("second", "elsewhere", "unscored")] == ["waitlisted"] * 3
    offers = mailbox.to(w["best_lead"])
    assert [m["Subject"] for m in offers] == ["Your session is accepted: Best waiting"]
    assert mailbox.to(w["second_lead"]) == []


def test_decline_twice_in_a_row_fills_both_slots_in_rank_order(world, waiting_list, browse_as):
    w = waiting_list
    other_lead = world.person("Other Declining Lead")
    other = world.proposal(other_lead, state=ProposalState.ACCEPTED)

    browse_as(w["lead"]).post(f"/{SLUG}/proposals/{w['accepted']}/decline")
    browse_as(other_lead).post(f"/{SLUG}/proposals/{other}/decline")

    assert [world.state(w[k]) for k in ("best", "second", "unscored", "elsewhere")] == [
        "accepted",
        "accepted",
        "waitlisted",
        "waitlisted",
    ]


def test_decline_with_an_empty_waiting_list_changes_nothing_else(
    world, browse_as, mailbox, deliver
):
    lead = world.person("Lead")
    accepted = world.proposal(lead, state=ProposalState.ACCEPTED)
    elsewhere = world.proposal(track="pillar-supports", state=ProposalState.WAITLISTED)

    browse_as(lead).post(f"/{SLUG}/proposals/{accepted}/decline")
    deliver()

    assert (world.state(accepted), world.state(elsewhere)) == ("declined", "waitlisted")
    assert mailbox.messages == []


def test_decline_by_someone_off_the_team_changes_nothing(world, waiting_list, browse_as):
    w = waiting_list
    stranger = world.person("Stranger")

    response = browse_as(stranger).post(f"/{SLUG}/proposals/{w['accepted']}/decline")

    assert response.status_code == 404
    assert (world.state(w["accepted"]), world.state(w["best"])) == ("accepted", "waitlisted")
