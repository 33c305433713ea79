"""Learning-hours certificates: what each person attended and presented, the PDF, and
the staff's "send them all".

A certificate lists the sessions of the newest released version (not cancelled) that
the person was checked into at the session's own checkpoint (a live check-in:
``result = 'checked_in'`` and not annulled; an "already checked in" repeat or an undone
scan counts nothing), each with its date, times and length, and the total. Two sessions
that overlap count their shared time once. Sessions the person presents (their email is
a presenter's, or the presenter's account's) are listed as presented and counted
separately, never as attended too. Entrance check-ins show as "attended day N".

Certificates exist once the summit is over: from midnight after its last day, in the
summit's time zone. ``certificate_lines`` is the pure core (values in, values out); the
rest reads the database, renders with WeasyPrint and queues mail, and never commits.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from summit.accounts.models import User
from summit.checkin.enums import CheckpointKind, ScanResult
from summit.checkin.models import Checkpoint, Scan
from summit.core import audit
from summit.core.errors import Conflict
from summit.core.i18n import normalise_language
from summit.core.outbox import Attachment, queue_email
from summit.core.pdf import render_pdf
from summit.core.templating import local_day
from summit.core.tokens import random_code
from summit.extensions import db
from summit.proposals.enums import InviteStatus
from summit.proposals.models import Presenter
from summit.registration.enums import BookingState
from summit.registration.models import Attendee, Booking
from summit.reports.certificate_models import Certificate
from summit.scheduling.programme import list_released
from summit.summits.models import Summit

CODE_PREFIX = "CRT"
CODE_LENGTH = 10  # ~50 bits from the 31-letter alphabet: not guessable
PRESENTING = (InviteStatus.NONE.value, InviteStatus.ACCEPTED.value)
SEND_BATCH = 40  # PDFs per "Send" press: each costs about 0.2 s of CPU


# --- the pure core ---------------------------------------------------------------------


@dataclass(frozen=True)
class SessionTime:
    """A released session as a certificate lists it."""

    proposal_id: int
    code: str
    title: str
    day: date
    starts_at: datetime
    ends_at: datetime

    @property
    def minutes(self) -> int:
        return max(int((self.ends_at - self.starts_at).total_seconds() // 60), 0)


@dataclass(frozen=True)
class CertificateLines:
    attended: tuple[SessionTime, ...]
    presented: tuple[SessionTime, ...]
    days: tuple[int, ...]  # summit day numbers (1 = the first day) with an entrance check-in
    attended_minutes: int
    presented_minutes: int

    @property
    def is_eligible(self) -> bool:
        return bool(self.attended or self.presented)


def _union_minutes(sessions: Iterable[SessionTime]) -> int:
    """Minutes covered by the sessions' times, overlapping time counted once."""
    total, end = timedelta(), None
    start = None
    for s in sorted(sessions, key=lambda s: (s.starts_at, s.ends_at)):
        if end is None or s.starts_at > end:
            if end is not None:
                total += end - start
            start, end = s.starts_at, s.ends_at
        else:
            end = max(end, s.ends_at)
    if end is not None:
        total += end - start
    return int(total.total_seconds() // 60)


def certificate_lines(
    sessions: Iterable[SessionTime],
    *,
    checked_in: Iterable[int],
    presented: Iterable[int],
    entrance_days: Iterable[date] = (),
    first_day: date,
) -> CertificateLines:
    """One person's certificate from released sessions (not cancelled) and the proposal
    ids they were checked into and present. Presented sessions are not attended ones."""
    by_id = {s.proposal_id: s for s in sessions}
    presenting = {pid for pid in presented if pid in by_id}
    order = lambda s: (s.starts_at, s.title, s.code)  # noqa: E731
    gave = tuple(sorted((by_id[pid] for pid in presenting), key=order))
    went = tuple(
        sorted(
            (by_id[pid] for pid in set(checked_in) if pid in by_id and pid not in presenting),
            key=order,
        )
    )
    days = tuple(sorted({(day - first_day).days + 1 for day in entrance_days if day >= first_day}))
    return CertificateLines(
        attended=went,
        presented=gave,
        days=days,
        attended_minutes=_union_minutes(went),
        presented_minutes=_union_minutes(gave),
    )


def digest(name: str, locale: str, lines: CertificateLines) -> str:
    """A fingerprint of what a certificate says: the same digest means the same PDF."""
    content = {
        "name": name,
        "locale": locale,
        "days": list(lines.days),
        "minutes": [lines.attended_minutes, lines.presented_minutes],
        "sessions": [
            [kind, s.code, s.title, s.starts_at.isoformat(), s.ends_at.isoformat()]
            for kind, group in (("a", lines.attended), ("p", lines.presented))
            for s in group
        ],
    }
    encoded = json.dumps(content, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()


# --- when ------------------------------------------------------------------------------


def available_from(summit: Summit) -> datetime:
    """Midnight after the summit's last day, in its time zone (as aware UTC)."""
    midnight = datetime.combine(
        summit.ends_on + timedelta(days=1), time(0), ZoneInfo(summit.timezone)
    )
    return midnight.astimezone(UTC)


def is_available(summit: Summit, at: datetime) -> bool:
    return at >= available_from(summit)


def not_ready_message(summit: Summit) -> str:
    return _(
        "Certificates of learning hours are made after the summit. They will be here "
        "from %(when)s.",
        when=local_day(available_from(summit), summit.timezone),
    )


def ensure_available(summit: Summit, at: datetime) -> None:
    if not is_available(summit, at):
        raise Conflict("certificates_not_ready", not_ready_message(summit))


# --- reading the database --------------------------------------------------------------


@dataclass(frozen=True)
class PersonCertificate:
    attendee: Attendee
    lines: CertificateLines

    @property
    def locale(self) -> str:
        return normalise_language(self.attendee.preferred_language) or "en"


def list_holders(summit: Summit) -> list[Attendee]:
    """People who may have a certificate: active tickets of confirmed registrations."""
    return list(
        db.session.scalars(
            select(Attendee)
            .join(Booking, Booking.id == Attendee.booking_id)
            .where(
                Attendee.summit_id == summit.id,
                Attendee.cancelled_at.is_(None),
                Booking.state == BookingState.CONFIRMED.value,
            )
            .options(selectinload(Attendee.booking))
            .order_by(Attendee.id)
        )
    )


def released_sessions(summit: Summit) -> list[SessionTime]:
    return [
        SessionTime(s.proposal_id, s.code, s.title, s.day, s.starts_at, s.ends_at)
        for s in list_released(summit)
        if not s.is_cancelled
    ]


def _live_check_ins(summit: Summit, attendee_ids: list[int], kind: CheckpointKind):
    return db.session.execute(
        select(Scan.attendee_id, Checkpoint.proposal_id, Checkpoint.day)
        .join(Checkpoint, Checkpoint.id == Scan.checkpoint_id)
        .where(
            Scan.summit_id == summit.id,
            Scan.attendee_id.in_(attendee_ids),
            Scan.result == ScanResult.CHECKED_IN.value,
            Scan.annulled_at.is_(None),
            Checkpoint.kind == kind.value,
        )
    ).all()


def _presented(sessions: list[SessionTime], attendees: list[Attendee]) -> dict[int, set[int]]:
    """Attendee id → proposal ids they present, matched by email (the presenter's own,
    else their account's), case and spaces aside. Declined or pending invitations don't
    count."""
    wanted: dict[str, list[int]] = {}
    for a in attendees:
        if a.email and a.email.strip():
            wanted.setdefault(a.email.strip().lower(), []).append(a.id)
    found: dict[int, set[int]] = {}
    if not wanted or not sessions:
        return found
    rows = db.session.execute(
        select(Presenter.proposal_id, Presenter.email, User.email)
        .outerjoin(User, User.id == Presenter.user_id)
        .where(
            Presenter.proposal_id.in_([s.proposal_id for s in sessions]),
            or_(Presenter.is_lead.is_(True), Presenter.invite_status.in_(PRESENTING)),
            or_(
                func.lower(func.trim(Presenter.email)).in_(list(wanted)),
                func.lower(User.email).in_(list(wanted)),
            ),
        )
    ).all()
    for proposal_id, *emails in rows:
        for email in {e.strip().lower() for e in emails if e}:
            for attendee_id in wanted.get(email, ()):
                found.setdefault(attendee_id, set()).add(proposal_id)
    return found


def certificates_for(summit: Summit, attendees: list[Attendee]) -> list[PersonCertificate]:
    """Each attendee's certificate lines, in a fixed number of queries."""
    if not attendees:
        return []
    sessions = released_sessions(summit)
    ids = [a.id for a in attendees]
    attended: dict[int, set[int]] = {}
    for attendee_id, proposal_id, _day in _live_check_ins(summit, ids, CheckpointKind.SESSION):
        if proposal_id is not None:
            attended.setdefault(attendee_id, set()).add(proposal_id)
    days: dict[int, set[date]] = {}
    for attendee_id, _proposal, day in _live_check_ins(summit, ids, CheckpointKind.ENTRANCE):
        if day is not None:
            days.setdefault(attendee_id, set()).add(day)
    presented = _presented(sessions, attendees)
    return [
        PersonCertificate(
            a,
            certificate_lines(
                sessions,
                checked_in=attended.get(a.id, ()),
                presented=presented.get(a.id, ()),
                entrance_days=days.get(a.id, ()),
                first_day=summit.starts_on,
            ),
        )
        for a in attendees
    ]


def certificate_for(summit: Summit, attendee: Attendee) -> PersonCertificate:
    return certificates_for(summit, [attendee])[0]


def get_certificate(summit: Summit, code: str) -> Certificate | None:
    """A certificate by its printed id, if its ticket is still active."""
    certificate = db.session.scalar(
        select(Certificate).where(Certificate.summit_id == summit.id, Certificate.code == code)
    )
    if certificate is None or certificate.attendee.cancelled_at is not None:
        return None
    return certificate


# --- issuing ---------------------------------------------------------------------------


def issue_certificate(summit: Summit, person: PersonCertificate, *, at: datetime) -> Certificate:
    """The person's certificate row (made on first use), with the hours it shows now."""
    certificate = db.session.scalar(
        select(Certificate).where(Certificate.attendee_id == person.attendee.id)
    )
    if certificate is None:
        certificate = Certificate(
            summit_id=summit.id,
            attendee_id=person.attendee.id,
            code=random_code(CODE_LENGTH, CODE_PREFIX),
            issued_at=at,
        )
        db.session.add(certificate)
    certificate.attended_minutes = person.lines.attended_minutes
    certificate.presented_minutes = person.lines.presented_minutes
    db.session.flush()
    return certificate


def hours(minutes: int) -> str:
    """Minutes as hours in the current language: 1.5 in English, 1,5 in Spanish."""
    return format_decimal(minutes / 60, format="#,##0.##")


def certificate_pdf(summit: Summit, person: PersonCertificate, certificate: Certificate) -> bytes:
    """One page in the person's language. Nothing is fetched: the page has no images,
    and the fetcher refuses every URL but ``data:``."""
    locale = person.locale
    verify_url = url_for(
        "certificates.verify", slug=summit.slug, code=certificate.code, _external=True
    )
    return render_pdf(
        "reports/certificate.html",
        locale=locale,
        unavailable=_("Certificates cannot be made right now. Please try again later."),
        summit=summit,
        person=person,
        lines=person.lines,
        certificate=certificate,
        verify_url=verify_url,
        hours=hours,
    )


def filename(certificate: Certificate) -> str:
    return f"certificate-{certificate.code}.pdf"


def recipient(attendee: Attendee) -> str:
    """The attendee's email, else their guardian's, else the registration's contact."""
    for email in (attendee.email, attendee.guardian_email, attendee.booking.contact_email):
        if email and email.strip():
            return email.strip()
    return attendee.booking.contact_email


# --- sending to everyone ---------------------------------------------------------------


@dataclass(frozen=True)
class SendPlan:
    eligible: int  # people with at least one session attended or presented
    to_send: int  # of them, those not emailed this very certificate yet


@dataclass(frozen=True)
class SendResult:
    queued: int
    remaining: int  # still to send (beyond this batch)


def _emailed_digests(summit: Summit) -> dict[int, str | None]:
    return dict(
        db.session.execute(
            select(Certificate.attendee_id, Certificate.emailed_digest).where(
                Certificate.summit_id == summit.id
            )
        ).all()
    )


def _pending(summit: Summit) -> tuple[list[PersonCertificate], list[PersonCertificate]]:
    people = [p for p in certificates_for(summit, list_holders(summit)) if p.lines.is_eligible]
    sent = _emailed_digests(summit)
    todo = [
        p for p in people if sent.get(p.attendee.id) != digest(p.attendee.name, p.locale, p.lines)
    ]
    return people, todo


def plan_send(summit: Summit) -> SendPlan:
    people, todo = _pending(summit)
    return SendPlan(eligible=len(people), to_send=len(todo))


def send_certificates(
    summit: Summit, *, actor, at: datetime, limit: int | None = SEND_BATCH
) -> SendResult:
    """Queue one email per person whose certificate they have not been sent yet, each in
    their language with their PDF attached. Running it again mails nobody twice for the
    same certificate; a certificate that changed (a late synced scan) goes out again.
    At most ``limit`` PDFs per call; the rest are counted in ``remaining``."""
    ensure_available(summit, at)
    _people, todo = _pending(summit)
    batch = todo if limit is None else todo[:limit]
    for person in batch:
        certificate = issue_certificate(summit, person, at=at)
        pdf = certificate_pdf(summit, person, certificate)
        queue_email(
            recipient(person.attendee),
            "reports/certificate_email",
            locale=person.locale,
            summit=summit,
            attachments=[Attachment(filename(certificate), "application/pdf", pdf)],
            event=summit,
            attendee=person.attendee,
            lines=person.lines,
            hours=hours,
            certificate=certificate,
            verify_url=url_for(
                "certificates.verify", slug=summit.slug, code=certificate.code, _external=True
            ),
        )
        certificate.emailed_at = at
        certificate.emailed_digest = digest(person.attendee.name, person.locale, person.lines)
    result = SendResult(queued=len(batch), remaining=len(todo) - len(batch))
    audit.record(
        "certificate.send",
        actor=actor,
        object_type="summit",
        object_id=summit.slug,
        label=summit.name,
        summit=summit,
        after={"emailed": result.queued, "remaining": result.remaining},
        at=at,
    )
    db.session.flush()
    return result


# --- the tickets page ------------------------------------------------------------------


@dataclass(frozen=True)
class TicketCertificates:
    """What the tickets page says about certificates, per active person."""

    is_available: bool
    message: str  # when not yet: from when
    eligible: frozenset[str]  # ticket codes with a certificate to download


def for_booking(summit: Summit, booking: Booking, *, at: datetime) -> TicketCertificates | None:
    """None when the registration has no active confirmed ticket (no certificates)."""
    people = booking.active_attendees
    if booking.state != BookingState.CONFIRMED.value or not people:
        return None
    if not is_available(summit, at):
        return TicketCertificates(False, not_ready_message(summit), frozenset())
    eligible = frozenset(
        p.attendee.code for p in certificates_for(summit, people) if p.lines.is_eligible
    )
    return TicketCertificates(True, "", eligible)
