"""Release emails: each presenter of a new, moved or cancelled session hears about it,
in their language, with the session's calendar file attached."""

from __future__ import annotations

from flask import url_for

from summit.core.outbox import Attachment, queue_email
from summit.proposals.queries import list_recipients
from summit.scheduling import ical
from summit.scheduling.programme import to_session
from summit.summits.models import Summit


def queue_release_emails(summit: Summit, version, changed) -> int:
    """``changed``: (kind, proposal, new row, old row | None). Returns emails queued."""
    sent = 0
    for kind, proposal, row, old in changed:
        calendars: dict[str, bytes] = {}  # one file per language, not per person
        for _proposal, email, locale in list_recipients([proposal], include_copresenters=True):
            if locale not in calendars:
                calendars[locale] = ical.calendar_bytes(
                    summit, proposal.title, [to_session(row)], locale, stamp=version.released_at
                )
            data = calendars[locale]
            queue_email(
                email,
                "scheduling/emails/release",
                locale=locale,
                summit=summit,
                attachments=[Attachment(f"{proposal.code.lower()}.ics", "text/calendar", data)],
                kind=kind.value,
                proposal=proposal,
                row=row,
                old=old,
                version=version,
                link=url_for(
                    "programme.session", slug=summit.slug, code=proposal.code, _external=True
                ),
            )
            sent += 1
    return sent
