"""Agenda emails: changes to starred sessions after a release, and seats that came free."""

from __future__ import annotations

from collections import defaultdict

from flask import url_for

from summit.agenda import queries
from summit.agenda.models import Agenda, Reservation
from summit.core.outbox import queue_email
from summit.extensions import db
from summit.summits.models import Summit

CHANGE_KINDS = ("moved", "cancelled")


def queue_change_emails(summit: Summit, version, changed) -> int:
    """One email per person whose agenda holds a session that moved or was cancelled in
    this release, listing all their changes, in their language. ``changed`` is
    (kind, proposal, new row, old row | None) as the release builds it."""
    relevant = {
        proposal.id: (kind.value, proposal, row, old)
        for kind, proposal, row, old in changed
        if kind.value in CHANGE_KINDS
    }
    starring = queries.agendas_starring(relevant)
    sent = 0
    for agenda_id, proposal_ids in sorted(starring.items()):
        agenda = db.session.get(Agenda, agenda_id)
        email, name = queries.owner_email(agenda)
        if not email:
            continue
        changes = sorted(
            (relevant[pid] for pid in proposal_ids), key=lambda c: (c[3] or c[2]).starts_at
        )
        queue_email(
            email,
            "agenda/emails/changes",
            locale=agenda.locale,
            summit=summit,
            name=name,
            summit_name=summit.display_name(agenda.locale),
            tz=summit.timezone,
            changes=changes,
            version=version,
            programme_link=url_for("programme.changes", slug=summit.slug, _external=True),
            session_link=lambda code: url_for(
                "programme.session", slug=summit.slug, code=code, _external=True
            ),
        )
        sent += 1
    return sent


def queue_seat_emails(summit: Summit, reservations: list[Reservation], kind: str) -> int:
    """``kind`` "promoted": a seat came free for someone who was waiting."""
    sent = 0
    by_agenda: dict[int, list[Reservation]] = defaultdict(list)
    for reservation in reservations:
        by_agenda[reservation.agenda_id].append(reservation)
    for group in by_agenda.values():
        agenda = group[0].agenda
        email, name = queries.owner_email(agenda)
        if not email:
            continue
        queue_email(
            email,
            f"agenda/emails/seat_{kind}",
            locale=agenda.locale,
            summit=summit,
            name=name,
            proposals=[r.proposal for r in group],
            link=url_for("agenda.index", slug=summit.slug, _external=True),
            session_link=lambda code: url_for(
                "programme.session", slug=summit.slug, code=code, _external=True
            ),
        )
        sent += 1
    return sent
