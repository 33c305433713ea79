"""Audit log of staff actions: who did what, when, with before/after values."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from summit.core.clock import now
from summit.extensions import db

# What each recorded action means, for the audit page. Unknown codes show as they are.
ACTION_LABELS = {
    "summit.create": _l("Summit created"),
    "summit.update": _l("Summit settings changed"),
    "summit.make_current": _l("Made the current summit"),
    "role.grant": _l("Role given"),
    "role.revoke": _l("Role removed"),
    "track.create": _l("Track added"),
    "track.update": _l("Track changed"),
    "call.update": _l("Call settings changed"),
    "format.create": _l("Format added"),
    "format.update": _l("Format changed"),
    "question.create": _l("Question added"),
    "question.update": _l("Question changed"),
    "access_code.create": _l("Access code created"),
    "proposal.state": _l("Proposal status changed"),
    "proposal.duplicate": _l("Proposal marked as duplicate"),
    "proposal.export": _l("Proposals exported"),
    "proposal.group_email": _l("Presenters emailed"),
    "regions.update": _l("Regions changed"),
    "ticket_type.create": _l("Ticket type added"),
    "ticket_type.update": _l("Ticket type changed"),
    "booking.approve": _l("Registration approved"),
    "booking.decline": _l("Registration declined"),
    "booking.comp": _l("Complimentary ticket added"),
    "booking.resend": _l("Tickets sent again"),
    "attendee.update": _l("Attendee details changed"),
    "attendee.needs": _l("Accommodations changed"),
    "attendee.cancel": _l("Ticket cancelled by staff"),
    "attendee.reissue": _l("Ticket reissued"),
    "registration.export": _l("Registrations exported"),
    "report.export": _l("Report exported"),
    "certificate.send": _l("Certificates emailed"),
}


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    summit_id: Mapped[int | None] = mapped_column(
        ForeignKey("summits.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(64))
    object_label: Mapped[str] = mapped_column(String(200), default="")
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=now, index=True)

    actor = relationship("User", foreign_keys=[actor_id])

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))

    @property
    def changes(self) -> list[tuple[str, Any, Any]]:
        before, after = self.before or {}, self.after or {}
        keys = sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def snapshot(obj, fields) -> dict:
    return {name: _jsonable(getattr(obj, name)) for name in fields}


def record(
    action: str,
    *,
    actor,
    object_type: str,
    object_id=None,
    label: str = "",
    summit=None,
    before: dict | None = None,
    after: dict | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Add an audit entry to the session. Like every service, it never commits."""
    entry = AuditEntry(
        summit_id=summit.id if summit is not None else None,
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else None,
        object_label=label[:200],
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        created_at=at or now(),
    )
    db.session.add(entry)
    return entry


def save_fields(
    obj,
    values: dict,
    *,
    allowed: tuple[str, ...],
    action: str,
    actor,
    summit,
    object_type: str,
    ident,
    label,
    created: bool,
):
    """Set ``values`` (only ``allowed`` names) on ``obj``, flush, and audit what changed.

    ``ident`` and ``label`` are callables of the object, read after the flush so a
    new row already has its identifiers. Nothing is recorded when nothing changed.
    """
    before = None if created else snapshot(obj, allowed)
    for key, value in values.items():
        if key not in allowed:
            raise ValueError(f"not a {object_type} field: {key}")
        setattr(obj, key, value)
    db.session.flush()
    after = snapshot(obj, allowed)
    if created or before != after:
        record(
            action,
            actor=actor,
            summit=summit,
            object_type=object_type,
            object_id=ident(obj),
            label=label(obj),
            before=before,
            after=after,
        )
    return obj
