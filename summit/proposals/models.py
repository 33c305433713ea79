from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from summit.accounts.enums import AgeBand, PresenterRole
from summit.accounts.models import User
from summit.core.clock import now
from summit.core.db import sql_in
from summit.extensions import db
from summit.proposals.enums import (
    ConsentStatus,
    InviteStatus,
    ProposalState,
    QuestionKind,
    SessionLanguage,
)
from summit.summits.models import Summit, Track


class CallSettings(db.Model):
    """Per-summit settings of the call for proposals (the dates live on Summit)."""

    __tablename__ = "call_settings"
    __table_args__ = (
        CheckConstraint("max_copresenters >= 0 AND max_copresenters <= 20", name="copresenters"),
        CheckConstraint("title_max_chars BETWEEN 20 AND 300", name="title_len"),
        CheckConstraint("abstract_max_words BETWEEN 20 AND 2000", name="abstract_len"),
        CheckConstraint("outcomes_max_words BETWEEN 10 AND 1000", name="outcomes_len"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    summit_id: Mapped[int] = mapped_column(
        ForeignKey("summits.id", ondelete="CASCADE"), unique=True
    )
    intro_en: Mapped[str] = mapped_column(Text, default="")
    intro_es: Mapped[str] = mapped_column(Text, default="")
    max_copresenters: Mapped[int] = mapped_column(default=4)
    title_max_chars: Mapped[int] = mapped_column(default=120)
    abstract_max_words: Mapped[int] = mapped_column(default=300)
    outcomes_max_words: Mapped[int] = mapped_column(default=150)

    summit: Mapped[Summit] = relationship()

    def intro(self, locale: str) -> str:
        return self.intro_es if locale == "es" and self.intro_es else self.intro_en


class SessionFormat(db.Model):
    __tablename__ = "session_formats"
    __table_args__ = (
        UniqueConstraint("summit_id", "code"),
        CheckConstraint("duration_minutes BETWEEN 10 AND 480", name="duration"),
        CheckConstraint("seat_limit IS NULL OR seat_limit >= 1", name="seat_limit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    summit_id: Mapped[int] = mapped_column(ForeignKey("summits.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(120))
    name_es: Mapped[str] = mapped_column(String(120))
    description_en: Mapped[str] = mapped_column(Text, default="")
    description_es: Mapped[str] = mapped_column(Text, default="")
    duration_minutes: Mapped[int] = mapped_column(default=60)
    closes_at: Mapped[datetime | None]  # its own deadline, if earlier/later than the call's
    # Sessions of this format need a reserved seat: at most this many (and never more
    # than the room holds). None: come in freely.
    seat_limit: Mapped[int | None]
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)

    def name(self, locale: str) -> str:
        return self.name_es if locale == "es" and self.name_es else self.name_en

    def description(self, locale: str) -> str:
        return (
            self.description_es if locale == "es" and self.description_es else self.description_en
        )


class Question(db.Model):
    """A custom question staff add to the form, optionally for one format or track."""

    __tablename__ = "questions"
    __table_args__ = (CheckConstraint(f"kind IN ({sql_in(QuestionKind)})", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(12), unique=True)
    summit_id: Mapped[int] = mapped_column(ForeignKey("summits.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    prompt_en: Mapped[str] = mapped_column(String(300))
    prompt_es: Mapped[str] = mapped_column(String(300))
    help_en: Mapped[str] = mapped_column(String(500), default="")
    help_es: Mapped[str] = mapped_column(String(500), default="")
    # [{"value": "a", "en": "…", "es": "…"}, …] for choice questions
    options: Mapped[list] = mapped_column(JSON, default=list)
    is_required: Mapped[bool] = mapped_column(default=False)
    format_id: Mapped[int | None] = mapped_column(
        ForeignKey("session_formats.id", ondelete="SET NULL")
    )
    track_id: Mapped[int | None] = mapped_column(ForeignKey("tracks.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)

    format: Mapped[SessionFormat | None] = relationship()
    track: Mapped[Track | None] = relationship()

    def prompt(self, locale: str) -> str:
        return self.prompt_es if locale == "es" and self.prompt_es else self.prompt_en

    def help(self, locale: str) -> str:
        return self.help_es if locale == "es" and self.help_es else self.help_en

    def option_label(self, value: str, locale: str) -> str:
        for option in self.options or []:
            if option.get("value") == value:
                return option.get(locale) or option.get("en") or value
        return value

    def applies_to(self, format_id: int | None, track_id: int | None) -> bool:
        if not self.is_active:
            return False
        if self.format_id is not None and self.format_id != format_id:
            return False
        return not (self.track_id is not None and self.track_id != track_id)


class AccessCode(db.Model):
    """Lets a late or invited presenter submit outside the call's dates."""

    __tablename__ = "access_codes"
    __table_args__ = (
        UniqueConstraint("summit_id", "code"),
        CheckConstraint("uses >= 0", name="uses_positive"),
        CheckConstraint("max_uses IS NULL OR uses <= max_uses", name="uses_within_max"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    summit_id: Mapped[int] = mapped_column(ForeignKey("summits.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(24))
    note: Mapped[str] = mapped_column(String(200), default="")
    expires_at: Mapped[datetime | None]
    max_uses: Mapped[int | None]
    uses: Mapped[int] = mapped_column(default=0)
    format_id: Mapped[int | None] = mapped_column(
        ForeignKey("session_formats.id", ondelete="CASCADE")
    )
    track_id: Mapped[int | None] = mapped_column(ForeignKey("tracks.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=now)

    format: Mapped[SessionFormat | None] = relationship()
    track: Mapped[Track | None] = relationship()


proposal_secondary_tracks = Table(
    "proposal_secondary_tracks",
    db.metadata,
    Column("proposal_id", ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True),
    Column("track_id", ForeignKey("tracks.id", ondelete="CASCADE"), primary_key=True),
)


class Proposal(db.Model):
    __tablename__ = "proposals"
    __table_args__ = (
        CheckConstraint(f"state IN ({sql_in(ProposalState)})", name="state"),
        CheckConstraint(f"language IN ({sql_in(SessionLanguage)})", name="language"),
        CheckConstraint(
            f"lead_role IS NULL OR lead_role IN ({sql_in(PresenterRole)})", name="lead_role"
        ),
        CheckConstraint("state = 'draft' OR submitted_at IS NOT NULL", name="submitted_has_time"),
        Index("ix_proposals_summit_state", "summit_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    summit_id: Mapped[int] = mapped_column(ForeignKey("summits.id", ondelete="CASCADE"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(16), default=ProposalState.DRAFT.value)
    title: Mapped[str] = mapped_column(String(300), default="")
    abstract: Mapped[str] = mapped_column(Text, default="")
    outcomes: Mapped[str] = mapped_column(Text, default="")
    format_id: Mapped[int | None] = mapped_column(
        ForeignKey("session_formats.id", ondelete="SET NULL")
    )
    track_id: Mapped[int | None] = mapped_column(ForeignKey("tracks.id", ondelete="SET NULL"))
    audience_roles: Mapped[list] = mapped_column(JSON, default=list)
    grade_bands: Mapped[list] = mapped_column(JSON, default=list)
    language: Mapped[str] = mapped_column(String(10), default=SessionLanguage.ENGLISH.value)
    av_needs: Mapped[list] = mapped_column(JSON, default=list)
    accessibility_needs: Mapped[str] = mapped_column(Text, default="")
    room_setup: Mapped[str] = mapped_column(String(16), default="any")
    lead_role: Mapped[str | None] = mapped_column(String(32))
    access_code_id: Mapped[int | None] = mapped_column(
        ForeignKey("access_codes.id", ondelete="SET NULL")
    )
    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposals.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now)
    submitted_at: Mapped[datetime | None]
    draft_reminded_at: Mapped[datetime | None]

    summit: Mapped[Summit] = relationship()
    owner: Mapped[User] = relationship()
    format: Mapped[SessionFormat | None] = relationship()
    track: Mapped[Track | None] = relationship()
    secondary_tracks: Mapped[list[Track]] = relationship(secondary=proposal_secondary_tracks)
    access_code: Mapped[AccessCode | None] = relationship()
    duplicate_of: Mapped[Proposal | None] = relationship(remote_side=[id])
    presenters: Mapped[list[Presenter]] = relationship(
        back_populates="proposal",
        cascade="all, delete-orphan",
        order_by="(Presenter.is_lead.desc(), Presenter.id)",
    )
    answers: Mapped[list[Answer]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan"
    )
    history: Mapped[list[ProposalEvent]] = relationship(
        back_populates="proposal",
        cascade="all, delete-orphan",
        order_by="ProposalEvent.id",
    )

    @property
    def state_enum(self) -> ProposalState:
        return ProposalState(self.state)

    @property
    def copresenters(self) -> list[Presenter]:
        return [p for p in self.presenters if not p.is_lead]

    @property
    def active_presenters(self) -> list[Presenter]:
        return [p for p in self.presenters if p.invite_status != InviteStatus.DECLINED]

    @property
    def has_minors(self) -> bool:
        return any(p.is_minor for p in self.active_presenters)

    def answer_for(self, question_id: int):
        for answer in self.answers:
            if answer.question_id == question_id:
                return answer.value
        return None


class Presenter(db.Model):
    """A person on a proposal: the lead, an invited co-presenter, or someone added by name."""

    __tablename__ = "presenters"
    __table_args__ = (
        CheckConstraint(f"invite_status IN ({sql_in(InviteStatus)})", name="invite_status"),
        CheckConstraint(f"consent_status IN ({sql_in(ConsentStatus)})", name="consent_status"),
        CheckConstraint(f"age_band IS NULL OR age_band IN ({sql_in(AgeBand)})", name="age_band"),
        CheckConstraint(
            f"role_type IS NULL OR role_type IN ({sql_in(PresenterRole)})", name="role_type"
        ),
        CheckConstraint(
            "email IS NOT NULL OR guardian_email IS NOT NULL OR is_lead", name="reachable"
        ),
        UniqueConstraint("proposal_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(12), unique=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    is_lead: Mapped[bool] = mapped_column(default=False)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    role_type: Mapped[str | None] = mapped_column(String(32))
    age_band: Mapped[str | None] = mapped_column(String(16))
    guardian_name: Mapped[str | None] = mapped_column(String(120))
    guardian_email: Mapped[str | None] = mapped_column(String(254))
    invite_status: Mapped[str] = mapped_column(String(10), default=InviteStatus.NONE.value)
    invite_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    invited_at: Mapped[datetime | None]
    responded_at: Mapped[datetime | None]
    consent_status: Mapped[str] = mapped_column(String(12), default=ConsentStatus.NOT_NEEDED.value)
    consent_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    consent_requested_at: Mapped[datetime | None]
    consent_at: Mapped[datetime | None]
    consent_signed_name: Mapped[str | None] = mapped_column(String(120))
    media_release: Mapped[bool | None]

    proposal: Mapped[Proposal] = relationship(back_populates="presenters")
    user: Mapped[User | None] = relationship()

    @property
    def is_minor(self) -> bool:
        return self.age_band is not None and AgeBand(self.age_band).is_minor


class Answer(db.Model):
    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("proposal_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    value: Mapped[dict] = mapped_column(JSON)  # {"v": str | list[str] | bool}

    proposal: Mapped[Proposal] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()


class ProposalEvent(db.Model):
    """The proposal's history: state changes, edits, invitations, staff notes."""

    __tablename__ = "proposal_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str | None] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=now)

    proposal: Mapped[Proposal] = relationship(back_populates="history")
    actor: Mapped[User | None] = relationship()
