"""Who is asking: browser sessions (Flask-Login) and bearer tokens on the API."""

from __future__ import annotations

import time
from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, g, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from summit.extensions import login_manager


def configure_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to see that page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(session_key: str):
        from summit.accounts.queries import get_user_by_session_key

        user = get_user_by_session_key(session_key)
        return user if user is not None and user.is_active_account else None

    @login_manager.request_loader
    def load_user_from_bearer(req):
        if not req.path.startswith("/api/"):
            return None
        header = req.headers.get("Authorization", "")
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret:
            return None
        from summit.accounts.services import user_for_api_token
        from summit.core.tokens import hash_secret
        from summit.extensions import db

        secret = secret.strip()
        token_hash = hash_secret(secret)
        revalidated = _revalidates(req)
        if revalidated:
            user = _cached_identity(token_hash)
            if user is not None:
                g.auth_via_token, g.bearer_token_hash = True, token_hash
                return user
        session = db.session()
        user = user_for_api_token(secret)
        if user is not None:
            g.auth_via_token, g.bearer_token_hash = True, token_hash
            if revalidated:
                _remember_identity(token_hash, user)
            if session.dirty:  # last_used_at was stale and has been moved on
                _commit_keeping_loaded(session)
        return user

    @login_manager.unauthorized_handler
    def unauthorized():
        from flask import flash, redirect, url_for

        if request.path.startswith("/api/"):
            abort(401)
        flash(login_manager.login_message, "info")
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


# --- bearer identities for views that check the token again themselves ---------------
#
# A door scanner sends a scan a second with the same token. A view marked with
# ``revalidates_bearer_token`` checks in its own statement that the token is not revoked
# and its owner still active (and anything else it needs, such as roles), so for it the
# loader may hand out the identity it resolved for this token a moment ago instead of
# reading the token again. Revocation therefore takes effect on the very next request
# there, in every worker. What the cached identity can lag behind by at most
# ``BEARER_IDENTITY_SECONDS`` is the account's plain profile (name, language) and the
# token's ``last_used_at``, which is written when the identity is read again. Every
# other view reads the token on each request, as before.

BEARER_IDENTITY_SECONDS = 60.0
BEARER_IDENTITY_LIMIT = 10_000  # identities kept per process before starting afresh
_clock = time.monotonic


def revalidates_bearer_token(view):
    """Mark a view that checks the caller's bearer token again in its own statement."""
    view.revalidates_bearer_token = True
    return view


def _revalidates(req) -> bool:
    view = current_app.view_functions.get(req.endpoint) if req.endpoint else None
    return getattr(view, "revalidates_bearer_token", False)


def _identities() -> dict:
    return current_app.extensions.setdefault("bearer_identities", {})


def _remember_identity(token_hash: str, user) -> None:
    from sqlalchemy import inspect

    state = inspect(user)
    values = {attr.key: state.dict[attr.key] for attr in state.mapper.column_attrs}
    identities = _identities()
    if len(identities) >= BEARER_IDENTITY_LIMIT:
        identities.clear()
    identities[token_hash] = (_clock() + BEARER_IDENTITY_SECONDS, type(user), values)


def _cached_identity(token_hash: str):
    """A fresh detached copy of the user remembered for this token, or None."""
    from sqlalchemy.orm import make_transient_to_detached

    entry = _identities().get(token_hash)
    if entry is None:
        return None
    expires, model, values = entry
    if _clock() >= expires:
        forget_bearer_token(token_hash)
        return None
    user = model(**values)
    make_transient_to_detached(user)
    return user


def forget_bearer_token(token_hash: str | None) -> None:
    """Drop the identity remembered for a token (it was found revoked, say)."""
    if token_hash:
        _identities().pop(token_hash, None)


def _commit_keeping_loaded(session) -> None:
    """Commit without expiring what was just loaded: the user read a moment ago in
    this request is still current, and reloading it would cost a query."""
    expire = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire


def is_safe_next(target: str | None) -> bool:
    """Only local absolute paths: no scheme, no host, no protocol-relative tricks."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(c) < 32 for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def admin_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapper
