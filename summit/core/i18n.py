"""Locale choice: the person's profile, then the visitor's cookie, then the browser."""

from __future__ import annotations

from flask import current_app, has_request_context, request
from flask_login import current_user

LANG_COOKIE = "summit_lang"


def supported_languages() -> tuple[str, ...]:
    return tuple(current_app.config["LANGUAGES"])


def normalise_language(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip().lower()[:2]
    return value if value in supported_languages() else None


def select_locale() -> str:
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated:
        chosen = normalise_language(getattr(current_user, "preferred_language", None))
        if chosen:
            return chosen
    chosen = normalise_language(request.cookies.get(LANG_COOKIE))
    if chosen:
        return chosen
    return request.accept_languages.best_match(supported_languages()) or "en"
