from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import selectinload

from summit.accounts.models import User
from summit.core.db import like_pattern
from summit.core.tokens import hash_secret
from summit.extensions import db
from summit.proposals.enums import InviteStatus
from summit.proposals.models import (
    AccessCode,
    CallSettings,
    Presenter,
    Proposal,
    Question,
    SessionFormat,
)
from summit.summits.models import Summit


def get_call_settings(summit: Summit) -> CallSettings | None:
    return db.session.scalar(select(CallSettings).where(CallSettings.summit_id == summit.id))


def list_formats(summit: Summit, *, active_only: bool = False) -> list[SessionFormat]:
    query = select(SessionFormat).where(SessionFormat.summit_id == summit.id)
    if active_only:
        query = query.where(SessionFormat.is_active.is_(True))
    return list(db.session.scalars(query.order_by(SessionFormat.position, SessionFormat.id)))


def get_format(summit: Summit, code: str) -> SessionFormat | None:
    return db.session.scalar(
        select(SessionFormat).where(
            SessionFormat.summit_id == summit.id, SessionFormat.code == code
        )
    )


def list_questions(summit: Summit, *, active_only: bool = False) -> list[Question]:
    query = select(Question).where(Question.summit_id == summit.id)
    if active_only:
        query = query.where(Question.is_active.is_(True))
    return list(db.session.scalars(query.order_by(Question.position, Question.id)))


def get_question(summit: Summit, public_id: str) -> Question | None:
    return db.session.scalar(
        select(Question).where(Question.summit_id == summit.id, Question.public_id == public_id)
    )


def list_access_codes(summit: Summit) -> list[AccessCode]:
    return list(
        db.session.scalars(
            select(AccessCode)
            .where(AccessCode.summit_id == summit.id)
            .order_by(AccessCode.created_at.desc())
        )
    )


def get_access_code(summit: Summit, code: str) -> AccessCode | None:
    code = (code or "").strip().upper()
    if not code:
        return None
    return db.session.scalar(
        select(AccessCode).where(AccessCode.summit_id == summit.id, AccessCode.code == code)
    )


def get_proposal(summit: Summit, code: str) -> Proposal | None:
    return db.session.scalar(
        select(Proposal).where(
            Proposal.summit_id == summit.id, Proposal.code == (code or "").upper()
        )
    )


def list_my_proposals(summit: Summit, user: User) -> list[Proposal]:
    """Proposals the person leads or has accepted an invitation to."""
    on_team = exists().where(
        Presenter.proposal_id == Proposal.id,
        Presenter.user_id == user.id,
        Presenter.invite_status.in_([InviteStatus.ACCEPTED.value, InviteStatus.NONE.value]),
    )
    return list(
        db.session.scalars(
            select(Proposal)
            .where(Proposal.summit_id == summit.id, or_(Proposal.owner_id == user.id, on_team))
            .order_by(Proposal.updated_at.desc())
        )
    )


def get_presenter_by_invite(secret: str) -> Presenter | None:
    return db.session.scalar(
        select(Presenter).where(Presenter.invite_token_hash == hash_secret(secret or ""))
    )


def get_presenter_by_consent(secret: str) -> Presenter | None:
    return db.session.scalar(
        select(Presenter).where(Presenter.consent_token_hash == hash_secret(secret or ""))
    )


@dataclass
class ProposalFilters:
    state: str = ""
    track: str = ""
    format: str = ""
    lead_role: str = ""
    county: str = ""
    region: str = ""
    language: str = ""
    has_minors: bool = False
    q: str = ""
    page: int = 1
    per_page: int = 50
    extra: dict = field(default_factory=dict)

    def as_args(self) -> dict:
        args = {
            "state": self.state,
            "track": self.track,
            "format": self.format,
            "lead_role": self.lead_role,
            "county": self.county,
            "region": self.region,
            "language": self.language,
            "has_minors": "1" if self.has_minors else "",
            "q": self.q,
        }
        return {k: v for k, v in args.items() if v}


def filtered_proposals_query(summit: Summit, filters: ProposalFilters) -> Select:
    from summit.summits.models import Track

    query = select(Proposal).where(Proposal.summit_id == summit.id)
    if filters.state:
        query = query.where(Proposal.state == filters.state)
    else:
        query = query.where(Proposal.state != "draft")
    if filters.track:
        query = query.where(
            Proposal.track_id.in_(
                select(Track.id).where(Track.summit_id == summit.id, Track.code == filters.track)
            )
        )
    if filters.format:
        query = query.where(
            Proposal.format_id.in_(
                select(SessionFormat.id).where(
                    SessionFormat.summit_id == summit.id, SessionFormat.code == filters.format
                )
            )
        )
    if filters.lead_role:
        query = query.where(Proposal.lead_role == filters.lead_role)
    if filters.language:
        query = query.where(Proposal.language == filters.language)
    if filters.county:
        query = query.where(
            Proposal.owner_id.in_(select(User.id).where(User.county == filters.county))
        )
    if filters.region:
        from summit.summits.queries import counties_in_region

        counties = counties_in_region(summit, filters.region)
        query = query.where(Proposal.owner_id.in_(select(User.id).where(User.county.in_(counties))))
    if filters.has_minors:
        query = query.where(
            exists().where(
                Presenter.proposal_id == Proposal.id,
                Presenter.age_band.in_(["under_13", "13_17"]),
                Presenter.invite_status != InviteStatus.DECLINED.value,
            )
        )
    term = (filters.q or "").strip().lower()
    if term:
        like = like_pattern(term)
        query = query.where(
            or_(
                func.lower(Proposal.title).like(like, escape="\\"),
                func.lower(Proposal.code).like(like, escape="\\"),
                exists().where(
                    Presenter.proposal_id == Proposal.id,
                    or_(
                        func.lower(Presenter.name).like(like, escape="\\"),
                        Presenter.email.like(like, escape="\\"),
                    ),
                ),
            )
        )
    return query


def ordered_proposals_query(summit: Summit, filters: ProposalFilters) -> Select:
    """The filtered list in its order (newest submission first), for paging."""
    return (
        filtered_proposals_query(summit, filters)
        .options(selectinload(Proposal.presenters), selectinload(Proposal.track))
        .order_by(Proposal.submitted_at.desc().nulls_last(), Proposal.id.desc())
    )


def list_proposals(summit: Summit, filters: ProposalFilters) -> tuple[list[Proposal], int]:
    query = filtered_proposals_query(summit, filters)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = max(filters.page, 1)
    rows = db.session.scalars(
        ordered_proposals_query(summit, filters)
        .offset((page - 1) * filters.per_page)
        .limit(filters.per_page)
    ).all()
    return list(rows), total


def all_filtered_proposals(summit: Summit, filters: ProposalFilters) -> list[Proposal]:
    query = filtered_proposals_query(summit, filters).options(
        selectinload(Proposal.presenters),
        selectinload(Proposal.track),
        selectinload(Proposal.format),
        selectinload(Proposal.secondary_tracks),
        selectinload(Proposal.owner),
    )
    return list(db.session.scalars(query.order_by(Proposal.id)))


def count_by_state(summit: Summit) -> dict[str, int]:
    rows = db.session.execute(
        select(Proposal.state, func.count())
        .where(Proposal.summit_id == summit.id)
        .group_by(Proposal.state)
    ).all()
    return dict(rows)


def list_recipients(proposals, *, include_copresenters: bool) -> list[tuple]:
    """(proposal, email, language) for each lead (and co-presenter), once per proposal."""
    seen, result = set(), []
    for proposal in proposals:
        for presenter in proposal.active_presenters:
            if not presenter.is_lead and not include_copresenters:
                continue
            email = presenter.email or presenter.guardian_email
            if not email or (proposal.id, email) in seen:
                continue
            seen.add((proposal.id, email))
            locale = presenter.user.preferred_language if presenter.user else "en"
            result.append((proposal, email, locale))
    return result
