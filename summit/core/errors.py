"""Domain errors and the one set of HTTP error handlers.

Requests under ``/api/`` get ``{"error": {"code", "message", "fields"}}``;
everything else gets an HTML page in the visitor's language.
"""

from __future__ import annotations

from flask import current_app, jsonify, make_response, render_template, request
from flask.globals import request_ctx
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException, InternalServerError


class DomainError(Exception):
    """A rule of the domain said no. ``code`` is stable; ``message`` is for people."""

    status = 400

    def __init__(self, code: str, message: str, *, fields: dict | None = None, status=None):
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.fields = fields or {}
        if status is not None:
            self.status = status


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409


HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
    500: "server_error",
    503: "unavailable",
}

HTTP_MESSAGES = {
    400: _l("The request could not be understood. Please check what you sent and try again."),
    401: _l("Please log in to continue."),
    403: _l("You do not have permission to do that."),
    404: _l("We could not find that page."),
    405: _l("That action is not allowed here."),
    409: _l("That conflicts with the current state. Reload and try again."),
    413: _l("What you sent is too large. Please send something smaller."),
    415: _l("That kind of content is not accepted here."),
    422: _l("Some of what you sent is not valid."),
    429: _l("Too many attempts. Please wait a minute and try again."),
    500: _l("Something went wrong on our side. Nothing you did caused it; please try again."),
    503: _l("The service is temporarily unavailable. Please try again shortly."),
}

PAGE_TITLES = {
    400: _l("Bad request"),
    403: _l("Not allowed"),
    404: _l("Page not found"),
    405: _l("Not allowed"),
    413: _l("Too large"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong"),
}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def error_response(status: int, code: str, message: str, fields: dict | None = None):
    if wants_json():
        body = {"error": {"code": code, "message": str(message), "fields": fields or {}}}
        return jsonify(body), status
    if request_ctx.url_adapter is None:
        # Routing failed before the request began (an untrusted Host header):
        # the page template cannot build links, so answer in plain text.
        return f"{status} {message}\n", status, {"Content-Type": "text/plain; charset=utf-8"}
    html = render_template(
        "errors/error.html",
        status=status,
        title=PAGE_TITLES.get(status, _("Error")),
        message=message,
    )
    return html, status


def _rollback() -> None:
    from summit.extensions import db

    try:
        db.session.rollback()
    except Exception:  # pragma: no cover - the session may be unusable
        current_app.logger.exception("rollback failed")


def handle_domain_error(error: DomainError):
    _rollback()
    return error_response(error.status, error.code, error.message, error.fields)


def handle_csrf_error(error: CSRFError):
    _rollback()
    message = _(
        "Your form expired or was sent from another page, so we did not save it. "
        "Go back, reload the page and send it again."
    )
    return error_response(400, "csrf_failed", message)


def handle_http_exception(error: HTTPException):
    status = error.code or 500
    code = HTTP_CODES.get(status, "error")
    message = HTTP_MESSAGES.get(status, error.description)
    fields = {}
    data = getattr(error, "data", None)
    if isinstance(data, dict) and "messages" in data:  # webargs / flask-smorest validation
        fields = _flatten_messages(data["messages"])
        code = "invalid"
    elif getattr(error, "description", None) and status in (400, 404, 409, 422):
        described = error.description
        if described and described != type(error).description:
            message = described
    if status == 500:
        _rollback()
    return error_response(status, code, message, fields)


def handle_unexpected(error: Exception):
    current_app.logger.exception("unhandled error on %s", request.path)
    return handle_http_exception(InternalServerError())


def handle_database_error(error: DBAPIError):
    """A connection lost under a request (the database restarted, say) answers 503 with
    a retry hint: the pool has thrown its connections away, so the next try gets a new
    one. Any other database error is unexpected."""
    if not error.connection_invalidated:
        return handle_unexpected(error)
    current_app.logger.warning("database connection lost on %s", request.path)
    _rollback()
    response = make_response(error_response(503, HTTP_CODES[503], HTTP_MESSAGES[503]))
    response.headers["Retry-After"] = "1"
    return response


def _flatten_messages(messages: dict) -> dict:
    """webargs nests messages by location (json/query) and marshmallow by field, list
    index and dict key; keep ``{"field.0.sub": ["message", ...]}``."""
    flat: dict = {}
    for location, value in messages.items():
        if isinstance(value, dict) and location in {"json", "query", "form", "files", "headers"}:
            _flatten_into(flat, value, "")
        else:
            _flatten_into(flat, {location: value}, "")
    return flat


def _flatten_into(flat: dict, node, prefix: str) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            _flatten_into(flat, value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(node, list | tuple) and all(isinstance(item, str) for item in node):
        flat.setdefault(prefix or "_schema", []).extend(str(item) for item in node)
    elif isinstance(node, list | tuple):
        for item in node:
            _flatten_into(flat, item, prefix)
    else:
        flat.setdefault(prefix or "_schema", []).append(str(node))


def register_error_handlers(app) -> None:
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DBAPIError, handle_database_error)
    app.register_error_handler(Exception, handle_unexpected)
