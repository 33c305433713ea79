"""Registration use cases: ticket types, households, capacity that is never oversold,
the waitlist and its offers. Services flush, never commit; the caller commits once.

Seats are taken with one atomic conditional UPDATE per ticket type
(``taken = taken + k WHERE taken + k <= capacity``) inside a savepoint, so a
household gets all its seats or none, and two people can never both get the
last one — on PostgreSQL the row lock serialises them; on SQLite every write
transaction is ``BEGIN IMMEDIATE``. A CHECK constraint is the last guard.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from summit.accounts.enums import CALIFORNIA_COUNTIES, LANGUAGE_LABELS, AgeBand, PresenterRole
from summit.accounts.queries import normalise_email
from summit.core import audit
from summit.core.clock import now
from summit.core.errors import Conflict, DomainError
from summit.core.tokens import hash_secret, new_secret, random_code
from summit.extensions import db
from summit.registration import tickets
from summit.registration.enums import ACCOMMODATION_LABELS, TRANSITIONS, BookingState
from summit.registration.models import Attendee, Booking, SummitKey, TicketType
from summit.summits.models import Summit

B = BookingState
OFFER_HOURS = 48  # a waitlisted household has this long to claim offered seats
CONFIRM_HOURS = 72  # the email confirmation link lasts this long
MANAGE_DAYS_AFTER = 60  # self-service links work until this many days after the summit
TICKET_TYPE_FIELDS = (
    "name_en", "name_es", "audience_en", "audience_es", "capacity", "sales_opens_at",
    "sales_closes_at", "requires_approval", "access_code", "position", "is_active", "days",
)  # fmt: skip
PERSON_FIELDS = (
    "name", "email", "organisation", "role_type", "county", "preferred_language", "age_band",
    "guardian_name", "guardian_email", "accommodations", "wants_interpretation",
    "dietary_needs", "media_consent",
)  # fmt: skip
NEEDS_FIELDS = ("accommodations", "wants_interpretation", "dietary_needs", "media_consent")


# --- single-purpose links -----------------------------------------------------------
# Each link is a random secret; only a hash salted with the link's purpose is stored,
# so a confirmation link can never open the tickets page or claim an offer.


def _link_hash(purpose: str, secret: str) -> str:
    return hash_secret(f"{purpose}:{secret or ''}")


def _by_link(purpose: str, column, secret: str) -> Booking | None:
    if not secret or len(secret) > 100:
        return None
    return db.session.scalar(select(Booking).where(column == _link_hash(purpose, secret)))


def _link_invalid() -> DomainError:
    return DomainError("link_invalid", _("This link is not valid."), status=404)


# --- keys and ticket types -------------------------------------------------------------


def ensure_summit_key(summit: Summit) -> SummitKey:
    key = db.session.get(SummitKey, summit.id)
    if key is not None:
        return key
    private = tickets.new_private_key()
    try:  # two first tickets signed at once: one key wins, the other request reads it
        with db.session.begin_nested():
            db.session.add(
                SummitKey(
                    summit_id=summit.id,
                    private_key=private,
                    public_key=tickets.public_key_for(private),
                )
            )
    except IntegrityError:
        pass
    return db.session.scalars(
        select(SummitKey)
        .where(SummitKey.summit_id == summit.id)
        .execution_options(populate_existing=True)
    ).one()


def ticket_token(summit: Summit, attendee: Attendee) -> str:
    """The signed QR payload of an attendee's current ticket."""
    key = ensure_summit_key(summit)
    return tickets.sign_ticket(
        key.private_key,
        summit=summit.slug,
        code=attendee.code,
        version=attendee.ticket_version,
    )


def save_ticket_type(
    summit: Summit, *, actor, ticket_type: TicketType | None = None, code=None, **values
) -> TicketType:
    from summit.summits.services import new_code

    created = ticket_type is None
    if created:
        ensure_summit_key(summit)  # ready before the first ticket is signed
        existing = db.session.scalars(
            select(TicketType.code).where(TicketType.summit_id == summit.id)
        )
        code = new_code(code, existing, taken_message=_("Another ticket type uses this code."))
        ticket_type = TicketType(summit_id=summit.id, code=code, taken=0)
        db.session.add(ticket_type)
    capacity = values.get("capacity")
    if capacity is not None and capacity < (ticket_type.taken or 0):
        raise DomainError(
            "capacity_below_taken",
            _("%(n)d seats are already taken; the capacity cannot be lower.", n=ticket_type.taken),
            fields={"capacity": [_("Lower than the seats already taken.")]},
        )
    return audit.save_fields(
        ticket_type,
        values,
        allowed=TICKET_TYPE_FIELDS,
        action="ticket_type.create" if created else "ticket_type.update",
        actor=actor,
        summit=summit,
        object_type="ticket_type",
        ident=lambda t: t.code,
        label=lambda t: t.name_en,
        created=created,
    )


def on_sale(ticket_type: TicketType, *, at: datetime, access_code: str = "") -> bool:
    if not ticket_type.is_active:
        return False
    if ticket_type.access_code and access_code.strip().upper() != ticket_type.access_code.upper():
        return False
    opens, closes = ticket_type.sales_opens_at, ticket_type.sales_closes_at
    return (opens is None or opens <= at) and (closes is None or at < closes)


# --- the one transition function ----------------------------------------------------


def change_state(booking: Booking, new_state: BookingState, *, at: datetime) -> Booking:
    old = BookingState(booking.state)
    if new_state not in TRANSITIONS[old]:
        raise Conflict("bad_transition", _("This registration cannot change that way."))
    booking.state = new_state.value
    if new_state is B.CONFIRMED:
        booking.confirmed_at = at
        booking.offer_expires_at = None
    elif new_state is B.WAITLISTED:
        booking.waitlisted_at = booking.waitlisted_at or at
        booking.offer_expires_at = None
    elif new_state is B.CANCELLED:
        booking.cancelled_at = at
    return booking


# --- registering -------------------------------------------------------------------


def _clean_person(
    summit: Summit, person: dict, *, at: datetime, access_code: str, staff: bool = False
) -> dict:
    """Validate one person; ``staff`` may choose any ticket type, on sale or not."""
    errors: dict[str, list[str]] = {}
    name = (person.get("name") or "").strip()
    if not name:
        errors["name"] = [_("Please enter a name.")]
    email = normalise_email(person.get("email") or "") or None
    role = person.get("role_type") or None
    if role is not None and role not in {r.value for r in PresenterRole}:
        errors["role_type"] = [_("Choose one of the options.")]
    county = person.get("county") or None
    if county is not None and county not in CALIFORNIA_COUNTIES:
        errors["county"] = [_("Choose a California county.")]
    language = person.get("preferred_language") or "en"
    if language not in LANGUAGE_LABELS:
        errors["preferred_language"] = [_("Choose one of the options.")]
    age_band = person.get("age_band") or AgeBand.ADULT.value
    if age_band not in {a.value for a in AgeBand}:
        errors["age_band"] = [_("Choose one of the options.")]
    elif AgeBand(age_band).is_minor and not (
        (person.get("guardian_name") or "").strip() and person.get("guardian_email")
    ):
        errors["guardian_email"] = [_("A parent or guardian's name and email are needed.")]
    ticket_type = person.get("ticket_type")
    if ticket_type is None or ticket_type.summit_id != summit.id:
        errors["ticket_type"] = [_("Choose a ticket type.")]
    elif not staff and not on_sale(ticket_type, at=at, access_code=access_code):
        errors["ticket_type"] = [_("This ticket type is not on sale.")]
    if errors:
        raise DomainError(
            "invalid_person", _("Please check the highlighted fields."), fields=errors
        )
    accommodations = [a for a in person.get("accommodations") or [] if a in ACCOMMODATION_LABELS]
    return {
        "name": name[:120],
        "email": email,
        "organisation": (person.get("organisation") or "").strip()[:200],
        "role_type": role,
        "county": county,
        "preferred_language": language,
        "age_band": age_band,
        "guardian_name": (person.get("guardian_name") or "").strip()[:120] or None,
        "guardian_email": normalise_email(person.get("guardian_email") or "") or None,
        "accommodations": accommodations,
        "wants_interpretation": bool(person.get("wants_interpretation")),
        "dietary_needs": (person.get("dietary_needs") or "").strip()[:500],
        "media_consent": bool(person.get("media_consent")),
        "ticket_type_id": ticket_type.id,
    }


def register(
    summit: Summit,
    *,
    contact_name: str,
    contact_email: str,
    people: list[dict],
    locale: str = "en",
    access_code: str = "",
    at: datetime | None = None,
) -> tuple[Booking, str]:
    """Create a pending booking for one person or a household; returns the confirm secret."""
    at = at or now()
    if not people:
        raise DomainError("nobody", _("Add at least one person."))
    if not summit.registration_opens_at or not (
        summit.registration_opens_at <= at
        and (summit.registration_closes_at is None or at < summit.registration_closes_at)
    ):
        raise DomainError("registration_closed", _("Registration is not open."))
    cleaned = []
    for index, person in enumerate(people):
        try:
            cleaned.append(_clean_person(summit, person, at=at, access_code=access_code))
        except DomainError as error:  # say which person: fields become "<index>.<field>"
            raise DomainError(
                error.code,
                error.message,
                fields={f"{index}.{key}": value for key, value in error.fields.items()},
            )
    emails = [p["email"] for p in cleaned if p["email"]]
    if len(emails) != len(set(emails)):
        raise DomainError("duplicate_email", _("Each person needs a different email, or none."))
    if emails:
        _drop_lapsed_pending(summit, emails, at=at)
        taken = db.session.scalars(
            select(Attendee.email).where(
                Attendee.summit_id == summit.id, Attendee.email.in_(emails)
            )
        ).all()
        if taken:
            index = next(i for i, p in enumerate(cleaned) if p["email"] == taken[0])
            raise Conflict(
                "already_registered",
                _(
                    "%(email)s is already registered. We can send the tickets again.",
                    email=taken[0],
                ),
                fields={f"{index}.email": [_("Already registered.")]},
            )
    booking = Booking(
        summit_id=summit.id,
        code=random_code(8),
        contact_name=contact_name.strip()[:120],
        contact_email=normalise_email(contact_email),
        locale=locale,
        created_at=at,
    )
    for person in cleaned:
        booking.attendees.append(Attendee(summit_id=summit.id, code=random_code(8), **person))
    db.session.add(booking)
    secret = issue_confirm_link(booking, at=at)
    db.session.flush()
    return booking, secret


def _drop_lapsed_pending(summit: Summit, emails: list[str], *, at: datetime) -> None:
    """A registration never confirmed before its link lapsed does not block a new one."""
    stale = db.session.scalars(
        select(Booking).where(
            Booking.summit_id == summit.id,
            Booking.state == B.PENDING_EMAIL.value,
            Booking.confirm_expires_at <= at,
            Booking.id.in_(select(Attendee.booking_id).where(Attendee.email.in_(emails))),
        )
    ).all()
    for booking in stale:
        db.session.delete(booking)
    if stale:
        db.session.flush()


def purge_unconfirmed(summit_id: int, *, at: datetime | None = None) -> int:
    """Delete registrations whose confirmation link lapsed: their data is kept no longer."""
    at = at or now()
    stale = db.session.scalars(
        select(Booking).where(
            Booking.summit_id == summit_id,
            Booking.state == B.PENDING_EMAIL.value,
            Booking.confirm_expires_at <= at,
        )
    ).all()
    for booking in stale:
        db.session.delete(booking)
    db.session.flush()
    return len(stale)


def issue_confirm_link(booking: Booking, *, at: datetime | None = None) -> str:
    secret = new_secret()
    booking.confirm_token_hash = _link_hash("confirm", secret)
    booking.confirm_expires_at = (at or now()) + timedelta(hours=CONFIRM_HOURS)
    return secret


def take_seats(booking: Booking) -> bool:
    """All seats the booking's active people need, or none: atomic conditional UPDATEs."""
    need = Counter(a.ticket_type_id for a in booking.active_attendees)
    try:
        with db.session.begin_nested():
            for type_id, count in sorted(need.items()):  # a fixed order avoids deadlocks
                _take_one(type_id, count)
    except _NoRoom:
        return False
    return True


class _NoRoom(Exception):
    pass


def _take_one(type_id: int, count: int = 1) -> None:
    """``count`` seats of one ticket type, or ``_NoRoom``: one atomic conditional UPDATE."""
    result = db.session.execute(
        update(TicketType)
        .where(TicketType.id == type_id, TicketType.taken + count <= TicketType.capacity)
        .values(taken=TicketType.taken + count)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise _NoRoom


def release_seats(booking: Booking, attendees: list[Attendee]) -> None:
    for type_id, count in Counter(a.ticket_type_id for a in attendees).items():
        db.session.execute(
            update(TicketType)
            .where(TicketType.id == type_id)
            .values(taken=TicketType.taken - count)
            .execution_options(synchronize_session=False)
        )


def confirm_booking(secret: str, *, at: datetime | None = None) -> Booking:
    """The email link: a seat for everyone in the household, or the waitlist together.

    When any of the household's ticket types needs staff approval, the whole
    household waits for it; seats are taken when staff approve.
    """
    at = at or now()
    booking = _by_link("confirm", Booking.confirm_token_hash, secret)
    if booking is None or booking.state != B.PENDING_EMAIL:
        raise _link_invalid()
    if booking.confirm_expires_at is not None and booking.confirm_expires_at <= at:
        raise DomainError(
            "link_expired",
            _("This link has expired. Register again, or ask for a new link."),
            status=410,
        )
    booking.confirm_token_hash = None
    booking.confirm_expires_at = None
    if any(a.ticket_type.requires_approval for a in booking.active_attendees):
        change_state(booking, B.PENDING_APPROVAL, at=at)
    else:
        _seat_or_wait(booking, at=at)
    db.session.flush()
    return booking


def find_pending(secret: str) -> Booking | None:
    """The registration a confirmation link belongs to, while it can still be confirmed."""
    booking = _by_link("confirm", Booking.confirm_token_hash, secret)
    return booking if booking is not None and booking.state == B.PENDING_EMAIL else None


def _seat_or_wait(booking: Booking, *, at: datetime) -> None:
    change_state(booking, B.CONFIRMED if take_seats(booking) else B.WAITLISTED, at=at)


def cancel_attendee(attendee: Attendee, *, at: datetime | None = None) -> list[Booking]:
    """Cancel one ticket; the freed seat goes to the waitlist. Returns households offered."""
    at = at or now()
    if attendee.cancelled_at is not None:
        return []
    booking = attendee.booking
    if booking.state in (B.CONFIRMED, B.OFFERED):
        release_seats(booking, [attendee])
    attendee.cancelled_at = at
    if not booking.active_attendees:
        change_state(booking, B.CANCELLED, at=at)
    db.session.flush()
    return promote_waitlist(booking.summit_id, at=at)


def promote_waitlist(summit_id: int, *, at: datetime | None = None) -> list[Booking]:
    """Offer freed seats to waitlisted households in order, each all-or-nothing."""
    at = at or now()
    offered = []
    queue = db.session.scalars(
        select(Booking)
        .where(Booking.summit_id == summit_id, Booking.state == B.WAITLISTED.value)
        .order_by(Booking.waitlisted_at, Booking.id)
    ).all()
    for booking in queue:
        if take_seats(booking):
            change_state(booking, B.OFFERED, at=at)
            booking.offer_expires_at = at + timedelta(hours=OFFER_HOURS)
            offered.append(booking)
    db.session.flush()
    return offered


def issue_offer_link(booking: Booking) -> str:
    """The claim link of an offer; it lasts as long as the offer (``offer_expires_at``)."""
    secret = new_secret()
    booking.confirm_token_hash = _link_hash("offer", secret)
    return secret


def claim_offer(secret: str, *, at: datetime | None = None) -> Booking:
    at = at or now()
    booking = _by_link("offer", Booking.confirm_token_hash, secret)
    if booking is None:
        raise _link_invalid()
    if booking.state != B.OFFERED or booking.offer_expires_at <= at:
        raise Conflict(
            "offer_gone",
            _("This offer has expired; the place went to the next person on the waiting list."),
        )
    change_state(booking, B.CONFIRMED, at=at)
    booking.confirm_token_hash = None
    return booking


def lapsed_offers(summit_id: int, *, at: datetime) -> list[Booking]:
    return list(
        db.session.scalars(
            select(Booking).where(
                Booking.summit_id == summit_id,
                Booking.state == B.OFFERED.value,
                Booking.offer_expires_at <= at,
            )
        )
    )


def expire_offers(summit_id: int, *, at: datetime | None = None) -> list[Booking]:
    """Unclaimed offers lapse: their seats pass on to the next households in line."""
    at = at or now()
    lapsed = lapsed_offers(summit_id, at=at)
    for booking in lapsed:
        release_seats(booking, booking.active_attendees)
        change_state(booking, B.CANCELLED, at=at)
        booking.confirm_token_hash = None
    db.session.flush()
    return promote_waitlist(summit_id, at=at) if lapsed else []


def issue_manage_link(booking: Booking, *, at: datetime | None = None) -> str:
    """A new self-service link (tickets, needs, cancel); the previous one stops working.

    It lasts until ``MANAGE_DAYS_AFTER`` days after the summit (and at least a week).
    """
    at = at or now()
    secret = new_secret()
    summit = db.session.get(Summit, booking.summit_id)
    after_summit = datetime.combine(
        summit.ends_on + timedelta(days=MANAGE_DAYS_AFTER), time(), tzinfo=UTC
    )
    booking.manage_token_hash = _link_hash("manage", secret)
    booking.manage_expires_at = max(after_summit, at + timedelta(days=7))
    return secret


def find_by_manage_link(
    summit: Summit, secret: str, *, at: datetime | None = None
) -> Booking | None:
    at = at or now()
    booking = _by_link("manage", Booking.manage_token_hash, secret)
    if booking is None or booking.summit_id != summit.id:
        return None
    if booking.manage_expires_at is not None and booking.manage_expires_at <= at:
        return None
    return booking


def resend_links(summit: Summit, email: str, *, at: datetime | None = None) -> list[tuple]:
    """ "Send my link again": fresh links for every registration this email belongs to.

    Returns ``(booking, kind, secret)`` with kind ``confirm`` (not yet confirmed)
    or ``manage`` (the tickets page). The caller emails them to the contact; the
    answer on screen is the same whether or not anything was found.
    """
    at = at or now()
    email = normalise_email(email or "")
    if not email:
        return []
    bookings = db.session.scalars(
        select(Booking)
        .where(
            Booking.summit_id == summit.id,
            Booking.state != B.CANCELLED.value,
            (Booking.contact_email == email)
            | Booking.id.in_(select(Attendee.booking_id).where(Attendee.email == email)),
        )
        .order_by(Booking.id)
    ).all()
    links = []
    for booking in bookings:
        if booking.state == B.PENDING_EMAIL:
            if booking.confirm_expires_at is not None and booking.confirm_expires_at <= at:
                continue  # lapsed: registering again is the way
            links.append((booking, "confirm", issue_confirm_link(booking, at=at)))
        else:
            links.append((booking, "manage", issue_manage_link(booking, at=at)))
    db.session.flush()
    return links


def update_needs(attendee: Attendee, values: dict, *, actor=None, summit=None) -> Attendee:
    """Self-service (or staff) change of a person's accommodations, diet and consent."""
    clean = {
        "accommodations": [
            a for a in values.get("accommodations") or [] if a in ACCOMMODATION_LABELS
        ],
        "wants_interpretation": bool(values.get("wants_interpretation")),
        "dietary_needs": (values.get("dietary_needs") or "").strip()[:500],
        "media_consent": bool(values.get("media_consent")),
    }
    return audit.save_fields(
        attendee,
        clean,
        allowed=NEEDS_FIELDS,
        action="attendee.needs",
        actor=actor,
        summit=summit or db.session.get(Summit, attendee.summit_id),
        object_type="attendee",
        ident=lambda a: a.code,
        label=lambda a: a.name,
        created=False,
    )


def on_sale_types(summit: Summit, *, at: datetime | None = None, access_code: str = ""):
    at = at or now()
    types = db.session.scalars(
        select(TicketType)
        .where(TicketType.summit_id == summit.id)
        .order_by(TicketType.position, TicketType.id)
    )
    return [t for t in types if on_sale(t, at=at, access_code=access_code)]


# --- staff actions ------------------------------------------------------------------


def _audit_booking(action: str, booking: Booking, *, actor, summit, **after) -> None:
    audit.record(
        action,
        actor=actor,
        summit=summit,
        object_type="booking",
        object_id=booking.code,
        label=booking.contact_name,
        after={"state": booking.state, **after},
    )


def approve(booking: Booking, *, actor, summit: Summit, at: datetime | None = None) -> Booking:
    """Staff approve a registration that needs it: seats for all, or the waitlist together."""
    at = at or now()
    if booking.state != B.PENDING_APPROVAL:
        raise Conflict("not_pending_approval", _("This registration is not waiting for approval."))
    _seat_or_wait(booking, at=at)
    db.session.flush()
    _audit_booking("booking.approve", booking, actor=actor, summit=summit)
    return booking


def decline(booking: Booking, *, actor, summit: Summit, at: datetime | None = None) -> Booking:
    at = at or now()
    if booking.state != B.PENDING_APPROVAL:
        raise Conflict("not_pending_approval", _("This registration is not waiting for approval."))
    for attendee in booking.active_attendees:
        attendee.cancelled_at = at
    change_state(booking, B.CANCELLED, at=at)
    db.session.flush()
    _audit_booking("booking.decline", booking, actor=actor, summit=summit)
    return booking


def staff_cancel(
    attendee: Attendee, *, actor, summit: Summit, at: datetime | None = None
) -> list[Booking]:
    offered = cancel_attendee(attendee, at=at)
    audit.record(
        "attendee.cancel",
        actor=actor,
        summit=summit,
        object_type="attendee",
        object_id=attendee.code,
        label=attendee.name,
    )
    return offered


def reissue_ticket(attendee: Attendee, *, actor, summit: Summit) -> Attendee:
    """A new QR for a lost or shared ticket: the version goes up and the old QR is revoked."""
    if attendee.cancelled_at is not None:
        raise Conflict("ticket_cancelled", _("This ticket is cancelled."))
    before = attendee.ticket_version
    attendee.ticket_version = before + 1
    db.session.flush()
    audit.record(
        "attendee.reissue",
        actor=actor,
        summit=summit,
        object_type="attendee",
        object_id=attendee.code,
        label=attendee.name,
        before={"ticket_version": before},
        after={"ticket_version": attendee.ticket_version},
    )
    return attendee


def edit_attendee(
    attendee: Attendee, person: dict, *, actor, summit: Summit, at: datetime | None = None
) -> Attendee:
    """Staff correct a person's details; a new ticket type moves their seat atomically."""
    at = at or now()
    cleaned = _clean_person(summit, person, at=at, access_code="", staff=True)
    if cleaned["email"] and cleaned["email"] != attendee.email:
        clash = db.session.scalar(
            select(Attendee.id).where(
                Attendee.summit_id == summit.id,
                Attendee.email == cleaned["email"],
                Attendee.id != attendee.id,
            )
        )
        if clash:
            raise Conflict(
                "already_registered",
                _("Another registration uses this email."),
                fields={"email": [_("Already registered.")]},
            )
    new_type = cleaned.pop("ticket_type_id")
    booking = attendee.booking
    if new_type != attendee.ticket_type_id:
        holds_seat = attendee.cancelled_at is None and booking.state in (B.CONFIRMED, B.OFFERED)
        if holds_seat and not _move_seat(attendee.ticket_type_id, new_type):
            raise Conflict(
                "sold_out",
                _("That ticket type has no seats left. Raise its capacity first."),
                fields={"ticket_type": [_("No seats left.")]},
            )
        attendee.ticket_type_id = new_type
        db.session.flush()
        db.session.expire(attendee, ["ticket_type"])
    fields = tuple(f for f in PERSON_FIELDS if f in cleaned)
    before = audit.snapshot(attendee, fields)
    for key in fields:
        setattr(attendee, key, cleaned[key])
    db.session.flush()
    audit.record(
        "attendee.update",
        actor=actor,
        summit=summit,
        object_type="attendee",
        object_id=attendee.code,
        label=attendee.name,
        before=before,
        after=audit.snapshot(attendee, fields) | {"ticket_type": attendee.ticket_type.code},
    )
    return attendee


def _move_seat(from_type: int, to_type: int) -> bool:
    try:
        with db.session.begin_nested():
            _take_one(to_type)
            db.session.execute(
                update(TicketType)
                .where(TicketType.id == from_type)
                .values(taken=TicketType.taken - 1)
                .execution_options(synchronize_session=False)
            )
    except _NoRoom:
        return False
    return True


def comp_ticket(
    summit: Summit, person: dict, *, actor, locale: str = "en", at: datetime | None = None
) -> Booking:
    """A complimentary ticket added by staff: any ticket type, confirmed at once.

    It still needs a free seat — capacity is never exceeded; staff raise it first.
    """
    at = at or now()
    cleaned = _clean_person(summit, person, at=at, access_code="", staff=True)
    if cleaned["email"]:
        _drop_lapsed_pending(summit, [cleaned["email"]], at=at)
        if db.session.scalar(
            select(Attendee.id).where(
                Attendee.summit_id == summit.id, Attendee.email == cleaned["email"]
            )
        ):
            raise Conflict(
                "already_registered",
                _("This person is already registered."),
                fields={"email": [_("Already registered.")]},
            )
    contact = cleaned["email"] or cleaned["guardian_email"]
    if not contact:
        raise DomainError(
            "no_contact",
            _("Enter the person's email (or a guardian's) so the ticket can be sent."),
            fields={"email": [_("Needed to send the ticket.")]},
        )
    booking = Booking(
        summit_id=summit.id,
        code=random_code(8),
        contact_name=cleaned["guardian_name"] or cleaned["name"],
        contact_email=contact,
        locale=locale,
        created_at=at,
        is_comp=True,
    )
    booking.attendees.append(Attendee(summit_id=summit.id, code=random_code(8), **cleaned))
    db.session.add(booking)
    db.session.flush()
    if not take_seats(booking):
        raise Conflict(
            "sold_out",
            _("That ticket type has no seats left. Raise its capacity first."),
            fields={"ticket_type": [_("No seats left.")]},
        )
    change_state(booking, B.CONFIRMED, at=at)
    db.session.flush()
    _audit_booking("booking.comp", booking, actor=actor, summit=summit, name=cleaned["name"])
    return booking


def record_resend(booking: Booking, *, actor, summit: Summit) -> None:
    _audit_booking("booking.resend", booking, actor=actor, summit=summit)
