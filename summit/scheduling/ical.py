"""Adapter from released sessions to the pure calendar builder (``summit.agenda.calendar``).

Every feed and download goes through ``calendar_bytes``: the programme, a track, a
presenter, one session, a personal agenda and the files attached to release emails.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from summit.agenda.calendar import CalendarItem, CalendarMeta, build_calendar
from summit.core.clock import now
from summit.proposals.enums import SESSION_LANGUAGE_LABELS
from summit.scheduling.programme import ProgrammeSession
from summit.summits.models import Summit


def session_uid(summit: Summit, proposal_code: str) -> str:
    """Stable for the life of the session: never changes between versions."""
    return f"{proposal_code.lower()}@{summit.slug}.summit"


def session_url(summit: Summit, code: str) -> str:
    return url_for("programme.session", slug=summit.slug, code=code, _external=True)


@dataclass(frozen=True)
class _Labels:
    """A feed's labels in its language: translated once, not once per session."""

    presenters: str
    interpretation: str
    language: str
    cancelled: str
    languages: dict[str, str]
    sessions_url: str  # the session pages' URL up to the code, built once

    @classmethod
    def current(cls, summit: Summit) -> _Labels:
        """In the locale in force (call inside ``force_locale``)."""
        return cls(
            presenters=_("Presenters: %(names)s"),
            interpretation=_("%(language)s, interpretation available"),
            language=_("Language: %(language)s"),
            cancelled=_("Cancelled: %(title)s"),
            languages={str(k): str(v) for k, v in SESSION_LANGUAGE_LABELS.items()},
            sessions_url=session_url(summit, "_").removesuffix("_"),
        )

    def session_url(self, code: str) -> str:
        return self.sessions_url + quote(code, safe="")


def item_for(summit: Summit, session: ProgrammeSession, locale: str) -> CalendarItem:
    """One session in ``locale``: labels translated, room, building and venue in LOCATION,
    presenters, language and the abstract in the plain-text DESCRIPTION."""
    with force_locale(locale):
        return _item(summit, session, locale, _Labels.current(summit))


def _item(summit: Summit, session: ProgrammeSession, locale: str, labels: _Labels) -> CalendarItem:
    room = session.room
    place = [room.name, room.building, room.floor, summit.venue]
    lines = []
    if session.presenters:
        names = ", ".join(p.name for p in session.presenters)
        lines.append(labels.presenters % {"names": names})
    language = labels.languages.get(session.language, session.language)
    if session.has_interpretation:
        language = labels.interpretation % {"language": language}
    lines.append(labels.language % {"language": language})
    if session.abstract:
        lines += ["", session.abstract]
    title = session.title
    if session.is_cancelled:
        title = labels.cancelled % {"title": title}
    return CalendarItem(
        uid=session_uid(summit, session.code),
        title=title,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        last_modified=session.changed_at,
        sequence=session.sequence,
        location=", ".join(dict.fromkeys(part for part in place if part)),
        description="\n".join(lines),
        url=labels.session_url(session.code),
        cancelled=session.is_cancelled,
        categories=tuple(t.name(locale) for t in session.all_tracks()),
        language=locale,
    )


def calendar_bytes(
    summit: Summit,
    name: str,
    sessions: Iterable[ProgrammeSession],
    locale: str,
    *,
    stamp: datetime | None = None,
) -> bytes:
    """The feed's bytes. Pass ``stamp`` (when its content last changed) to get the same
    bytes, and so the same ETag, for as long as nothing changes."""
    meta = CalendarMeta(
        name=name,
        timezone=summit.timezone,
        language=locale,
        description=summit.display_name(locale),
    )
    with force_locale(locale):  # once for the whole feed, not per session
        labels = _Labels.current(summit)
    items = [_item(summit, session, locale, labels) for session in sessions]
    return build_calendar(meta, items, now=stamp or now())
