"""Review use cases: setup, conflicts, assignment, reviewing, aggregation, decisions.

The assignment and the aggregation themselves are pure functions
(``assignment.py``, ``aggregation.py``); this module adapts the database to them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from summit.accounts.enums import PresenterRole
from summit.accounts.models import User
from summit.core import audit
from summit.core.clock import now
from summit.core.errors import Conflict as ConflictError
from summit.core.errors import DomainError, Forbidden, NotFound
from summit.extensions import db
from summit.proposals import services as proposal_services
from summit.proposals.enums import InviteStatus, ProposalState
from summit.proposals.models import Presenter, Proposal
from summit.reviews import aggregation
from summit.reviews.assignment import ProposalIn, ReviewerIn, assign
from summit.reviews.enums import (
    DEFAULT_CRITERIA,
    DEFAULT_FLAGS,
    PUBLIC_MAIL_DOMAINS,
    ConflictSource,
    Decision,
)
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
from summit.reviews.queries import (
    get_assignment,
    get_profile,
    get_review,
    get_settings,
    list_criteria,
    list_flags,
    list_reviewers,
    list_reviews,
    pending_decisions,
)
from summit.summits.models import Summit

AUTO_SOURCES = {
    ConflictSource.ORGANISATION,
    ConflictSource.CO_PRESENTER,
    ConflictSource.EMAIL_DOMAIN,
    ConflictSource.OWN,
}


# --- setup --------------------------------------------------------------------


def ensure_review_setup(summit: Summit) -> ReviewSettings:
    settings = get_settings(summit)
    if settings is None:
        settings = ReviewSettings(summit_id=summit.id)
        db.session.add(settings)
        if not list_criteria(summit, active_only=False):
            for position, (code, en, es, guide_en, guide_es) in enumerate(DEFAULT_CRITERIA):
                db.session.add(
                    Criterion(
                        summit_id=summit.id,
                        code=code,
                        name_en=en,
                        name_es=es,
                        guidance_en=guide_en,
                        guidance_es=guide_es,
                        position=position,
                    )
                )
        if not list_flags(summit):
            for code, en, es in DEFAULT_FLAGS:
                db.session.add(ReviewFlag(summit_id=summit.id, code=code, name_en=en, name_es=es))
        db.session.flush()
    return settings


SETTINGS_FIELDS = (
    "reviews_per_proposal",
    "is_blind",
    "show_reviews_after_submit",
    "share_comments_with_presenters",
    "min_reviews_to_normalise",
)


def update_settings(summit: Summit, *, actor: User, **values) -> ReviewSettings:
    return audit.save_fields(
        ensure_review_setup(summit),
        values,
        allowed=SETTINGS_FIELDS,
        action="review.settings",
        actor=actor,
        summit=summit,
        object_type="review",
        ident=lambda _s: summit.slug,
        label=lambda _s: summit.name,
        created=False,
    )


CRITERION_FIELDS = (
    "name_en",
    "name_es",
    "guidance_en",
    "guidance_es",
    "scale_min",
    "scale_max",
    "weight",
    "position",
    "is_active",
)


def save_criterion(
    summit: Summit,
    *,
    actor: User,
    criterion: Criterion | None = None,
    code: str | None = None,
    **values,
) -> Criterion:
    from summit.summits.services import new_code

    if (
        values.get("scale_max") is not None
        and values.get("scale_min") is not None
        and (values["scale_max"] <= values["scale_min"])
    ):
        raise DomainError(
            "bad_scale",
            _("The highest score must be above the lowest."),
            fields={"scale_max": [_("Must be above the lowest score.")]},
        )
    created = criterion is None
    if created:
        code = new_code(
            code,
            (c.code for c in list_criteria(summit, active_only=False)),
            taken_message=_("Another criterion uses this code."),
            field_message=_("Already used."),
        )
        criterion = Criterion(summit_id=summit.id, code=code)
        db.session.add(criterion)
    return audit.save_fields(
        criterion,
        values,
        allowed=CRITERION_FIELDS,
        action="criterion.create" if created else "criterion.update",
        actor=actor,
        summit=summit,
        object_type="criterion",
        ident=lambda c: c.code,
        label=lambda c: c.name_en,
        created=created,
    )


def set_expertise(summit: Summit, user: User, tracks: list) -> ReviewerProfile:
    profile = get_profile(summit, user)
    if profile is None:
        profile = ReviewerProfile(summit_id=summit.id, user=user)
        db.session.add(profile)
    profile.expertise = [t for t in tracks if t.summit_id == summit.id]
    db.session.flush()
    return profile


# --- conflicts ----------------------------------------------------------------


def _domain(email: str | None) -> str:
    return (email or "").rpartition("@")[2].strip().lower()


def _org(value: str | None) -> str:
    return " ".join((value or "").lower().split())


def _team_users(proposal: Proposal) -> list[Presenter]:
    return [p for p in proposal.presenters if p.invite_status != InviteStatus.DECLINED]


def conflict_reasons(reviewer: User, proposal: Proposal, partners: set[int]) -> list[str]:
    """Automatic conflict sources between a reviewer and a proposal.

    ``partners`` are the user ids the reviewer presents with on any proposal.
    """
    reasons = []
    team = _team_users(proposal)
    if any(p.user_id == reviewer.id for p in team) or proposal.owner_id == reviewer.id:
        reasons.append(ConflictSource.OWN.value)
    org = _org(reviewer.organisation)
    if org and any(p.user is not None and _org(p.user.organisation) == org for p in team):
        reasons.append(ConflictSource.ORGANISATION.value)
    if any(p.user_id in partners for p in team if p.user_id is not None):
        reasons.append(ConflictSource.CO_PRESENTER.value)
    domain = _domain(reviewer.email)
    if domain and domain not in PUBLIC_MAIL_DOMAINS:
        emails = [p.email or (p.user.email if p.user else None) for p in team]
        if any(_domain(e) == domain for e in emails if e):
            reasons.append(ConflictSource.EMAIL_DOMAIN.value)
    return reasons


def _partners(summit: Summit) -> dict[int, set[int]]:
    """user id -> user ids they present with, across the summit's proposals."""
    teams: dict[int, set[int]] = defaultdict(set)
    rows = db.session.execute(
        select(Presenter.proposal_id, Presenter.user_id)
        .join(Proposal, Proposal.id == Presenter.proposal_id)
        .where(
            Proposal.summit_id == summit.id,
            Presenter.user_id.is_not(None),
            Presenter.invite_status != InviteStatus.DECLINED.value,
        )
    ).all()
    for proposal_id, user_id in rows:
        teams[proposal_id].add(user_id)
    partners: dict[int, set[int]] = defaultdict(set)
    for members in teams.values():
        for member in members:
            partners[member] |= members - {member}
    return partners


def refresh_auto_conflicts(summit: Summit) -> int:
    """Recompute automatic conflicts for every reviewer and proposal; returns how many exist."""
    reviewers = list_reviewers(summit)
    proposals = list(
        db.session.scalars(
            select(Proposal).where(
                Proposal.summit_id == summit.id, Proposal.state != ProposalState.DRAFT.value
            )
        )
    )
    partners = _partners(summit)
    existing = {
        (c.proposal_id, c.user_id): c
        for c in db.session.scalars(select(Conflict).where(Conflict.summit_id == summit.id))
    }
    wanted = {}
    for reviewer in reviewers:
        mine = partners.get(reviewer.id, set())
        for proposal in proposals:
            reasons = conflict_reasons(reviewer, proposal, mine)
            if reasons:
                wanted[(proposal.id, reviewer.id)] = reasons
    for key, reasons in wanted.items():
        if key not in existing:
            db.session.add(
                Conflict(
                    summit_id=summit.id,
                    proposal_id=key[0],
                    user_id=key[1],
                    source=reasons[0],
                    reason=", ".join(reasons),
                )
            )
    for key, conflict in existing.items():
        if conflict.source in AUTO_SOURCES and key not in wanted:
            db.session.delete(conflict)
    db.session.flush()
    _drop_conflicted_assignments(summit)
    return len(wanted)


def _drop_conflicted_assignments(summit: Summit) -> None:
    conflicted = select(Conflict.id).where(
        Conflict.proposal_id == Assignment.proposal_id, Conflict.user_id == Assignment.reviewer_id
    )
    db.session.execute(
        delete(Assignment)
        .where(Assignment.summit_id == summit.id, conflicted.exists())
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        delete(Review)
        .where(
            Review.summit_id == summit.id,
            select(Conflict.id)
            .where(
                Conflict.proposal_id == Review.proposal_id, Conflict.user_id == Review.reviewer_id
            )
            .exists(),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.expire_all()


def declare_conflict(
    proposal: Proposal,
    *,
    reviewer: User,
    reason: str = "",
    actor: User,
    source: ConflictSource = ConflictSource.DECLARED,
) -> Conflict:
    existing = db.session.scalar(
        select(Conflict).where(Conflict.proposal_id == proposal.id, Conflict.user_id == reviewer.id)
    )
    if existing is not None:
        return existing
    conflict = Conflict(
        summit_id=proposal.summit_id,
        proposal_id=proposal.id,
        user_id=reviewer.id,
        source=source.value,
        reason=(reason or "")[:300],
    )
    db.session.add(conflict)
    db.session.flush()
    _drop_conflicted_assignments(proposal.summit)
    if source is ConflictSource.STAFF:
        audit.record(
            "conflict.create",
            actor=actor,
            summit=proposal.summit,
            object_type="proposal",
            object_id=proposal.code,
            label=reviewer.email,
        )
    return conflict


# --- assignment -----------------------------------------------------------------


def _is_student_led(proposal: Proposal) -> bool:
    return proposal.lead_role == PresenterRole.STUDENT.value


def assign_reviewers(summit: Summit, *, actor: User | None, seed: int = 0):
    """Give every proposal under review its reviews, keeping what exists."""
    settings = ensure_review_setup(summit)
    proposals = list(
        db.session.scalars(
            select(Proposal).where(
                Proposal.summit_id == summit.id,
                Proposal.state == ProposalState.UNDER_REVIEW.value,
            )
        )
    )
    reviewers = list_reviewers(summit)
    profiles = {
        p.user_id: p
        for p in db.session.scalars(
            select(ReviewerProfile).where(ReviewerProfile.summit_id == summit.id)
        )
    }
    conflicts = set(
        db.session.execute(
            select(Conflict.proposal_id, Conflict.user_id).where(Conflict.summit_id == summit.id)
        ).all()
    )
    existing_rows = list(
        db.session.scalars(select(Assignment).where(Assignment.summit_id == summit.id))
    )
    reviewed = set(
        db.session.execute(
            select(Review.proposal_id, Review.reviewer_id).where(Review.summit_id == summit.id)
        ).all()
    )
    result = assign(
        [ProposalIn(p.id, p.track_id, _is_student_led(p)) for p in proposals],
        [
            ReviewerIn(
                r.id,
                frozenset(t.id for t in profiles[r.id].expertise)
                if r.id in profiles
                else frozenset(),
                r.presenter_role == PresenterRole.STUDENT.value,
            )
            for r in reviewers
        ],
        per_proposal=settings.reviews_per_proposal,
        conflicts={tuple(c) for c in conflicts},
        existing=[(a.proposal_id, a.reviewer_id) for a in existing_rows],
        locked={tuple(r) for r in reviewed},
        seed=seed,
    )
    dropped = set(result.dropped)
    for row in existing_rows:
        if (row.proposal_id, row.reviewer_id) in dropped:
            db.session.delete(row)
    for proposal_id, reviewer_id in result.added:
        db.session.add(
            Assignment(summit_id=summit.id, proposal_id=proposal_id, reviewer_id=reviewer_id)
        )
    db.session.flush()
    audit.record(
        "review.assign",
        actor=actor,
        summit=summit,
        object_type="review",
        object_id=summit.slug,
        after={
            "added": len(result.added),
            "kept": len(result.kept),
            "dropped": len(result.dropped),
            "short": sum(result.short.values()),
        },
    )
    return result


def add_assignment(proposal: Proposal, reviewer: User, *, actor: User) -> Assignment:
    from summit.reviews.queries import is_conflicted

    if is_conflicted(proposal, reviewer):
        raise ConflictError(
            "conflicted", _("%(name)s has a conflict with this proposal.", name=reviewer.name)
        )
    if reviewer.id not in {r.id for r in list_reviewers(proposal.summit)}:
        raise DomainError(
            "not_reviewer", _("%(name)s is not a reviewer of this summit.", name=reviewer.name)
        )
    if get_assignment(proposal, reviewer) is not None:
        raise ConflictError(
            "already_assigned", _("%(name)s already reviews this proposal.", name=reviewer.name)
        )
    assignment = Assignment(
        summit_id=proposal.summit_id,
        proposal_id=proposal.id,
        reviewer_id=reviewer.id,
        is_manual=True,
    )
    db.session.add(assignment)
    db.session.flush()
    audit.record(
        "review.assign_one",
        actor=actor,
        summit=proposal.summit,
        object_type="proposal",
        object_id=proposal.code,
        label=reviewer.email,
    )
    return assignment


def remove_assignment(proposal: Proposal, reviewer: User, *, actor: User) -> None:
    assignment = get_assignment(proposal, reviewer)
    if assignment is None:
        raise NotFound("not_assigned", _("That reviewer is not assigned to this proposal."))
    db.session.delete(assignment)
    audit.record(
        "review.unassign",
        actor=actor,
        summit=proposal.summit,
        object_type="proposal",
        object_id=proposal.code,
        label=reviewer.email,
    )


def start_review(summit: Summit, *, actor: User, at=None) -> int:
    """Move every submitted proposal to review, find conflicts, assign reviewers."""
    proposals = list(
        db.session.scalars(
            select(Proposal).where(
                Proposal.summit_id == summit.id,
                Proposal.state == ProposalState.SUBMITTED.value,
            )
        )
    )
    for proposal in proposals:
        proposal_services.change_state(
            proposal, ProposalState.UNDER_REVIEW, actor=actor, as_staff=True, at=at
        )
    refresh_auto_conflicts(summit)
    assign_reviewers(summit, actor=actor)
    return len(proposals)


# --- reviewing ------------------------------------------------------------------


def check_can_review(proposal: Proposal, reviewer: User, *, at=None) -> None:
    from summit.reviews.queries import is_conflicted

    at = at or now()
    if proposal.state != ProposalState.UNDER_REVIEW.value:
        raise ConflictError("not_in_review", _("This proposal is not open for review."))
    on_team = proposal.owner_id == reviewer.id or any(
        p.user_id == reviewer.id for p in proposal.presenters
    )
    if on_team or is_conflicted(proposal, reviewer):
        raise Forbidden(
            "conflicted", _("You have a conflict with this proposal, so you cannot review it.")
        )
    if get_assignment(proposal, reviewer) is None:
        raise Forbidden("not_assigned", _("This proposal is not assigned to you."))
    deadline = proposal.summit.review_deadline_at
    if deadline is not None and at >= deadline:
        raise ConflictError(
            "review_closed", _("The review deadline has passed; reviews are locked.")
        )


def submit_review(
    proposal: Proposal,
    *,
    reviewer: User,
    scores: dict[str, int | None],
    flags: list[str] = (),
    comment_committee: str = "",
    comment_presenters: str = "",
    abstain: bool = False,
    at=None,
) -> Review:
    at = at or now()
    check_can_review(proposal, reviewer, at=at)
    criteria = list_criteria(proposal.summit)
    clean: dict[str, int] = {}
    errors: dict[str, list[str]] = {}
    if not abstain:
        for criterion in criteria:
            value = scores.get(criterion.code)
            if value is None or value == "":
                errors[f"score_{criterion.code}"] = [_("Choose a score.")]
                continue
            try:
                value = int(value)
            except (TypeError, ValueError):
                value = None
            if value is None or not criterion.scale_min <= value <= criterion.scale_max:
                errors[f"score_{criterion.code}"] = [
                    _(
                        "Choose a score from %(low)d to %(high)d.",
                        low=criterion.scale_min,
                        high=criterion.scale_max,
                    )
                ]
                continue
            clean[criterion.code] = value
    if errors:
        raise DomainError(
            "invalid_scores",
            _("Please score every criterion, or abstain."),
            fields=errors,
            status=422,
        )
    known_flags = {f.code for f in list_flags(proposal.summit)}
    values = {
        "scores": clean,
        "flags": [f for f in dict.fromkeys(flags or []) if f in known_flags],
        "comment_committee": (comment_committee or "").strip()[:5000],
        "comment_presenters": (comment_presenters or "").strip()[:5000],
        "is_abstained": bool(abstain),
        "updated_at": at,
    }
    review = get_review(proposal, reviewer)
    if review is None:
        try:
            with db.session.begin_nested():
                review = Review(
                    summit_id=proposal.summit_id,
                    proposal_id=proposal.id,
                    reviewer_id=reviewer.id,
                    submitted_at=at,
                    **values,
                )
                db.session.add(review)
        except IntegrityError:  # the same form sent twice at once: update the one review
            review = get_review(proposal, reviewer)
    for key, value in values.items():
        setattr(review, key, value)
    db.session.flush()
    return review


def can_see_other_reviews(proposal: Proposal, user: User) -> bool:
    settings = ensure_review_setup(proposal.summit)
    return settings.show_reviews_after_submit and get_review(proposal, user) is not None


def save_blind_text(
    proposal: Proposal, *, actor: User, title: str, abstract: str, outcomes: str
) -> BlindText:
    text = db.session.get(BlindText, proposal.id)
    if text is None:
        text = BlindText(proposal_id=proposal.id)
        db.session.add(text)
    text.title, text.abstract, text.outcomes = title.strip(), abstract.strip(), outcomes.strip()
    audit.record(
        "review.blind_text",
        actor=actor,
        summit=proposal.summit,
        object_type="proposal",
        object_id=proposal.code,
        label=proposal.title,
    )
    return text


# --- aggregation ----------------------------------------------------------------


def score_summit(summit: Summit):
    settings = ensure_review_setup(summit)
    criteria = [
        aggregation.Criterion(c.code, c.weight, c.scale_min, c.scale_max)
        for c in list_criteria(summit)
    ]
    reviews = [
        aggregation.ScoredReview(r.proposal_id, r.reviewer_id, r.scores)
        for r in list_reviews(summit)
        if not r.is_abstained and r.scores
    ]
    return aggregation.aggregate(reviews, criteria, min_reviews=settings.min_reviews_to_normalise)


def weighted_total(review: Review, summit: Summit) -> float | None:
    criteria = [
        aggregation.Criterion(c.code, c.weight, c.scale_min, c.scale_max)
        for c in list_criteria(summit)
    ]
    return aggregation.weighted_total(review.scores or {}, criteria)


# --- decisions ------------------------------------------------------------------


def set_pending_decision(proposal: Proposal, decision: str | None, *, actor: User) -> None:
    pending = db.session.get(PendingDecision, proposal.id)
    if not decision:
        if pending is not None:
            db.session.delete(pending)
        return
    decision = Decision(decision)
    if proposal.state not in (ProposalState.UNDER_REVIEW.value, ProposalState.WAITLISTED.value):
        raise ConflictError(
            "not_decidable",
            _("Only proposals under review or on the waiting list can get a decision."),
        )
    if pending is None:
        pending = PendingDecision(
            proposal_id=proposal.id, summit_id=proposal.summit_id, decision=decision.value
        )
        db.session.add(pending)
    pending.decision = decision.value
    pending.set_by_id = actor.id
    pending.set_at = now()
    db.session.flush()


def set_capacity(track, slots: int, *, actor: User) -> None:
    row = db.session.get(TrackCapacity, track.id)
    if row is None:
        row = TrackCapacity(track_id=track.id)
        db.session.add(row)
    row.slots = max(int(slots), 0)
    audit.record(
        "track.capacity",
        actor=actor,
        summit=track.summit,
        object_type="track",
        object_id=track.code,
        label=track.name_en,
        after={"slots": row.slots},
    )


@dataclass(frozen=True)
class DecisionOutcome:
    applied: list[Proposal]
    skipped: list[tuple[Proposal, str]]


def send_decisions(summit: Summit, *, actor: User, at=None) -> DecisionOutcome:
    """Apply every pending decision through the proposal state machine."""
    at = at or now()
    applied, skipped = [], []
    pending = pending_decisions(summit)
    for proposal_id, decision in sorted(pending.items()):
        proposal = db.session.get(Proposal, proposal_id)
        if proposal.state == decision:
            db.session.execute(
                delete(PendingDecision).where(PendingDecision.proposal_id == proposal_id)
            )
            continue
        try:
            with db.session.begin_nested():
                proposal_services.change_state(
                    proposal, decision, actor=actor, as_staff=True, note="decision", at=at
                )
        except DomainError as error:
            skipped.append((proposal, error.message))
            continue
        db.session.execute(
            delete(PendingDecision).where(PendingDecision.proposal_id == proposal_id)
        )
        applied.append(proposal)
    db.session.flush()
    audit.record(
        "review.send_decisions",
        actor=actor,
        summit=summit,
        object_type="review",
        object_id=summit.slug,
        after={"applied": len(applied), "skipped": len(skipped)},
    )
    return DecisionOutcome(applied, skipped)


def ranked_waitlist(proposal: Proposal) -> list[Proposal]:
    """Waitlisted proposals of the same track, best normalised score first."""
    candidates = list(
        db.session.scalars(
            select(Proposal).where(
                Proposal.summit_id == proposal.summit_id,
                Proposal.track_id == proposal.track_id,
                Proposal.state == ProposalState.WAITLISTED.value,
            )
        )
    )
    if not candidates:
        return []
    scores, _stats = score_summit(proposal.summit)

    def rank(p):
        score = scores.get(p.id)
        return (
            score.normalised if score and score.normalised is not None else float("-inf"),
            -p.id,
        )

    return sorted(candidates, key=rank, reverse=True)


def next_waitlisted(proposal: Proposal) -> Proposal | None:
    """The best-ranked waitlisted proposal of the same track."""
    ranked = ranked_waitlist(proposal)
    return ranked[0] if ranked else None


def offer_slot_after_decline(proposal: Proposal, *, actor: User | None, at=None):
    """A declined session frees its slot for the best waitlisted one of its track that
    can be accepted (one still waiting for a guardian's consent is passed over)."""
    for successor in ranked_waitlist(proposal):
        try:
            with db.session.begin_nested():
                proposal_services.change_state(
                    successor,
                    ProposalState.ACCEPTED,
                    actor=actor,
                    as_staff=True,
                    note=f"slot freed by {proposal.code}",
                    at=at,
                )
        except DomainError:
            continue
        return successor
    return None


# --- overviews --------------------------------------------------------------------


def balance(summit: Summit, proposals: list[Proposal], pending: dict[int, str]) -> dict:
    """Counters of the programme as it would be with the pending decisions applied."""
    chosen = [
        p
        for p in proposals
        if pending.get(p.id, p.state)
        in (ProposalState.ACCEPTED.value, ProposalState.CONFIRMED.value)
    ]
    from summit.summits.queries import regions_by_county

    regions = regions_by_county(summit)
    return {
        "total": len(chosen),
        "region": Counter(regions.get(p.owner.county or "", "") for p in chosen),
        "track": Counter(p.track_id for p in chosen),
        "role": Counter(p.lead_role or "other" for p in chosen),
        "county": Counter(p.owner.county or "—" for p in chosen),
        "language": Counter(p.language for p in chosen),
    }


def reviewer_progress(summit: Summit) -> list[dict]:
    reviewers = list_reviewers(summit)
    assigned = Counter(
        db.session.scalars(select(Assignment.reviewer_id).where(Assignment.summit_id == summit.id))
    )
    done = Counter(
        db.session.scalars(select(Review.reviewer_id).where(Review.summit_id == summit.id))
    )
    _scores, stats = score_summit(summit)
    return [
        {
            "user": r,
            "assigned": assigned.get(r.id, 0),
            "done": done.get(r.id, 0),
            "stats": stats.get(r.id),
        }
        for r in reviewers
    ]
