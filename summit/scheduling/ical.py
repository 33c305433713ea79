"""Adapter from released sessions to the pure calendar builder (``summit.agenda.calendar``)."""

from __future__ import annotations

from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from summit.agenda.calendar import CalendarItem, CalendarMeta, build_calendar
from summit.core.clock import now
from summit.scheduling.models import ReleasedSession
from summit.summits.models import Summit


def session_uid(summit: Summit, proposal_code: str) -> str:
    """Stable for the life of the session: never changes between versions."""
    return f"{proposal_code.lower()}@{summit.slug}.summit"


def item_for(summit: Summit, row: ReleasedSession, locale: str) -> CalendarItem:
    proposal = row.proposal
    url = url_for("programme.session", slug=summit.slug, code=proposal.code, _external=True)
    with force_locale(locale):
        location = ", ".join(part for part in (row.room_name, summit.venue) if part)
        track = proposal.track.name(locale) if proposal.track else ""
        return CalendarItem(
            uid=session_uid(summit, proposal.code),
            title=(_("Cancelled: %(title)s", title=proposal.title) if row.is_cancelled else
                   proposal.title),
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            last_modified=row.changed_at,
            sequence=row.sequence,
            location=location,
            description=proposal.abstract or "",
            url=url,
            cancelled=row.is_cancelled,
            categories=(track,) if track else (),
            language=locale,
        )  # fmt: skip


def calendar_bytes(summit: Summit, name: str, rows, locale: str) -> bytes:
    meta = CalendarMeta(
        name=name,
        timezone=summit.timezone,
        language=locale,
        description=summit.display_name(locale),
    )
    return build_calendar(meta, [item_for(summit, row, locale) for row in rows], now=now())
