"""The `/api/v1` parent: flask-smorest blueprints, auth and CSRF rules.

Browser-session callers must send the CSRF token in ``X-CSRFToken`` for
writes; bearer-token callers are not exposed to CSRF and are exempt.
"""

from __future__ import annotations

from http import HTTPStatus

from flask import Flask, abort, current_app, g, request, url_for
from flask_login import current_user
from flask_smorest import Blueprint
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError

from summit.core.api_schema import encode_cursor
from summit.extensions import api, csrf, db

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

# Any request can get 400: NUL bytes or invalid UTF-8 in its path, query or body (see
# core.security), a body that is not JSON, or a session caller's write without the
# CSRF token. Writes can also get 415 when the body is not application/json.
WRITE_ERRORS = (415,)


def documents_errors(blp: Blueprint, *statuses: int):
    """Document an operation's error statuses (and 400), each with the shared error body."""

    def decorator(view):
        for status in sorted({400, *statuses}, reverse=True):
            view = blp.alt_response(status, response=HTTPStatus(status).name)(view)
        return view

    return decorator


def paginate(rows, page: dict) -> dict:
    """One page of ``rows`` (a list or an ordered ``select``) as ``{"items", "next"}``.

    ``page`` holds ``limit`` and ``cursor`` (an offset, opaque to clients); ``next``
    is this request's URL with the cursor of the following page, or None at the end."""
    offset, limit = page.get("cursor") or 0, page["limit"]
    if isinstance(rows, list):
        items = rows[offset : offset + limit + 1]
    else:
        items = list(db.session.scalars(rows.offset(offset).limit(limit + 1)).unique())
    has_more = len(items) > limit
    return {"items": items[:limit], "next": _next_link(offset + limit, limit) if has_more else None}


def _next_link(offset: int, limit: int) -> str:
    args = request.args.to_dict(flat=False)
    args.update(cursor=encode_cursor(offset), limit=str(limit))
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def register_security_schemes() -> None:
    api.spec.components.security_scheme(
        "bearerAuth",
        {"type": "http", "scheme": "bearer", "description": "Personal API token"},
    )
    api.spec.components.security_scheme(
        "sessionCookie", {"type": "apiKey", "in": "cookie", "name": "session"}
    )
