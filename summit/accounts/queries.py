from sqlalchemy import func, select

from summit.accounts.models import ApiToken, User
from summit.core.db import like_pattern
from summit.extensions import db


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def get_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def get_user_by_session_key(key: str) -> User | None:
    if not key:
        return None
    return db.session.scalar(select(User).where(User.session_key == key))


def list_api_tokens(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())
        )
    )


def search_users(term: str, *, limit: int = 50) -> list[User]:
    query = select(User).order_by(User.name)
    term = (term or "").strip().lower()
    if term:
        like = like_pattern(term)
        query = query.where(
            func.lower(User.name).like(like, escape="\\") | User.email.like(like, escape="\\")
        )
    return list(db.session.scalars(query.limit(limit)))
