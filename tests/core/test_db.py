"""Aware UTC datetimes in and out, on SQLite and PostgreSQL alike."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import StatementError

from summit.accounts.services import create_user
from summit.extensions import db
from tests.conftest import PASSWORD


def test_utc_datetime_aware_value_comes_back_aware_in_utc(ctx):
    pacific = timezone(timedelta(hours=-7))
    user = create_user(email="ana@example.org", password=PASSWORD, name="Ana")
    user.last_login_at = datetime(2027, 9, 23, 8, 30, tzinfo=pacific)
    db.session.commit()

    db.session.expire_all()

    assert user.last_login_at == datetime(2027, 9, 23, 15, 30, tzinfo=UTC)
    assert user.last_login_at.utcoffset() == timedelta(0)


def test_utc_datetime_naive_value_is_refused(ctx):
    user = create_user(email="ana@example.org", password=PASSWORD, name="Ana")
    user.last_login_at = datetime(2027, 9, 23, 8, 30)

    with pytest.raises(StatementError, match="naive datetime"):
        db.session.flush()
    db.session.rollback()


def test_naming_convention_names_constraints(ctx):
    users = db.metadata.tables["users"]

    names = {c.name for c in users.constraints}

    assert "pk_users" in names
    assert "uq_users_email" in names
    assert "ck_users_email_lowercase" in names
