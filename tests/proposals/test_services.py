"""Rules of the call for proposals, at the service layer (no HTTP)."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from summit.core.errors import DomainError
from summit.core.exports import neutralise_cell
from summit.extensions import db
from summit.proposals import services
from summit.proposals.enums import ConsentStatus, InviteStatus, ProposalState
from summit.proposals.models import AccessCode, ProposalEvent
from tests.proposals.conftest import NOW

S = ProposalState


def test_create_proposal_draft_gets_random_code_and_lead(draft, lead):
    assert draft.state == S.DRAFT
    assert draft.code.startswith("PRO-") and len(draft.code) == 9
    assert [p.user_id for p in draft.presenters] == [lead.id]
    assert draft.presenters[0].is_lead


def test_create_proposal_codes_are_not_sequential(summit, lead, complete_data):
    codes = {
        services.create_proposal(summit, actor=lead, data=complete_data, at=NOW).code
        for _ in range(5)
    }

    assert len(codes) == 5


def test_create_proposal_draft_with_only_a_title_is_allowed(summit, lead):
    proposal = services.create_proposal(summit, actor=lead, data={"title": "Idea"}, at=NOW)

    assert proposal.state == S.DRAFT
    assert services.missing_for_submit(proposal, []).keys() >= {"abstract", "format", "track"}


def test_update_proposal_abstract_over_word_limit_raises_field_error(draft):
    data = {"title": "t", "abstract": "word " * 301, "outcomes": "x"}

    with pytest.raises(DomainError) as caught:
        services.update_proposal(draft, actor=draft.owner, data=data, at=NOW)

    assert caught.value.code == "invalid_proposal"
    assert "abstract" in caught.value.fields


def test_submit_proposal_while_open_sets_state_and_time(draft, lead):
    services.submit_proposal(draft, actor=lead, at=NOW)

    assert draft.state == S.SUBMITTED
    assert draft.submitted_at == NOW


def test_submit_proposal_incomplete_keeps_draft_and_lists_missing(summit, lead):
    proposal = services.create_proposal(summit, actor=lead, data={"title": "Idea"}, at=NOW)

    with pytest.raises(DomainError) as caught:
        services.submit_proposal(proposal, actor=lead, at=NOW)

    assert caught.value.code == "incomplete"
    assert "outcomes" in caught.value.fields
    assert proposal.state == S.DRAFT


def test_submit_proposal_after_close_without_code_is_refused_and_draft_kept(draft, lead, summit):
    after = summit.cfp_closes_at + timedelta(minutes=1)

    with pytest.raises(DomainError) as caught:
        services.submit_proposal(draft, actor=lead, at=after)

    assert caught.value.code == "cfp_closed"
    assert draft.state == S.DRAFT


def test_submit_proposal_after_close_with_valid_code_counts_a_use(draft, lead, summit):
    access = services.create_access_code(summit, actor=None, max_uses=1)
    after = summit.cfp_closes_at + timedelta(days=1)

    services.submit_proposal(draft, actor=lead, access_code=access.code.lower(), at=after)

    assert draft.state == S.SUBMITTED
    assert db.session.get(AccessCode, access.id).uses == 1


@pytest.mark.parametrize(
    ("code_kwargs", "expected"),
    [
        ({"max_uses": 1, "uses": 1}, "code_used_up"),
        ({"expires_at": NOW}, "code_expired"),
        ({"format_code": "panel"}, "code_wrong_format"),
    ],
)
def test_submit_proposal_after_close_with_unusable_code_is_refused(
    draft, lead, summit, code_kwargs, expected
):
    from summit.proposals.queries import get_format

    kwargs = dict(code_kwargs)
    uses = kwargs.pop("uses", 0)
    if "format_code" in kwargs:
        kwargs["format_id"] = get_format(summit, kwargs.pop("format_code")).id
    access = services.create_access_code(summit, actor=None, **kwargs)
    access.uses = uses
    after = summit.cfp_closes_at + timedelta(days=1)

    with pytest.raises(DomainError) as caught:
        services.submit_proposal(draft, actor=lead, access_code=access.code, at=after)

    assert caught.value.code == expected
    assert draft.state == S.DRAFT


def test_submit_proposal_unknown_code_is_refused(draft, lead, summit):
    after = summit.cfp_closes_at + timedelta(days=1)

    with pytest.raises(DomainError) as caught:
        services.submit_proposal(draft, actor=lead, access_code="NOPE1234", at=after)

    assert caught.value.code == "code_unknown"


def test_format_with_own_earlier_deadline_closes_before_the_call(draft, lead, summit):
    draft.format.closes_at = NOW - timedelta(hours=1)

    with pytest.raises(DomainError) as caught:
        services.submit_proposal(draft, actor=lead, at=NOW)

    assert caught.value.code == "cfp_closed"


def test_update_submitted_proposal_after_close_is_refused(draft, lead, summit):
    services.submit_proposal(draft, actor=lead, at=NOW)
    after = summit.cfp_closes_at + timedelta(hours=1)

    with pytest.raises(DomainError) as caught:
        services.update_proposal(draft, actor=lead, data={"title": "New"}, at=after)

    assert caught.value.code == "cfp_closed"


def test_change_state_every_transition_not_in_map_is_refused(draft):
    with pytest.raises(DomainError) as caught:
        services.change_state(draft, S.ACCEPTED, actor=None, as_staff=True, at=NOW)

    assert caught.value.code == "bad_transition"
    assert draft.state == S.DRAFT


def test_change_state_presenter_cannot_make_staff_transition(draft, lead):
    services.submit_proposal(draft, actor=lead, at=NOW)

    with pytest.raises(DomainError) as caught:
        services.change_state(draft, S.UNDER_REVIEW, actor=lead, as_staff=False, at=NOW)

    assert caught.value.code == "staff_only"


def test_change_state_records_history(draft, lead):
    services.submit_proposal(draft, actor=lead, at=NOW)
    services.withdraw_proposal(draft, actor=lead, at=NOW)

    events = db.session.scalars(
        select(ProposalEvent).where(
            ProposalEvent.proposal_id == draft.id, ProposalEvent.action == "state"
        )
    ).all()
    assert [(e.from_state, e.to_state) for e in events] == [
        ("draft", "submitted"),
        ("submitted", "withdrawn"),
    ]


def test_accept_with_minor_without_consent_is_refused_until_guardian_consents(draft, lead):
    presenter = services.add_presenter_without_email(
        draft,
        actor=lead,
        name="Student",
        role_type="student",
        age_band="13_17",
        guardian_name="Parent",
        guardian_email="parent@example.org",
    )
    services.submit_proposal(draft, actor=lead, at=NOW)
    services.change_state(draft, S.UNDER_REVIEW, actor=None, as_staff=True, at=NOW)

    with pytest.raises(DomainError) as caught:
        services.change_state(draft, S.ACCEPTED, actor=None, as_staff=True, at=NOW)
    assert caught.value.code == "consent_missing"

    [due] = services.consent_requests_due(draft)
    services.issue_consent_request(due, at=NOW)
    services.record_consent(presenter, granted=True, media_release=False, signed_name="Parent")
    services.change_state(draft, S.ACCEPTED, actor=None, as_staff=True, at=NOW)

    assert draft.state == S.ACCEPTED
    assert presenter.consent_status == ConsentStatus.GRANTED
    assert presenter.media_release is False


def test_consent_requests_are_not_due_while_draft(draft, lead):
    services.add_presenter_without_email(
        draft,
        actor=lead,
        name="Student",
        role_type="student",
        age_band="under_13",
        guardian_name="Parent",
        guardian_email="parent@example.org",
    )

    assert services.consent_requests_due(draft) == []


def test_invite_copresenter_twice_is_refused(draft, lead):
    services.invite_copresenter(draft, actor=lead, email="Friend@Example.org")

    with pytest.raises(DomainError) as caught:
        services.invite_copresenter(draft, actor=lead, email="friend@example.org")

    assert caught.value.code == "already_invited"


def test_invite_copresenter_self_is_refused(draft, lead):
    with pytest.raises(DomainError) as caught:
        services.invite_copresenter(draft, actor=lead, email=lead.email.upper())

    assert caught.value.code == "invite_self"


def test_invite_copresenter_over_limit_is_refused(draft, lead):
    services.ensure_call(draft.summit).max_copresenters = 2
    services.invite_copresenter(draft, actor=lead, email="a@example.org")
    services.invite_copresenter(draft, actor=lead, email="b@example.org")

    with pytest.raises(DomainError) as caught:
        services.invite_copresenter(draft, actor=lead, email="c@example.org")

    assert caught.value.code == "too_many_copresenters"


def test_accept_invitation_binds_account_and_second_account_is_refused(draft, lead, make_person):
    invitation = services.invite_copresenter(draft, actor=lead, email="friend@example.org")
    friend = make_person("Friend")
    stranger = make_person("Stranger")

    services.accept_invitation(invitation.presenter, user=friend, at=NOW)
    with pytest.raises(DomainError) as caught:
        services.accept_invitation(invitation.presenter, user=stranger, at=NOW)

    assert invitation.presenter.user_id == friend.id
    assert invitation.presenter.invite_status == InviteStatus.ACCEPTED
    assert caught.value.code == "invite_used"


def test_accept_invitation_minor_account_needs_consent(draft, lead, make_person):
    invitation = services.invite_copresenter(draft, actor=lead, email="teen@example.org")
    teen = make_person("Teen", age_band="13_17", presenter_role="student")

    services.accept_invitation(invitation.presenter, user=teen, at=NOW)

    assert invitation.presenter.consent_status == ConsentStatus.NEEDED
    assert draft.has_minors


def test_remove_lead_is_refused(draft, lead):
    with pytest.raises(DomainError) as caught:
        services.remove_presenter(draft.presenters[0], actor=lead)

    assert caught.value.code == "cannot_remove_lead"


def test_mark_duplicate_with_merge_moves_presenters_and_withdraws(
    summit, draft, lead, make_person, complete_data
):
    other_lead = make_person("Other")
    copy = services.create_proposal(summit, actor=other_lead, data=complete_data, at=NOW)
    services.submit_proposal(copy, actor=other_lead, at=NOW)

    services.mark_duplicate(copy, of=draft, actor=None, merge=True, at=NOW)

    assert copy.duplicate_of_id == draft.id
    assert copy.state == S.WITHDRAWN
    assert other_lead.id in {p.user_id for p in draft.presenters}


def test_neutralise_cell_formula_prefixes_are_defused():
    assert [neutralise_cell(v) for v in ["=1+1", "+x", "-2", "@SUM", "ok", None]] == [
        "'=1+1",
        "'+x",
        "'-2",
        "'@SUM",
        "ok",
        "",
    ]


def test_drafts_to_remind_only_within_48_hours_of_close(draft, summit):
    far = summit.cfp_closes_at - timedelta(days=3)
    near = summit.cfp_closes_at - timedelta(hours=47)

    assert services.drafts_to_remind(summit, at=far) == []
    assert services.drafts_to_remind(summit, at=near) == [draft]
