"""The `/api/v1` parent: flask-smorest blueprints, auth and CSRF rules.

Browser-session callers must send the CSRF token in ``X-CSRFToken`` for
writes; bearer-token callers are not exposed to CSRF and are exempt.
"""

from __future__ import annotations

from flask import Flask, abort, current_app, g, request
from flask_login import current_user
from flask_smorest import Blueprint
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError

from summit.extensions import api, csrf

API_PREFIX = "/api/v1"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _api_guard():
    if not request.path.startswith(API_PREFIX + "/") or request.method not in UNSAFE:
        return
    if request.content_length and request.mimetype != "application/json":
        abort(415)
    signed_in = current_user.is_authenticated  # runs the bearer-token loader first
    if signed_in and not getattr(g, "auth_via_token", False):
        if not current_app.config.get("WTF_CSRF_ENABLED", True):
            return
        try:
            validate_csrf(request.headers.get("X-CSRFToken", ""))
        except ValidationError as error:
            raise CSRFError(str(error))


def register_api_guard(app: Flask) -> None:
    app.before_request(_api_guard)


def register_api_blueprint(app: Flask, blp: Blueprint) -> None:
    csrf.exempt(blp)
    api.register_blueprint(blp, url_prefix=f"{API_PREFIX}{blp.url_prefix or ''}")


def require_login():
    if not current_user.is_authenticated:
        abort(401)
    return current_user._get_current_object()


API_SECURITY = [{"bearerAuth": []}, {"sessionCookie": []}]


def register_security_schemes() -> None:
    api.spec.components.security_scheme(
        "bearerAuth",
        {"type": "http", "scheme": "bearer", "description": "Personal API token"},
    )
    api.spec.components.security_scheme(
        "sessionCookie", {"type": "apiKey", "in": "cookie", "name": "session"}
    )
