"""Jinja helpers: dates in the summit's time zone, language switch, navigation."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime, format_skeleton, format_time
from flask import Flask, request
from flask_babel import format_date, get_locale, get_translations
from flask_wtf.csrf import generate_csrf
from jinja2 import pass_context

from summit.accounts.enums import LANGUAGE_LABELS
from summit.core.markdown import render_markdown, word_count
from summit.summits.enums import ROLE_LABELS, TRACK_KIND_LABELS


def local_datetime(value: datetime | None, tz: str = "UTC", fmt: str = "medium") -> str:
    if value is None:
        return ""
    return format_datetime(value, fmt, tzinfo=ZoneInfo(tz), locale=get_locale())


def local_date(value: date | None, fmt: str = "long") -> str:
    return format_date(value, fmt) if value else ""


def local_time(value: datetime | None, tz: str = "UTC") -> str:
    """A time of day in the summit's time zone, written the reader's way (9:00 AM / 9:00)."""
    if value is None:
        return ""
    return format_time(value, "short", tzinfo=ZoneInfo(tz), locale=get_locale())


def local_day(value: date | datetime | None, tz: str = "UTC", style: str = "full") -> str:
    """A summit day: "full" (Thursday, September 23, 2027), "weekday" or "short" (Sep 23)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(ZoneInfo(tz)).date()
    locale = get_locale()
    if style == "weekday":
        return babel_format_date(value, "EEEE", locale=locale)
    if style == "short":
        return format_skeleton("MMMd", value, locale=locale)
    return babel_format_date(value, "full", locale=locale)


# Templates translate through the catalogue their render was given (the context's
# ``_translations``, set once per render below) instead of asking Flask-Babel for it on
# every string: that look-up walks ``g``, the locale and the cache each time, about 5 µs,
# and a page has thirty strings or more. A render without it (a macro imported without
# context, a template rendered outside ``render_template``) asks Flask-Babel as before.
def _catalogue(context):
    found = context.get("_translations")
    return found if found is not None else get_translations()


@pass_context
def _gettext(context, string):
    return _catalogue(context).ugettext(string)


@pass_context
def _ngettext(context, singular, plural, n):
    return _catalogue(context).ungettext(singular, plural, n)


@pass_context
def _pgettext(context, message_context, string):
    return _catalogue(context).upgettext(message_context, string)


@pass_context
def _npgettext(context, message_context, singular, plural, n):
    return _catalogue(context).unpgettext(message_context, singular, plural, n)


def register_templating(app: Flask) -> None:
    app.jinja_env.install_gettext_callables(  # after Flask-Babel, replacing its own
        gettext=_gettext,
        ngettext=_ngettext,
        pgettext=_pgettext,
        npgettext=_npgettext,
        newstyle=True,
    )
    app.jinja_env.filters["local_datetime"] = local_datetime
    app.jinja_env.filters["local_date"] = local_date
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["local_day"] = local_day
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["word_count"] = word_count
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def shell_context():
        locale = str(get_locale() or "en")
        return {
            "_translations": get_translations(),
            "current_locale": locale,
            "languages": LANGUAGE_LABELS,
            "current_path": request.full_path.rstrip("?") if request else "/",
            "csrf_token_value": generate_csrf,
            "role_labels": ROLE_LABELS,
            "kind_labels": TRACK_KIND_LABELS,
        }
