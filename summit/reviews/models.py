from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from summit.accounts.models import User
from summit.core.clock import now
from summit.core.db import sql_in
from summit.extensions import db
from summit.proposals.models import Proposal
from summit.reviews.enums import ConflictSource, Decision
from summit.summits.models import Track


class ReviewSettings(db.Model):
    __tablename__ = "review_settings"
    __table_args__ = (
        CheckConstraint("reviews_per_proposal BETWEEN 1 AND 10", name="per_proposal"),
        CheckConstraint("min_reviews_to_normalise BETWEEN 1 AND 100", name="min_reviews"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    summit_id: Mapped[int] = mapped_column(
        ForeignKey("summits.id", ondelete="CASCADE"), unique=True
    )
    reviews_per_proposal: Mapped[int] = mapped_column(default=3)
    is_blind: Mapped[bool] = mapped_column(default=True)
    show_reviews_after_submit: Mapped[bool] = mapped_column(default=True)
    share_comments_with_presenters: Mapped[bool] = mapped_column(default=False)
    min_reviews_to_normalise: Mapped[int] = mapped_column(default=5)


class Criterion(db.Model):
    __tablename__ = "review_criteria"
    __table_args__ = (
        UniqueConstraint("summit_id", "code"),
        CheckConstraint("scale_max > scale_min", name="scale"),
        CheckConstraint("weight > 0", name="weight"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    summit_id: Mapped[int] = mapped_column(ForeignKey("summits.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(120))
    name_es: Mapped[str] = mapped_column(String(120))
    guidance_en: Mapped[str] = mapped_column(Text, default="")
    guidance_es: Mapped[str] = mapped_column(Text, default="")
    scale_min: Mapped[int] = mapped_column(default=1)
    scale_max: Mapped[int] = mapped_column(default=4)
    weight: Mapped[float] = mapped_column(default=1.0)
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)

    def name(self, locale: str) -> str:
        return self.name_es if locale == "es" and self.name_es else self.name_en

    def guidance(self, locale: str) -> str:
        return self.guidance_es if locale == "es" and self.guidance_es else self.guidance_en


class ReviewFlag(db.Model):
    """A non-scoring mark a reviewer can set, e.g. first-time presenter."""

    __tablename__ = "review_flags"
    __table_args__ = (UniqueConstraint("summit_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    summit_id: Mapped[int] = mapped_column(ForeignKey("summits.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(120))
    name_es: Mapped[str] = mapped_column(String(120))

    def name(self, locale: str) -> str:
        return self.name_es if locale == "es" and self.name_es else self.name_en


reviewer_expertise = Table(
    "reviewer_expertise",
    db.metadata,
    Column("profile_id", ForeignKey("reviewer_profiles.id", ondelete="CASCADE"), primary_key=True),
    Column("track_id", ForeignKey("tracks.id", ondelete="CASCADE"), primary_key=True),
)


class ReviewerProfile(db.Model):
    __tablename__ = "reviewer_profiles"
    __table_args__ = (UniqueConstraint("summit_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    summit_id: Mapped[int] = mapped_column(ForeignKey("summits.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))

    user: Mapped[User] = relationship()
    expertise: Mapped[list[Track]] = relationship(secondary=reviewer_expertise)


class Conflict(db.Model):
    __tablename__ = "review_conflicts"
    __table_args__ = (
        UniqueConstraint("proposal_id", "user_id"),
        CheckConstraint(f"source IN ({sql_in(ConflictSource)})", name="source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    summit_id: Mapped[int] = mapped_column(ForeignKey("summits.id", ondelete="CASCADE"))
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=now)

    proposal: Mapped[Proposal] = relationship()
    user: Mapped[User] = relationship()


class Assignment(db.Model):
    __tablename__ = "review_assignments"
    __table_args__ = (UniqueConstraint("proposal_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    summit_id: Mapped[int] = mapped_column(ForeignKey("summits.id", ondelete="CASCADE"))
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    is_manual: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=now)

    proposal: Mapped[Proposal] = relationship()
    reviewer: Mapped[User] = relationship()


class Review(db.Model):
    __tablename__ = "reviews"
    # One review per reviewer and proposal: a double-submitted form updates it.
    __table_args__ = (UniqueConstraint("proposal_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    summit_id: Mapped[int] = mapped_column(ForeignKey("summits.id", ondelete="CASCADE"))
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    scores: Mapped[dict] = mapped_column(JSON, default=dict)  # {criterion code: int}
    flags: Mapped[list] = mapped_column(JSON, default=list)  # [flag code]
    comment_committee: Mapped[str] = mapped_column(Text, default="")
    comment_presenters: Mapped[str] = mapped_column(Text, default="")
    is_abstained: Mapped[bool] = mapped_column(default=False)
    submitted_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now)

    proposal: Mapped[Proposal] = relationship()
    reviewer: Mapped[User] = relationship()


class BlindText(db.Model):
    """Staff's anonymised copy of a proposal's text, shown to reviewers in blind mode."""

    __tablename__ = "blind_texts"

    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True
    )
    title: Mapped[str] = mapped_column(String(300), default="")
    abstract: Mapped[str] = mapped_column(Text, default="")
    outcomes: Mapped[str] = mapped_column(Text, default="")


class PendingDecision(db.Model):
    """Staff's decision before it is sent: the selection dashboard's working state."""

    __tablename__ = "pending_decisions"
    __table_args__ = (CheckConstraint(f"decision IN ({sql_in(Decision)})", name="decision"),)

    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True
    )
    summit_id: Mapped[int] = mapped_column(ForeignKey("summits.id", ondelete="CASCADE"))
    decision: Mapped[str] = mapped_column(String(12))
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    set_at: Mapped[datetime] = mapped_column(default=now)


class TrackCapacity(db.Model):
    __tablename__ = "track_capacities"
    __table_args__ = (CheckConstraint("slots >= 0", name="slots"),)

    track_id: Mapped[int] = mapped_column(
        ForeignKey("tracks.id", ondelete="CASCADE"), primary_key=True
    )
    slots: Mapped[int] = mapped_column(default=0)
