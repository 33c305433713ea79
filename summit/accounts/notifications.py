from flask import url_for

from summit.accounts.models import User
from summit.core.outbox import queue_email


def send_verification(user: User, secret: str) -> None:
    queue_email(
        user.email,
        "accounts/emails/verify",
        locale=user.preferred_language,
        user=user,
        link=url_for("accounts.verify", token=secret, _external=True),
    )


def send_password_reset(user: User, secret: str) -> None:
    queue_email(
        user.email,
        "accounts/emails/reset",
        locale=user.preferred_language,
        user=user,
        link=url_for("accounts.reset", token=secret, _external=True),
    )


def send_password_changed(user: User) -> None:
    queue_email(
        user.email,
        "accounts/emails/password_changed",
        locale=user.preferred_language,
        user=user,
        link=url_for("accounts.forgot", _external=True),
    )
