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
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update

from summit.accounts.enums import CALIFORNIA_COUNTIES, AgeBand, PresenterRole
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
OFFER_HOURS = 48
TICKET_TYPE_FIELDS = (
    "name_en", "name_es", "audience_en", "audience_es", "capacity", "sales_opens_at",
    "sales_closes_at", "requires_approval", "access_code", "position", "is_active",
)  # fmt: skip


# --- keys and ticket types -------------------------------------------------------------


def ensure_summit_key(summit: Summit) -> SummitKey:
    key = db.session.get(SummitKey, summit.id)
    if key is None:
        private = tickets.new_private_key()
        key = SummitKey(
            summit_id=summit.id, private_key=private, public_key=tickets.public_key_for(private)
        )
        db.session.add(key)
        db.session.flush()
    return key


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


def _clean_person(summit: Summit, person: dict, *, at: datetime, access_code: str) -> dict:
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
    elif not on_sale(ticket_type, at=at, access_code=access_code):
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
        "preferred_language": person.get("preferred_language") or "en",
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
    secret = new_secret()
    booking = Booking(
        summit_id=summit.id,
        code=random_code(8),
        contact_name=contact_name.strip()[:120],
        contact_email=normalise_email(contact_email),
        locale=locale,
        created_at=at,
        confirm_token_hash=hash_secret(secret),
    )
    for person in cleaned:
        booking.attendees.append(Attendee(summit_id=summit.id, code=random_code(8), **person))
    db.session.add(booking)
    db.session.flush()
    return booking, secret


def take_seats(booking: Booking) -> bool:
    """All seats the booking's active people need, or none: atomic conditional UPDATEs."""
    need = Counter(a.ticket_type_id for a in booking.active_attendees)
    try:
        with db.session.begin_nested():
            for type_id, count in sorted(need.items()):  # a fixed order avoids deadlocks
                result = db.session.execute(
                    update(TicketType)
                    .where(
                        TicketType.id == type_id, TicketType.taken + count <= TicketType.capacity
                    )
                    .values(taken=TicketType.taken + count)
                    .execution_options(synchronize_session=False)
                )
                if result.rowcount != 1:
                    raise _NoRoom
    except _NoRoom:
        return False
    return True


class _NoRoom(Exception):
    pass


def release_seats(booking: Booking, attendees: list[Attendee]) -> None:
    for type_id, count in Counter(a.ticket_type_id for a in attendees).items():
        db.session.execute(
            update(TicketType)
            .where(TicketType.id == type_id)
            .values(taken=TicketType.taken - count)
            .execution_options(synchronize_session=False)
        )


def confirm_booking(secret: str, *, at: datetime | None = None) -> Booking:
    """The email link: a seat for everyone in the household, or the waitlist together."""
    at = at or now()
    booking = db.session.scalar(
        select(Booking).where(Booking.confirm_token_hash == hash_secret(secret or ""))
    )
    if booking is None:
        raise DomainError("link_invalid", _("This link is not valid."), status=404)
    if booking.state != B.PENDING_EMAIL:
        return booking  # a second click changes nothing
    change_state(booking, B.CONFIRMED if take_seats(booking) else B.WAITLISTED, at=at)
    booking.confirm_token_hash = None
    db.session.flush()
    return booking


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
    secret = new_secret()
    booking.confirm_token_hash = hash_secret(secret)
    return secret


def claim_offer(secret: str, *, at: datetime | None = None) -> Booking:
    at = at or now()
    booking = db.session.scalar(
        select(Booking).where(Booking.confirm_token_hash == hash_secret(secret or ""))
    )
    if booking is None:
        raise DomainError("link_invalid", _("This link is not valid."), status=404)
    if booking.state != B.OFFERED or booking.offer_expires_at <= at:
        raise Conflict(
            "offer_gone",
            _("This offer has expired; the place went to the next person on the waiting list."),
        )
    change_state(booking, B.CONFIRMED, at=at)
    booking.confirm_token_hash = None
    return booking


def expire_offers(summit_id: int, *, at: datetime | None = None) -> list[Booking]:
    """Unclaimed offers lapse: their seats pass on to the next households in line."""
    at = at or now()
    lapsed = db.session.scalars(
        select(Booking).where(
            Booking.summit_id == summit_id,
            Booking.state == B.OFFERED.value,
            Booking.offer_expires_at <= at,
        )
    ).all()
    for booking in lapsed:
        release_seats(booking, booking.active_attendees)
        change_state(booking, B.CANCELLED, at=at)
        booking.confirm_token_hash = None
    db.session.flush()
    return promote_waitlist(summit_id, at=at) if lapsed else []


def issue_manage_link(booking: Booking) -> str:
    """A new self-service link (view tickets, cancel); the previous one stops working."""
    secret = new_secret()
    booking.manage_token_hash = hash_secret(secret)
    return secret


def find_by_manage_link(summit: Summit, secret: str) -> Booking | None:
    booking = db.session.scalar(
        select(Booking).where(Booking.manage_token_hash == hash_secret(secret or ""))
    )
    return booking if booking is not None and booking.summit_id == summit.id else None


def on_sale_types(summit: Summit, *, at: datetime | None = None, access_code: str = ""):
    at = at or now()
    types = db.session.scalars(
        select(TicketType)
        .where(TicketType.summit_id == summit.id)
        .order_by(TicketType.position, TicketType.id)
    )
    return [t for t in types if on_sale(t, at=at, access_code=access_code)]
