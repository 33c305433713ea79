"""Account use cases. Services flush but never commit; the caller commits once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from summit.accounts import passwords
from summit.accounts.enums import TokenPurpose
from summit.accounts.models import AccountToken, ApiToken, User, new_session_key
from summit.accounts.queries import get_user_by_email, normalise_email
from summit.core.clock import now
from summit.core.errors import Conflict, DomainError, NotFound
from summit.core.tokens import hash_secret, new_secret, random_code
from summit.extensions import db

PROFILE_FIELDS = (
    "name",
    "pronouns",
    "organisation",
    "presenter_role",
    "county",
    "age_band",
    "preferred_language",
)


@dataclass(frozen=True)
class IssuedToken:
    """A secret that exists in plain form only until it is mailed or shown once."""

    secret: str
    record: AccountToken | ApiToken


def _check_password(password: str) -> None:
    if len(password or "") < passwords.MIN_LENGTH:
        raise DomainError(
            "weak_password",
            _("Use a password of at least %(n)d characters.", n=passwords.MIN_LENGTH),
            fields={"password": [_("Too short.")]},
        )


def sign_up(
    *, email: str, password: str, name: str, preferred_language: str = "en", at=None, **profile
) -> tuple[User, IssuedToken]:
    email = normalise_email(email)
    taken = Conflict(
        "email_taken",
        _("An account with this email already exists. Log in, or reset your password."),
        fields={"email": [_("This email already has an account.")]},
    )
    if get_user_by_email(email) is not None:
        raise taken
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        raise DomainError(
            "bad_email",
            _("Enter an email address like name@example.org."),
            fields={"email": [_("Enter an email address like name@example.org.")]},
        )
    _check_password(password)
    user = User(
        email=email,
        password_hash=passwords.hash_password(password),
        name=name.strip(),
        preferred_language=preferred_language,
        created_at=at or now(),
        **{k: (v or None) for k, v in profile.items() if k in PROFILE_FIELDS},
    )
    try:
        with db.session.begin_nested():  # two sign-ups with one email at the same instant
            db.session.add(user)
    except IntegrityError:
        raise taken
    return user, issue_account_token(user, TokenPurpose.VERIFY_EMAIL, at=at)


def create_user(
    *, email: str, password: str, name: str, is_admin: bool = False, verified: bool = True, at=None
) -> User:
    """For the CLI and the demo: an account that needs no verification link."""
    user, _token = sign_up(email=email, password=password, name=name, at=at)
    user.is_admin = is_admin
    if verified:
        user.email_verified_at = at or now()
    return user


def issue_account_token(user: User, purpose: TokenPurpose, *, at=None) -> IssuedToken:
    at = at or now()
    config = current_app.config
    lifetime = (
        timedelta(hours=config["VERIFY_TOKEN_HOURS"])
        if purpose is TokenPurpose.VERIFY_EMAIL
        else timedelta(minutes=config["RESET_TOKEN_MINUTES"])
    )
    secret = new_secret()
    record = AccountToken(
        user=user,
        purpose=purpose.value,
        token_hash=hash_secret(secret),
        created_at=at,
        expires_at=at + lifetime,
    )
    db.session.add(record)
    db.session.flush()
    return IssuedToken(secret, record)


def _find_token(
    secret: str, purpose: TokenPurpose, *, at: datetime, lock: bool = False
) -> AccountToken:
    query = select(AccountToken).where(AccountToken.token_hash == hash_secret(secret or ""))
    record = db.session.scalar(query.with_for_update() if lock else query)
    if record is None or record.purpose != purpose.value:
        raise DomainError(
            "link_invalid", _("This link is not valid. Ask for a new one and use the newest email.")
        )
    if record.used_at is not None:
        raise DomainError(
            "link_used", _("This link has already been used. Ask for a new one if you need it.")
        )
    if record.expires_at <= at:
        raise DomainError("link_expired", _("This link has expired. Ask for a new one."))
    return record


def _redeem(secret: str, purpose: TokenPurpose, *, at: datetime) -> AccountToken:
    record = _find_token(secret, purpose, at=at, lock=True)
    record.used_at = at
    return record


def check_reset_link(secret: str, *, at=None) -> None:
    """Raise what is wrong with a reset link (invalid, used, expired) without using it."""
    _find_token(secret, TokenPurpose.RESET_PASSWORD, at=at or now())


def verify_email(secret: str, *, at=None) -> User:
    at = at or now()
    record = _redeem(secret, TokenPurpose.VERIFY_EMAIL, at=at)
    user = record.user
    if user.email_verified_at is None:
        user.email_verified_at = at
    return user


def renew_verification(email: str, *, at=None) -> tuple[User, IssuedToken]:
    """A fresh confirmation link for an account that has not confirmed its email."""
    user = get_user_by_email(email)
    if user is None or user.is_verified:
        raise DomainError("nothing_to_verify", _("This email needs no confirmation."))
    return user, issue_account_token(user, TokenPurpose.VERIFY_EMAIL, at=at)


def authenticate(email: str, password: str, *, at=None) -> User:
    """One message for unknown email and wrong password: no account enumeration."""
    user = get_user_by_email(email)
    failure = DomainError("login_failed", _("That email and password do not match an account."))
    if user is None:
        passwords.burn_time(password or "")
        raise failure
    if not passwords.verify_password(user.password_hash, password or ""):
        raise failure
    if not user.is_active_account:
        raise failure
    if not user.is_verified:
        raise DomainError(
            "email_unverified",
            _("Please confirm your email first. We have sent you a new confirmation link."),
        )
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.last_login_at = at or now()
    return user


def request_password_reset(email: str, *, at=None) -> tuple[User, IssuedToken] | None:
    """Return the token to mail, or None; the caller says the same thing either way."""
    user = get_user_by_email(email)
    if user is None or not user.is_active_account:
        return None
    return user, issue_account_token(user, TokenPurpose.RESET_PASSWORD, at=at)


def reset_password(secret: str, new_password: str, *, at=None) -> User:
    at = at or now()
    _check_password(new_password)
    record = _redeem(secret, TokenPurpose.RESET_PASSWORD, at=at)
    user = record.user
    _set_password(user, new_password)
    if user.email_verified_at is None:  # the link proved the address
        user.email_verified_at = at
    return user


def change_password(user: User, current: str, new_password: str) -> None:
    if not passwords.verify_password(user.password_hash, current or ""):
        raise DomainError(
            "wrong_password",
            _("Your current password is not right."),
            fields={"current_password": [_("Incorrect.")]},
        )
    _check_password(new_password)
    _set_password(user, new_password)


def _set_password(user: User, new_password: str) -> None:
    user.password_hash = passwords.hash_password(new_password)
    end_all_sessions(user)
    # Any other reset link still in a mailbox dies with the old password.
    db.session.execute(
        update(AccountToken)
        .where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == TokenPurpose.RESET_PASSWORD.value,
            AccountToken.used_at.is_(None),
        )
        .values(used_at=now())
        .execution_options(synchronize_session=False)
    )


def end_all_sessions(user: User) -> None:
    """Rotate the session key: every browser session and remember-me cookie ends."""
    user.session_key = new_session_key()


def update_profile(user: User, **changes) -> dict:
    before = {k: getattr(user, k) for k in PROFILE_FIELDS}
    for key, value in changes.items():
        if key not in PROFILE_FIELDS:
            raise ValueError(f"not a profile field: {key}")
        if isinstance(value, str):
            value = value.strip()
        if key == "name" and not value:
            raise DomainError(
                "name_required", _("Please enter your name."), fields={"name": [_("Required.")]}
            )
        setattr(user, key, value or (None if key != "preferred_language" else "en"))
    return before


def set_language(user: User, language: str) -> None:
    user.preferred_language = language


API_TOKEN_PREFIX = "smt_"  # noqa: S105 - a public prefix, not a secret
API_TOKEN_USE_GRANULARITY = timedelta(minutes=1)  # last_used_at is written at most this often


def create_api_token(user: User, name: str, *, at=None) -> IssuedToken:
    name = (name or "").strip()
    if not name:
        raise DomainError(
            "name_required",
            _("Give the token a name so you can recognize it later."),
            fields={"name": [_("Required.")]},
        )
    secret = API_TOKEN_PREFIX + new_secret(32)
    token = ApiToken(
        user=user,
        public_id=random_code(10),
        name=name[:80],
        token_hash=hash_secret(secret),
        prefix=secret[:10],
        created_at=at or now(),
    )
    db.session.add(token)
    db.session.flush()
    return IssuedToken(secret, token)


def revoke_api_token(user: User, public_id: str, *, at=None) -> ApiToken:
    token = db.session.scalar(
        select(ApiToken).where(ApiToken.public_id == public_id, ApiToken.user_id == user.id)
    )
    if token is None:
        raise NotFound("token_not_found", _("That token does not exist."))
    if token.revoked_at is None:
        token.revoked_at = at or now()
    return token


def user_for_api_token(secret: str, *, at=None) -> User | None:
    """The active owner of a live token, read with the token in one query.

    The last use is written only when it is older than ``API_TOKEN_USE_GRANULARITY``,
    so a scanner sending a scan a second changes nothing on most requests.
    """
    if not secret or not secret.startswith(API_TOKEN_PREFIX):
        return None
    token = db.session.scalar(
        select(ApiToken)
        .where(ApiToken.token_hash == hash_secret(secret))
        .options(joinedload(ApiToken.user, innerjoin=True))
    )
    if token is None or token.revoked_at is not None or not token.user.is_active_account:
        return None
    at = at or now()
    if token.last_used_at is None or at - token.last_used_at >= API_TOKEN_USE_GRANULARITY:
        token.last_used_at = at
    return token.user
