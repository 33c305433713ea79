from __future__ import annotations

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from summit.accounts.enums import CALIFORNIA_COUNTIES, AgeBand, PresenterRole, TokenPurpose
from summit.core.clock import now
from summit.core.db import sql_in
from summit.extensions import db


def new_session_key() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        CheckConstraint(f"preferred_language IN ({sql_in(('en', 'es'))})", name="language"),
        CheckConstraint(
            f"presenter_role IS NULL OR presenter_role IN ({sql_in(PresenterRole)})",
            name="presenter_role",
        ),
        CheckConstraint(f"age_band IS NULL OR age_band IN ({sql_in(AgeBand)})", name="age_band"),
        CheckConstraint(
            f"county IS NULL OR county IN ({sql_in(CALIFORNIA_COUNTIES)})",
            name="county",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(120))
    pronouns: Mapped[str | None] = mapped_column(String(40))
    organisation: Mapped[str | None] = mapped_column(String(200))
    presenter_role: Mapped[str | None] = mapped_column(String(32))
    county: Mapped[str | None] = mapped_column(String(40))
    age_band: Mapped[str | None] = mapped_column(String(16))
    preferred_language: Mapped[str] = mapped_column(String(5), default="en")
    is_admin: Mapped[bool] = mapped_column(default=False)
    is_active_account: Mapped[bool] = mapped_column(default=True)
    email_verified_at: Mapped[datetime | None]
    session_key: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_key)
    created_at: Mapped[datetime] = mapped_column(default=now)
    last_login_at: Mapped[datetime | None]

    roles: Mapped[list[SummitRole]] = relationship(  # noqa: F821
        back_populates="user",
        cascade="all, delete-orphan",
        foreign_keys="SummitRole.user_id",
    )
    api_tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    # Flask-Login identifies a session by the rotating session key, so
    # rotating it (logout, password change) ends every session of the person.
    def get_id(self) -> str:
        return self.session_key

    @property
    def is_active(self) -> bool:
        return self.is_active_account

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def is_minor(self) -> bool:
        return self.age_band is not None and AgeBand(self.age_band).is_minor


class AccountToken(db.Model):
    """A single-use, time-limited link token (email verification, password reset)."""

    __tablename__ = "account_tokens"
    __table_args__ = (CheckConstraint(f"purpose IN ({sql_in(TokenPurpose)})", name="purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(32))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=now)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class ApiToken(db.Model):
    """A personal API token. Only its SHA-256 is stored; the secret is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(default=now)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="api_tokens")

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
