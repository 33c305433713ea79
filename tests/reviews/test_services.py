"""Review services over the database: setup, conflicts, assignment, reviewing, aggregation."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from summit.core.audit import AuditEntry
from summit.core.errors import DomainError
from summit.extensions import db
from summit.proposals.enums import ProposalState
from summit.proposals.models import ProposalEvent
from summit.reviews import services
from summit.reviews.enums import ConflictSource
from summit.reviews.models import Assignment, Conflict, Criterion, Review, ReviewFlag
from summit.reviews.queries import (
    get_review,
    is_conflicted,
    list_criteria,
    list_flags,
    list_proposal_assignments,
)
from summit.summits.models import SummitRole
from summit.summits.services import revoke_role
from tests.reviews.conftest import (
    NOW,
    World,
    assigned_emails,
    force_assignment,
    review_rows,
    scores,
)


def _conflicts(summit) -> dict[tuple[str, str], str]:
    """(proposal code, reviewer email) -> source of every conflict in the summit."""
    rows = db.session.scalars(select(Conflict).where(Conflict.summit_id == summit.id))
    return {(c.proposal.code, c.user.email): c.source for c in rows}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- setup -----------------------------------------------------------------------------------


def test_ensure_review_setup_new_summit_seeds_five_criteria_and_three_flags(summit):
    criteria = list_criteria(summit)
    flags = list_flags(summit)

    assert [c.code for c in criteria] == [
        "alignment",
        "community-voice",
        "practical-value",
        "equity",
        "clarity",
    ]
    assert {(c.scale_min, c.scale_max, c.weight) for c in criteria} == {(1, 4, 1.0)}
    assert criteria[1].name("es") == "Voz de la comunidad y poder compartido"
    assert [f.code for f in flags] == ["first-time", "student-led", "family-led"]


def test_ensure_review_setup_called_again_seeds_nothing_more(summit):
    first = services.ensure_review_setup(summit)

    again = services.ensure_review_setup(summit)

    assert again.id == first.id
    assert (_count(Criterion), _count(ReviewFlag)) == (5, 3)


def test_save_criterion_highest_not_above_lowest_is_refused_on_the_field(summit, staff):
    with pytest.raises(DomainError) as caught:
        services.save_criterion(
            summit, actor=staff, code="depth", name_en="Depth", name_es="Profundidad",
            scale_min=3, scale_max=3,
        )  # fmt: skip

    assert caught.value.code == "bad_scale"
    assert list(caught.value.fields) == ["scale_max"]
    assert _count(Criterion) == 5


@pytest.mark.parametrize("code", ["", "x", "Has Space", "-lead", "ünï", "a" * 41])
def test_save_criterion_bad_code_is_refused(summit, staff, code):
    with pytest.raises(DomainError) as caught:
        services.save_criterion(summit, actor=staff, code=code, name_en="N", name_es="N")

    assert caught.value.code == "bad_code"
    assert list(caught.value.fields) == ["code"]


def test_save_criterion_code_in_use_is_refused(summit, staff):
    with pytest.raises(DomainError) as caught:
        services.save_criterion(summit, actor=staff, code="Clarity ", name_en="N", name_es="N")

    assert (caught.value.code, caught.value.status) == ("code_taken", 409)


def test_save_criterion_new_is_stored_lowercased_and_audited(summit, staff):
    criterion = services.save_criterion(
        summit, actor=staff, code=" Depth ", name_en="Depth", name_es="Profundidad",
        scale_min=0, scale_max=10, weight=2.0, position=9,
    )  # fmt: skip

    assert (criterion.code, criterion.scale_min, criterion.scale_max, criterion.weight) == (
        "depth",
        0,
        10,
        2.0,
    )
    assert [c.code for c in list_criteria(summit)][-1] == "depth"
    assert db.session.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc())) == (
        "criterion.create"
    )


# --- automatic conflicts -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reviewer_org", "presenter_org"),
    [("Quokka Unified", "Quokka Unified"), ("  quokka   UNIFIED ", "Quokka Unified")],
)
def test_refresh_auto_conflicts_same_organisation_is_a_conflict(
    summit, person, reviewer, proposal, reviewer_org, presenter_org
):
    r = reviewer(organisation=reviewer_org)
    p = proposal(owner=person(organisation=presenter_org))

    services.refresh_auto_conflicts(summit)

    assert _conflicts(summit) == {(p.code, r.email): ConflictSource.ORGANISATION}


def test_refresh_auto_conflicts_same_organisation_as_a_copresenter_is_a_conflict(
    summit, person, reviewer, proposal
):
    r = reviewer(organisation="Wombat County Office")
    p = proposal(copresenters=[person(organisation="wombat county office")])

    services.refresh_auto_conflicts(summit)

    assert _conflicts(summit) == {(p.code, r.email): ConflictSource.ORGANISATION}


def test_refresh_auto_conflicts_other_organisation_or_none_is_no_conflict(
    summit, person, reviewer, proposal
):
    reviewer(organisation="Quokka Unified")
    reviewer(organisation=None)
    proposal(owner=person(organisation="Quokka Unified Partners"))
    proposal(owner=person(organisation=None))

    services.refresh_auto_conflicts(summit)

    assert _conflicts(summit) == {}


@pytest.mark.parametrize("as_lead", [True, False])
def test_refresh_auto_conflicts_reviewer_presenting_the_proposal_is_own(
    summit, reviewer, proposal, as_lead
):
    r = reviewer()
    p = proposal(owner=r) if as_lead else proposal(copresenters=[r])

    services.refresh_auto_conflicts(summit)

    assert _conflicts(summit) == {(p.code, r.email): ConflictSource.OWN}


def test_refresh_auto_conflicts_copresenting_elsewhere_with_a_presenter_is_a_conflict(
    summit, person, reviewer, proposal
):
    r = reviewer()
    partner = person("Partner")
    theirs = proposal(owner=r, copresenters=[partner])
    other = proposal(owner=partner)
    unrelated = proposal()

    services.refresh_auto_conflicts(summit)

    assert _conflicts(summit) == {
        (theirs.code, r.email): ConflictSource.OWN,
        (other.code, r.email): ConflictSource.CO_PRESENTER,
    }
    assert not is_conflicted(unrelated, r)


def test_refresh_auto_conflicts_same_private_mail_domain_is_a_conflict(
    summit, person, reviewer, proposal
):
    r = reviewer(email="principal@quokka-school.example")
    p = proposal(owner=person(email="teacher@Quokka-School.example"))

    services.refresh_auto_conflicts(summit)

    assert _conflicts(summit) == {(p.code, r.email): ConflictSource.EMAIL_DOMAIN}


@pytest.mark.parametrize("domain", ["gmail.com", "outlook.com", "yahoo.com"])
def test_refresh_auto_conflicts_same_public_mail_domain_is_no_conflict(
    summit, person, reviewer, proposal, domain
):
    reviewer(email=f"reviewer.one@{domain}")
    proposal(owner=person(email=f"presenter.two@{domain}"))

    services.refresh_auto_conflicts(summit)

    assert _conflicts(summit) == {}


def test_refresh_auto_conflicts_reason_lists_every_source(summit, person, reviewer, proposal):
    r = reviewer(email="a@quokka.example", organisation="Quokka Unified")
    p = proposal(owner=person(email="b@quokka.example", organisation="Quokka Unified"))

    services.refresh_auto_conflicts(summit)

    conflict = db.session.scalar(select(Conflict).where(Conflict.proposal_id == p.id))
    assert (conflict.user_id, conflict.source, conflict.reason) == (
        r.id,
        "organisation",
        "organisation, email_domain",
    )


def test_refresh_auto_conflicts_skips_non_reviewers_and_drafts(summit, person, reviewer, proposal):
    person("Not a reviewer", organisation="Quokka Unified")
    reviewer(organisation="Koala Academy")
    proposal(owner=person(organisation="Koala Academy"), state=ProposalState.DRAFT)
    proposal(owner=person(organisation="Quokka Unified"))

    services.refresh_auto_conflicts(summit)

    assert _conflicts(summit) == {}


def test_refresh_auto_conflicts_cause_gone_removes_automatic_keeps_declared_and_staff(
    summit, person, reviewer, proposal, staff
):
    r = reviewer(organisation="Quokka Unified")
    lead = person(organisation="Quokka Unified")
    p_auto, p_declared, p_staff = (proposal(owner=lead) for _ in range(3))
    services.refresh_auto_conflicts(summit)
    db.session.delete(
        db.session.scalar(select(Conflict).where(Conflict.proposal_id == p_declared.id))
    )
    db.session.delete(db.session.scalar(select(Conflict).where(Conflict.proposal_id == p_staff.id)))
    services.declare_conflict(p_declared, reviewer=r, actor=r)
    services.declare_conflict(p_staff, reviewer=r, actor=staff, source=ConflictSource.STAFF)
    r.organisation = "Koala Academy"

    services.refresh_auto_conflicts(summit)

    assert _conflicts(summit) == {
        (p_declared.code, r.email): ConflictSource.DECLARED,
        (p_staff.code, r.email): ConflictSource.STAFF,
    }
    assert not is_conflicted(p_auto, r)


def test_refresh_auto_conflicts_drops_assignment_and_review_of_the_conflicted(
    summit, person, reviewer, proposal
):
    r, other = reviewer(), reviewer()
    p = proposal(owner=person(organisation="Quokka Unified"))
    services.add_assignment(p, r, actor=None)
    services.add_assignment(p, other, actor=None)
    services.submit_review(p, reviewer=r, scores=scores(4), at=NOW)
    r.organisation = "quokka unified"

    services.refresh_auto_conflicts(summit)

    assert assigned_emails(p) == {other.email}
    assert review_rows(p) == []


# --- declared and staff conflicts --------------------------------------------------------------


def test_declare_conflict_removes_the_assignment(summit, reviewer, proposal):
    r = reviewer()
    p = proposal()
    services.add_assignment(p, r, actor=None)

    conflict = services.declare_conflict(p, reviewer=r, reason="I coach them", actor=r)

    assert (conflict.source, conflict.reason) == ("declared", "I coach them")
    assert list_proposal_assignments(p) == []
    assert is_conflicted(p, r)


def test_declare_conflict_twice_keeps_the_first(summit, reviewer, proposal, staff):
    r = reviewer()
    p = proposal()
    first = services.declare_conflict(p, reviewer=r, reason="first", actor=r)

    again = services.declare_conflict(
        p, reviewer=r, reason="second", actor=staff, source=ConflictSource.STAFF
    )

    assert (again.id, again.source, again.reason) == (first.id, "declared", "first")
    assert _count(Conflict) == 1


def test_declare_conflict_by_staff_is_audited_and_declared_is_not(
    summit, reviewer, proposal, staff
):
    r = reviewer()
    p_staff, p_declared = proposal(), proposal()

    services.declare_conflict(p_staff, reviewer=r, actor=staff, source=ConflictSource.STAFF)
    services.declare_conflict(p_declared, reviewer=r, actor=r)

    entries = list(
        db.session.scalars(select(AuditEntry).where(AuditEntry.action == "conflict.create"))
    )
    assert [(e.object_id, e.object_label, e.actor_id) for e in entries] == [
        (p_staff.code, r.email, staff.id)
    ]


# --- assignment over the database --------------------------------------------------------------


def _loads(summit) -> dict[int, int]:
    rows = db.session.execute(
        select(Assignment.reviewer_id, func.count())
        .where(Assignment.summit_id == summit.id)
        .group_by(Assignment.reviewer_id)
    ).all()
    return dict(rows)


def test_assign_reviewers_gives_every_proposal_n_distinct_reviewers(summit, reviewer, proposal):
    services.update_settings(summit, actor=None, reviews_per_proposal=2)
    reviewers = [reviewer(f"Reviewer {n}") for n in range(4)]
    proposals = [proposal() for _ in range(6)]

    result = services.assign_reviewers(summit, actor=None)

    assert [len(list_proposal_assignments(p)) for p in proposals] == [2] * 6
    assert sorted(_loads(summit).values()) == [3, 3, 3, 3]
    assert set(_loads(summit)) == {r.id for r in reviewers}
    assert (len(result.added), result.short) == (12, {})


def test_assign_reviewers_never_assigns_a_conflicted_reviewer(summit, person, reviewer, proposal):
    services.update_settings(summit, actor=None, reviews_per_proposal=3)
    clash = reviewer("Clash", organisation="Quokka Unified")
    others = [reviewer(f"Reviewer {n}") for n in range(3)]
    p = proposal(owner=person(organisation="Quokka Unified"))
    services.refresh_auto_conflicts(summit)

    services.assign_reviewers(summit, actor=None)

    assert assigned_emails(p) == {r.email for r in others}
    assert clash.email not in assigned_emails(p)


def test_assign_reviewers_too_few_unconflicted_reports_the_shortage(summit, reviewer, proposal):
    services.update_settings(summit, actor=None, reviews_per_proposal=3)
    r = reviewer()
    p = proposal(owner=reviewer("Presenting reviewer"))
    services.refresh_auto_conflicts(summit)

    result = services.assign_reviewers(summit, actor=None)

    assert assigned_emails(p) == {r.email}
    assert result.short == {p.id: 2}


def test_assign_reviewers_only_proposals_under_review(summit, reviewer, proposal):
    reviewer()
    submitted = proposal(state=ProposalState.SUBMITTED)
    waitlisted = proposal(state=ProposalState.WAITLISTED)
    under_review = proposal()

    services.assign_reviewers(summit, actor=None)

    assert [len(list_proposal_assignments(p)) for p in (submitted, waitlisted, under_review)] == [
        0,
        0,
        1,
    ]


def test_assign_reviewers_rerun_keeps_every_existing_assignment(summit, reviewer, proposal):
    services.update_settings(summit, actor=None, reviews_per_proposal=2)
    for n in range(5):
        reviewer(f"Reviewer {n}")
    proposals = [proposal() for _ in range(4)]
    services.assign_reviewers(summit, actor=None, seed=1)
    before = {p.code: assigned_emails(p) for p in proposals}

    result = services.assign_reviewers(summit, actor=None, seed=2)

    assert {p.code: assigned_emails(p) for p in proposals} == before
    assert (len(result.added), len(result.kept), len(result.dropped)) == (0, 8, 0)


def test_assign_reviewers_revoked_reviewer_is_replaced_and_their_review_kept_out(
    summit, reviewer, proposal, staff
):
    services.update_settings(summit, actor=None, reviews_per_proposal=2)
    leaving, *staying = (reviewer(f"Reviewer {n}") for n in range(4))
    proposals = [proposal() for _ in range(3)]
    services.assign_reviewers(summit, actor=None)
    theirs = [p for p in proposals if leaving.email in assigned_emails(p)]
    grant = db.session.scalar(select(SummitRole).where(SummitRole.user_id == leaving.id))
    revoke_role(summit, grant.id, actor=staff)

    result = services.assign_reviewers(summit, actor=None)

    assert theirs
    assert all(leaving.email not in assigned_emails(p) for p in proposals)
    assert [len(assigned_emails(p)) for p in proposals] == [2, 2, 2]
    assert {pair[1] for pair in result.dropped} == {leaving.id}
    assert all(assigned_emails(p) <= {r.email for r in staying} for p in proposals)


def test_assign_reviewers_keeps_a_reviewer_who_already_reviewed(summit, reviewer, proposal):
    services.update_settings(summit, actor=None, reviews_per_proposal=1)
    first, second = reviewer("A"), reviewer("B")
    p = proposal()
    services.add_assignment(p, second, actor=None)
    services.submit_review(p, reviewer=second, scores=scores(2), at=NOW)

    services.assign_reviewers(summit, actor=None)

    assert assigned_emails(p) == {second.email}
    assert first.email not in assigned_emails(p)


def test_add_assignment_conflicted_reviewer_is_refused(summit, reviewer, proposal, staff):
    r = reviewer()
    p = proposal()
    services.declare_conflict(p, reviewer=r, actor=r)

    with pytest.raises(DomainError) as caught:
        services.add_assignment(p, r, actor=staff)

    assert (caught.value.code, caught.value.status) == ("conflicted", 409)
    assert r.name in caught.value.message
    assert list_proposal_assignments(p) == []


def test_add_assignment_twice_is_refused(summit, reviewer, proposal, staff):
    r = reviewer()
    p = proposal()
    services.add_assignment(p, r, actor=staff)

    with pytest.raises(DomainError) as caught:
        services.add_assignment(p, r, actor=staff)

    assert caught.value.code == "already_assigned"
    assert len(list_proposal_assignments(p)) == 1


def test_add_assignment_someone_without_the_reviewer_role_is_refused(
    summit, person, proposal, staff
):
    p = proposal()

    with pytest.raises(DomainError) as caught:
        services.add_assignment(p, person("Just a presenter"), actor=staff)

    assert caught.value.code == "not_reviewer"
    assert list_proposal_assignments(p) == []


def test_add_assignment_by_hand_is_marked_manual(summit, reviewer, proposal, staff):
    r = reviewer()
    p = proposal()

    assignment = services.add_assignment(p, r, actor=staff)

    assert (assignment.is_manual, assignment.reviewer_id) == (True, r.id)


def test_remove_assignment_removes_only_that_reviewer(summit, reviewer, proposal, staff):
    r, other = reviewer(), reviewer()
    p = proposal()
    services.add_assignment(p, r, actor=staff)
    services.add_assignment(p, other, actor=staff)

    services.remove_assignment(p, r, actor=staff)
    db.session.flush()

    assert assigned_emails(p) == {other.email}


def test_remove_assignment_not_assigned_is_not_found(summit, reviewer, proposal, staff):
    with pytest.raises(DomainError) as caught:
        services.remove_assignment(proposal(), reviewer(), actor=staff)

    assert (caught.value.code, caught.value.status) == ("not_assigned", 404)


def test_start_review_moves_submitted_through_change_state_and_assigns(
    summit, reviewer, proposal, staff
):
    services.update_settings(summit, actor=None, reviews_per_proposal=2)
    for n in range(3):
        reviewer(f"Reviewer {n}")
    submitted = [proposal(state=ProposalState.SUBMITTED) for _ in range(2)]
    draft = proposal(state=ProposalState.DRAFT)

    moved = services.start_review(summit, actor=staff, at=NOW)

    assert moved == 2
    assert [p.state for p in submitted] == ["under_review", "under_review"]
    assert draft.state == "draft"
    assert [len(list_proposal_assignments(p)) for p in submitted] == [2, 2]
    events = db.session.scalars(
        select(ProposalEvent.to_state).where(
            ProposalEvent.proposal_id == submitted[0].id, ProposalEvent.action == "state"
        )
    )
    assert list(events) == ["submitted", "under_review"]


# --- reviewing ---------------------------------------------------------------------------------


@pytest.fixture
def assigned(summit, reviewer, proposal):
    """(proposal, reviewer): a proposal under review assigned to a reviewer."""
    r = reviewer()
    p = proposal()
    services.add_assignment(p, r, actor=None)
    return p, r


@pytest.mark.parametrize("bad", [0, 5, -1, "4.5", "four"])
def test_submit_review_score_outside_the_scale_is_refused_on_that_field(assigned, bad):
    p, r = assigned

    with pytest.raises(DomainError) as caught:
        services.submit_review(p, reviewer=r, scores=scores(3, equity=bad), at=NOW)

    assert (caught.value.code, caught.value.status) == ("invalid_scores", 422)
    assert caught.value.fields == {"score_equity": ["Choose a score from 1 to 4."]}
    assert review_rows(p) == []


def test_submit_review_missing_score_is_refused(assigned):
    p, r = assigned
    partial = scores(3)
    del partial["clarity"]

    with pytest.raises(DomainError) as caught:
        services.submit_review(p, reviewer=r, scores=partial, at=NOW)

    assert caught.value.fields == {"score_clarity": ["Choose a score."]}


def test_submit_review_custom_scale_is_respected(assigned, summit, staff):
    p, r = assigned
    services.save_criterion(
        summit, actor=staff, code="depth", name_en="Depth", name_es="Profundidad",
        scale_min=0, scale_max=10,
    )  # fmt: skip

    review = services.submit_review(p, reviewer=r, scores=scores(4, depth=10), at=NOW)

    assert review.scores["depth"] == 10


def test_submit_review_inactive_criterion_is_not_required_or_stored(assigned, summit, staff):
    p, r = assigned
    clarity = next(c for c in list_criteria(summit) if c.code == "clarity")
    services.save_criterion(summit, actor=staff, criterion=clarity, is_active=False)
    values = scores(2)
    del values["clarity"]

    review = services.submit_review(p, reviewer=r, scores=values | {"clarity": 9}, at=NOW)

    assert "clarity" not in review.scores
    assert len(review.scores) == 4


def test_submit_review_unassigned_proposal_is_refused(summit, reviewer, proposal):
    p = proposal()

    with pytest.raises(DomainError) as caught:
        services.submit_review(p, reviewer=reviewer(), scores=scores(), at=NOW)

    assert (caught.value.code, caught.value.status) == ("not_assigned", 403)
    assert review_rows(p) == []


def test_submit_review_conflicted_even_if_assigned_is_refused(summit, reviewer, proposal):
    r = reviewer()
    p = proposal()
    force_assignment(p, r)
    db.session.add(Conflict(summit_id=summit.id, proposal_id=p.id, user_id=r.id, source="staff"))
    db.session.flush()

    with pytest.raises(DomainError) as caught:
        services.submit_review(p, reviewer=r, scores=scores(), at=NOW)

    assert caught.value.code == "conflicted"
    assert review_rows(p) == []


def test_submit_review_own_proposal_assigned_by_mistake_is_refused(summit, reviewer, proposal):
    r = reviewer()
    p = proposal(owner=r)
    force_assignment(p, r)

    with pytest.raises(DomainError) as caught:
        services.submit_review(p, reviewer=r, scores=scores(4), at=NOW)

    assert caught.value.code == "conflicted"
    assert review_rows(p) == []


@pytest.mark.parametrize("state", [ProposalState.SUBMITTED, ProposalState.WAITLISTED])
def test_submit_review_proposal_not_under_review_is_refused(summit, reviewer, proposal, state):
    r = reviewer()
    p = proposal(state=state)
    force_assignment(p, r)

    with pytest.raises(DomainError) as caught:
        services.submit_review(p, reviewer=r, scores=scores(), at=NOW)

    assert caught.value.code == "not_in_review"


def test_submit_review_at_or_after_the_deadline_is_refused(assigned, summit):
    p, r = assigned
    summit.review_deadline_at = NOW

    with pytest.raises(DomainError) as caught:
        services.submit_review(p, reviewer=r, scores=scores(), at=NOW)

    assert (caught.value.code, caught.value.status) == ("review_closed", 409)
    assert "deadline" in caught.value.message
    assert review_rows(p) == []


def test_submit_review_just_before_the_deadline_is_saved(assigned, summit):
    p, r = assigned
    summit.review_deadline_at = NOW + timedelta(seconds=1)

    review = services.submit_review(p, reviewer=r, scores=scores(), at=NOW)

    assert review.scores == scores()


def test_submit_review_abstain_needs_no_scores(assigned):
    p, r = assigned

    review = services.submit_review(
        p, reviewer=r, scores={}, abstain=True, comment_committee="Outside my field", at=NOW
    )

    assert (review.is_abstained, review.scores, review.comment_committee) == (
        True,
        {},
        "Outside my field",
    )


def test_submit_review_abstain_drops_any_scores_sent(assigned):
    p, r = assigned

    review = services.submit_review(p, reviewer=r, scores=scores(4), abstain=True, at=NOW)

    assert review.scores == {}


def test_submit_review_twice_updates_the_one_review(assigned):
    p, r = assigned
    first = services.submit_review(p, reviewer=r, scores=scores(2), comment_committee="a", at=NOW)

    later = NOW + timedelta(minutes=5)
    second = services.submit_review(
        p, reviewer=r, scores=scores(4), comment_committee="b", at=later
    )

    rows = review_rows(p)
    assert [row.id for row in rows] == [first.id]
    assert second.id == first.id
    assert (rows[0].scores, rows[0].comment_committee) == (scores(4), "b")
    assert (rows[0].submitted_at, rows[0].updated_at) == (NOW, later)


def test_submit_review_keeps_known_flags_once_and_trims_comments(assigned):
    p, r = assigned

    review = services.submit_review(
        p, reviewer=r, scores=scores(), flags=["student-led", "bogus", "student-led", "first-time"],
        comment_presenters="  Thank you!  " + "x" * 6000, at=NOW,
    )  # fmt: skip

    assert review.flags == ["student-led", "first-time"]
    assert review.comment_presenters.startswith("Thank you!")
    assert len(review.comment_presenters) == 5000


def test_can_see_other_reviews_only_after_own_review(assigned, reviewer):
    p, r = assigned
    other = reviewer()
    services.add_assignment(p, other, actor=None)
    services.submit_review(p, reviewer=other, scores=scores(), at=NOW)
    before = services.can_see_other_reviews(p, r)

    services.submit_review(p, reviewer=r, scores=scores(), at=NOW)

    assert (before, services.can_see_other_reviews(p, r)) == (False, True)


def test_can_see_other_reviews_setting_off_hides_them_even_after_own(assigned, summit):
    p, r = assigned
    services.submit_review(p, reviewer=r, scores=scores(), at=NOW)

    services.update_settings(summit, actor=None, show_reviews_after_submit=False)

    assert services.can_see_other_reviews(p, r) is False


# --- aggregation wiring ------------------------------------------------------------------------


def test_score_summit_matches_a_hand_computed_weighted_mean(summit, reviewer, proposal, staff):
    alignment = next(c for c in list_criteria(summit) if c.code == "alignment")
    services.save_criterion(summit, actor=staff, criterion=alignment, weight=3.0)
    a, b, c = reviewer("A"), reviewer("B"), reviewer("C")
    p = proposal()
    for r in (a, b, c):
        services.add_assignment(p, r, actor=None)
    services.submit_review(p, reviewer=a, scores=scores(3), at=NOW)
    services.submit_review(p, reviewer=b, scores=scores(2, alignment=4), at=NOW)
    services.submit_review(p, reviewer=c, scores={}, abstain=True, at=NOW)

    result, stats = services.score_summit(summit)

    # A: every criterion 3 of 1–4 -> 2/3 -> 66.67.  B: alignment 4 (weight 3) -> 1,
    # the four others 2 -> 1/3 each: 100 * (3*1 + 4/3) / 7 = 61.90.  Mean 64.29.
    score = result[p.id]
    assert score.count == 2
    assert score.mean == pytest.approx((200 / 3 + 1300 / 21) / 2)
    assert score.spread == pytest.approx(200 / 3 - 1300 / 21)
    assert score.disagreement is False
    assert set(stats) == {a.id, b.id}
    assert services.weighted_total(get_review(p, b), summit) == pytest.approx(1300 / 21)


def test_score_summit_no_reviews_is_empty(summit, proposal):
    proposal()

    assert services.score_summit(summit) == ({}, {})


def test_reviewer_progress_counts_assigned_and_done(summit, reviewer, proposal):
    busy, idle = reviewer("Busy"), reviewer("Idle")
    p1, p2 = proposal(), proposal()
    for p in (p1, p2):
        services.add_assignment(p, busy, actor=None)
    services.add_assignment(p1, idle, actor=None)
    services.submit_review(p1, reviewer=busy, scores=scores(), at=NOW)

    progress = services.reviewer_progress(summit)

    assert [(row["user"].name, row["assigned"], row["done"]) for row in progress] == [
        ("Busy", 2, 1),
        ("Idle", 1, 0),
    ]


def test_review_row_is_unique_per_reviewer_and_proposal(assigned):
    p, r = assigned
    services.submit_review(p, reviewer=r, scores=scores(), at=NOW)

    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(Review(summit_id=p.summit_id, proposal_id=p.id, reviewer_id=r.id))
        db.session.flush()

    assert len(review_rows(p)) == 1


# --- the same review sent twice at the same instant (PostgreSQL) -------------------------------
#
# Both requests look for an existing review, find none, and insert. The unique
# (proposal, reviewer) index makes the second insert wait for the first commit and
# fail; submit_review must then update the one row instead of failing. The barrier
# holds both requests right after their lookup, so both really do try to insert:
# the test asserts both lookups saw nothing, and the control shows that a plain
# insert in the same race fails, so a broken submit_review would be caught.


def _race(app, code: str, email: str, write) -> dict:
    """Run ``write(proposal, reviewer, comment)`` for "first" and "second" at once."""
    from summit.accounts.queries import get_user_by_email
    from summit.proposals.queries import get_proposal
    from summit.summits.queries import get_summit_by_slug

    outcomes: dict[str, str] = {}

    def worker(comment: str) -> None:
        with app.app_context():
            proposal = get_proposal(get_summit_by_slug("2027"), code)
            reviewer = get_user_by_email(email)
            try:
                write(proposal, reviewer, comment)
                db.session.commit()
                outcomes[comment] = "saved"
            except Exception as error:  # the outcome is what the test reads
                db.session.rollback()
                outcomes[comment] = type(error).__name__
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(c,)) for c in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(t.is_alive() for t in threads)
    return outcomes


@pytest.fixture
def race_ready(world):
    email = world.reviewer()
    code = world.proposal()
    world.assign(code, email)
    return code, email


@pytest.mark.postgres_only
def test_submit_review_sent_twice_at_once_leaves_one_review(app, world, race_ready, monkeypatch):
    code, email = race_ready
    barrier = threading.Barrier(2, timeout=10)
    lookups, local = [], threading.local()
    original = services.get_review

    def get_review_then_wait(proposal, user):
        review = original(proposal, user)
        if not getattr(local, "waited", False):
            local.waited = True
            lookups.append(review)
            barrier.wait()  # both have looked; now both write
        return review

    monkeypatch.setattr(services, "get_review", get_review_then_wait)

    def write(proposal, reviewer, comment):
        services.submit_review(
            proposal, reviewer=reviewer, scores=scores(), comment_committee=comment
        )

    outcomes = _race(app, code, email, write)

    assert lookups == [None, None]  # the race really happened
    assert outcomes == {"first": "saved", "second": "saved"}

    def stored(summit):
        rows = review_rows(World.find(summit, code))
        return [r.comment_committee for r in rows]

    comments = world.run(stored)
    assert len(comments) == 1
    assert comments[0] in {"first", "second"}


@pytest.mark.postgres_only
def test_control_plain_insert_in_the_same_race_fails(app, race_ready):
    code, email = race_ready
    barrier = threading.Barrier(2, timeout=10)

    def write(proposal, reviewer, comment):
        assert get_review(proposal, reviewer) is None
        barrier.wait()
        db.session.add(
            Review(
                summit_id=proposal.summit_id,
                proposal_id=proposal.id,
                reviewer_id=reviewer.id,
                scores=scores(),
                comment_committee=comment,
            )
        )
        db.session.flush()

    outcomes = _race(app, code, email, write)

    assert sorted(outcomes.values()) == ["IntegrityError", "saved"]
