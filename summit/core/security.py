"""Response headers (strict CSP, no inline script) and request hygiene.

Flask-Talisman is unmaintained; this is the small part of it we need.
"""

from __future__ import annotations

import json
from urllib.parse import unquote_to_bytes

from flask import Flask, abort, request
from flask_babel import gettext as _

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def set_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.path.startswith("/api/") or response.mimetype == "text/html":
        headers.setdefault("Cache-Control", "no-store")
    return response


def _bad_text():
    abort(400, description=_("The text you sent contains characters we cannot accept."))


def _check_text(value: str) -> None:
    if "\x00" in value:
        _bad_text()


def reject_malformed_input() -> None:
    """Answer 400 for NUL bytes or invalid UTF-8 anywhere a person can type.

    PostgreSQL refuses NUL in text and invalid UTF-8 would be silently mangled
    by the form parser, so both are refused here, before any view runs.
    """
    _check_text(request.path)
    raw_query = request.query_string
    if raw_query:
        _check_raw_urlencoded(raw_query)
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    mimetype = request.mimetype
    if mimetype == "application/x-www-form-urlencoded":
        _check_raw_urlencoded(request.get_data(cache=True))
    elif mimetype == "multipart/form-data":
        for values in request.form.listvalues():
            for value in values:
                _check_text(value)
                if "\ufffd" in value:
                    _bad_text()
    elif mimetype == "application/json" or mimetype.endswith("+json"):
        raw = request.get_data(cache=True)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            _bad_text()
        if "\x00" in text or "\\u0000" in text.lower():
            _bad_text()
        _check_json_text(text)


def _check_json_text(text: str) -> None:
    """Refuse lone surrogates (``"\\ud800"``) and nesting too deep to parse.

    Both decode without a UTF-8 error yet end in a 500: no database can store
    a lone surrogate, and deep nesting exhausts the parser's recursion limit.
    Malformed JSON is left to the API's parser, which reports it with a code.
    """
    try:
        data = json.loads(text)
    except RecursionError:
        _bad_text()
    except ValueError:
        return
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        _bad_text()


def _check_raw_urlencoded(raw: bytes) -> None:
    for part in raw.split(b"&"):
        for piece in part.split(b"=", 1):
            decoded = unquote_to_bytes(piece.replace(b"+", b" "))
            if b"\x00" in decoded:
                _bad_text()
            try:
                decoded.decode("utf-8")
            except UnicodeDecodeError:
                _bad_text()


def register_security(app: Flask) -> None:
    app.before_request(reject_malformed_input)
    app.after_request(set_security_headers)
