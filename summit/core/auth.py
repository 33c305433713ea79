"""Who is asking: browser sessions (Flask-Login) and bearer tokens on the API."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, abort, g, request
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
        from summit.extensions import db

        session = db.session()
        user = user_for_api_token(secret.strip())
        if user is not None:
            g.auth_via_token = True
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
