from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from summit.accounts.models import User
from summit.extensions import db
from summit.proposals.enums import ProposalState
from summit.proposals.models import Presenter, Proposal
from summit.reviews.models import (
    Assignment,
    BlindText,
    Conflict,
    Criterion,
    PendingDecision,
    Review,
    ReviewerProfile,
    ReviewFlag,
    ReviewSettings,
    TrackCapacity,
)
from summit.summits.enums import Role
from summit.summits.models import Summit, SummitRole

REVIEWABLE_STATES = (ProposalState.UNDER_REVIEW.value,)


def get_settings(summit: Summit) -> ReviewSettings | None:
    return db.session.scalar(select(ReviewSettings).where(ReviewSettings.summit_id == summit.id))


def list_criteria(summit: Summit, *, active_only: bool = True) -> list[Criterion]:
    query = select(Criterion).where(Criterion.summit_id == summit.id)
    if active_only:
        query = query.where(Criterion.is_active.is_(True))
    return list(db.session.scalars(query.order_by(Criterion.position, Criterion.id)))


def get_criterion(summit: Summit, code: str) -> Criterion | None:
    return db.session.scalar(
        select(Criterion).where(Criterion.summit_id == summit.id, Criterion.code == code)
    )


def list_flags(summit: Summit) -> list[ReviewFlag]:
    return list(
        db.session.scalars(
            select(ReviewFlag).where(ReviewFlag.summit_id == summit.id).order_by(ReviewFlag.id)
        )
    )


def list_reviewers(summit: Summit) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(SummitRole, SummitRole.user_id == User.id)
            .where(SummitRole.summit_id == summit.id, SummitRole.role == Role.REVIEWER.value)
            .where(User.is_active_account.is_(True))
            .order_by(User.name)
        )
    )


def get_profile(summit: Summit, user: User) -> ReviewerProfile | None:
    return db.session.scalar(
        select(ReviewerProfile).where(
            ReviewerProfile.summit_id == summit.id, ReviewerProfile.user_id == user.id
        )
    )


def conflicted_proposal_ids(summit: Summit, user: User) -> set[int]:
    return set(
        db.session.scalars(
            select(Conflict.proposal_id).where(
                Conflict.summit_id == summit.id, Conflict.user_id == user.id
            )
        )
    )


def is_conflicted(proposal: Proposal, user: User) -> bool:
    return (
        db.session.scalar(
            select(Conflict.id).where(
                Conflict.proposal_id == proposal.id, Conflict.user_id == user.id
            )
        )
        is not None
    )


def list_conflicts(proposal: Proposal) -> list[Conflict]:
    return list(db.session.scalars(select(Conflict).where(Conflict.proposal_id == proposal.id)))


def get_assignment(proposal: Proposal, user: User) -> Assignment | None:
    return db.session.scalar(
        select(Assignment).where(
            Assignment.proposal_id == proposal.id, Assignment.reviewer_id == user.id
        )
    )


def list_assignments(summit: Summit) -> list[Assignment]:
    return list(db.session.scalars(select(Assignment).where(Assignment.summit_id == summit.id)))


def list_proposal_assignments(proposal: Proposal) -> list[Assignment]:
    return list(db.session.scalars(select(Assignment).where(Assignment.proposal_id == proposal.id)))


def get_review(proposal: Proposal, user: User) -> Review | None:
    return db.session.scalar(
        select(Review).where(Review.proposal_id == proposal.id, Review.reviewer_id == user.id)
    )


def list_reviews(summit: Summit) -> list[Review]:
    return list(db.session.scalars(select(Review).where(Review.summit_id == summit.id)))


def list_proposal_reviews(proposal: Proposal) -> list[Review]:
    return list(
        db.session.scalars(
            select(Review).where(Review.proposal_id == proposal.id).order_by(Review.id)
        )
    )


def _not_on_team(user: User) -> tuple:
    """Conditions leaving out proposals the user owns or presents on, conflict row or not."""
    presenting = select(Presenter.proposal_id).where(Presenter.user_id == user.id)
    return (Proposal.owner_id != user.id, Proposal.id.not_in(presenting))


def reviewer_queue(summit: Summit, user: User) -> list[tuple[Proposal, Review | None]]:
    """The reviewer's assigned, unconflicted proposals: unreviewed first, fewest reviews first."""
    counts = (
        select(Review.proposal_id, func.count().label("n"))
        .where(Review.summit_id == summit.id)
        .group_by(Review.proposal_id)
        .subquery()
    )
    conflicted = select(Conflict.proposal_id).where(
        Conflict.summit_id == summit.id, Conflict.user_id == user.id
    )
    rows = db.session.execute(
        select(Proposal, func.coalesce(counts.c.n, 0))
        .join(Assignment, Assignment.proposal_id == Proposal.id)
        .outerjoin(counts, counts.c.proposal_id == Proposal.id)
        .where(
            Assignment.reviewer_id == user.id,
            Assignment.summit_id == summit.id,
            Proposal.state.in_(REVIEWABLE_STATES),
            Proposal.id.not_in(conflicted),
            *_not_on_team(user),
        )
    ).all()
    mine = {
        r.proposal_id: r
        for r in db.session.scalars(
            select(Review).where(Review.summit_id == summit.id, Review.reviewer_id == user.id)
        )
    }
    rows.sort(key=lambda row: (row[0].id in mine, row[1], row[0].id))
    return [(proposal, mine.get(proposal.id)) for proposal, _count in rows]


def list_reviewable_proposals(summit: Summit, user: User) -> list[Proposal]:
    """Every proposal under review that the reviewer is not conflicted with."""
    conflicted = select(Conflict.proposal_id).where(
        Conflict.summit_id == summit.id, Conflict.user_id == user.id
    )
    return list(
        db.session.scalars(
            select(Proposal)
            .where(
                Proposal.summit_id == summit.id,
                Proposal.state.in_(REVIEWABLE_STATES),
                Proposal.id.not_in(conflicted),
                *_not_on_team(user),
            )
            .order_by(Proposal.id)
        )
    )


def get_blind_text(proposal: Proposal) -> BlindText | None:
    return db.session.get(BlindText, proposal.id)


def pending_decisions(summit: Summit) -> dict[int, str]:
    return dict(
        db.session.execute(
            select(PendingDecision.proposal_id, PendingDecision.decision).where(
                PendingDecision.summit_id == summit.id
            )
        ).all()
    )


def track_capacities(summit: Summit) -> dict[int, int]:
    from summit.summits.models import Track

    return dict(
        db.session.execute(
            select(TrackCapacity.track_id, TrackCapacity.slots)
            .join(Track, Track.id == TrackCapacity.track_id)
            .where(Track.summit_id == summit.id)
        ).all()
    )


BLIND_FIELDS = ("title", "abstract", "outcomes")


def reviewer_texts(proposals, *, is_blind: bool) -> dict[int, dict[str, str]]:
    """Title, description and take-aways as reviewers may see them, in one query:
    in blind mode, staff's anonymised text wherever it is filled in."""
    texts = {p.id: {name: getattr(p, name) for name in BLIND_FIELDS} for p in proposals}
    if is_blind and texts:
        query = select(BlindText).where(BlindText.proposal_id.in_(texts))
        for blind in db.session.scalars(query):
            for name in BLIND_FIELDS:
                if getattr(blind, name):
                    texts[blind.proposal_id][name] = getattr(blind, name)
    return texts


def _narrowed(query: Select, model, *, proposal: Proposal | None, reviewer: User | None) -> Select:
    if proposal is not None:
        query = query.where(model.proposal_id == proposal.id)
    if reviewer is not None:
        query = query.where(model.reviewer_id == reviewer.id)
    return query


def reviews_query(
    summit: Summit, *, proposal: Proposal | None = None, reviewer: User | None = None
) -> Select:
    """Reviews of the summit (of one proposal, by one reviewer), oldest first, for paging."""
    query = (
        select(Review)
        .where(Review.summit_id == summit.id)
        .options(joinedload(Review.proposal), joinedload(Review.reviewer))
        .order_by(Review.id)
    )
    return _narrowed(query, Review, proposal=proposal, reviewer=reviewer)


def assignments_query(
    summit: Summit, *, proposal: Proposal | None = None, reviewer: User | None = None
) -> Select:
    query = (
        select(Assignment)
        .where(Assignment.summit_id == summit.id)
        .options(joinedload(Assignment.proposal), joinedload(Assignment.reviewer))
        .order_by(Assignment.id)
    )
    return _narrowed(query, Assignment, proposal=proposal, reviewer=reviewer)


DECIDABLE_STATES = (
    ProposalState.UNDER_REVIEW.value,
    ProposalState.WAITLISTED.value,
    ProposalState.ACCEPTED.value,
    ProposalState.CONFIRMED.value,
    ProposalState.REJECTED.value,
)


def list_scored_proposals(summit: Summit, track_id: int | None = None) -> list[Proposal]:
    """Proposals the selection page ranks: under review or decided."""
    query = select(Proposal).where(
        Proposal.summit_id == summit.id, Proposal.state.in_(DECIDABLE_STATES)
    )
    if track_id is not None:
        query = query.where(Proposal.track_id == track_id)
    return list(db.session.scalars(query.options(joinedload(Proposal.track))))
