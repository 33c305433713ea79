"""Release emails: each presenter of a new, moved or cancelled session hears about it,
in their language, with the session's calendar file attached."""

from __future__ import annotations

from flask import url_for

from summit.core.outbox import Attachment, queue_email
from summit.scheduling import ical
from summit.scheduling.enums import ChangeKind
from summit.scheduling.services import presenting
from summit.summits.models import Summit


def _recipients(proposal) -> dict[str, str]:
    """email -> language of everyone presenting (guardians for presenters without email)."""
    found: dict[str, str] = {}
    for presenter in presenting(proposal):
        user = presenter.user
        email = (user.email if user else None) or presenter.email or presenter.guardian_email
        if not email:
            continue
        language = (user.preferred_language if user else None) or proposal.language
        found.setdefault(email.lower(), language if language in ("en", "es") else "en")
    return found


def queue_release_emails(summit: Summit, version, changed) -> int:
    """``changed``: (kind, proposal, new row, old row | None). Returns emails queued."""
    sent = 0
    for kind, proposal, row, old in changed:
        for email, locale in _recipients(proposal).items():
            data = ical.calendar_bytes(summit, proposal.title, [row], locale)
            queue_email(
                email,
                "scheduling/emails/release",
                locale=locale,
                summit=summit,
                attachments=[Attachment(f"{proposal.code.lower()}.ics", "text/calendar", data)],
                kind=kind.value,
                kinds=ChangeKind,
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
