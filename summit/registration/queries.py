"""Read-side of registration for staff: filtered lists, the needs summary, export rows."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from summit.accounts.enums import CALIFORNIA_COUNTIES, PRESENTER_ROLE_LABELS, AgeBand
from summit.core.db import like_pattern
from summit.extensions import db
from summit.registration.enums import BOOKING_STATE_LABELS, NEED_LABELS, BookingState
from summit.registration.models import Attendee, Booking, TicketType
from summit.summits.models import Summit
from summit.summits.queries import counties_in_region, regions_by_county

MINOR_BANDS = [a.value for a in AgeBand if a.is_minor]


@dataclass
class RegistrationFilters:
    q: str = ""
    state: str = ""
    ticket_type: str = ""
    county: str = ""
    region: str = ""
    role_type: str = ""
    need: str = ""
    minors: bool = False
    page: int = 1
    per_page: int = 50

    @classmethod
    def from_args(cls, args) -> RegistrationFilters:
        """Unknown values are ignored, never an error: a filter link can't break the page."""

        def pick(name, allowed, size=80):
            value = (args.get(name) or "")[:size]
            return value if allowed is None or value in allowed else ""

        return cls(
            q=pick("q", None, 100).strip(),
            state=pick("state", {s.value for s in BookingState}),
            ticket_type=pick("ticket_type", None, 40),
            county=pick("county", CALIFORNIA_COUNTIES),
            region=pick("region", None),
            role_type=pick("role_type", PRESENTER_ROLE_LABELS),
            need=pick("need", NEED_LABELS),
            minors=args.get("minors") == "1",
            page=max(args.get("page", 1, type=int) or 1, 1),
        )

    def as_args(self) -> dict:
        args = {
            "q": self.q,
            "state": self.state,
            "ticket_type": self.ticket_type,
            "county": self.county,
            "region": self.region,
            "role_type": self.role_type,
            "need": self.need,
            "minors": "1" if self.minors else "",
        }
        return {k: v for k, v in args.items() if v}


def _need_clause(need: str):
    if need == "interpretation":
        return Attendee.wants_interpretation.is_(True)
    if need == "dietary":
        return Attendee.dietary_needs != ""
    # JSON list of codes: a text match on the quoted code works on SQLite and PostgreSQL.
    from sqlalchemy import String, cast

    return cast(Attendee.accommodations, String).like(f'%"{need}"%')


def filtered_attendees_query(summit: Summit, filters: RegistrationFilters) -> Select:
    """One row per person (ticket), with their household's booking."""
    query = (
        select(Attendee)
        .join(Booking, Attendee.booking_id == Booking.id)
        .where(Attendee.summit_id == summit.id)
    )
    if filters.state:
        query = query.where(Booking.state == filters.state)
    if filters.ticket_type:
        query = query.where(
            Attendee.ticket_type_id.in_(
                select(TicketType.id).where(
                    TicketType.summit_id == summit.id, TicketType.code == filters.ticket_type
                )
            )
        )
    if filters.county:
        query = query.where(Attendee.county == filters.county)
    if filters.region:
        query = query.where(Attendee.county.in_(counties_in_region(summit, filters.region)))
    if filters.role_type:
        query = query.where(Attendee.role_type == filters.role_type)
    if filters.need:
        query = query.where(Attendee.cancelled_at.is_(None), _need_clause(filters.need))
    if filters.minors:
        query = query.where(Attendee.age_band.in_(MINOR_BANDS))
    term = filters.q.lower()
    if term:
        like = like_pattern(term)
        query = query.where(
            or_(
                func.lower(Attendee.name).like(like, escape="\\"),
                func.lower(Attendee.email).like(like, escape="\\"),
                func.lower(Attendee.organisation).like(like, escape="\\"),
                func.lower(Attendee.code).like(like, escape="\\"),
                func.lower(Booking.code).like(like, escape="\\"),
                func.lower(Booking.contact_email).like(like, escape="\\"),
                func.lower(Booking.contact_name).like(like, escape="\\"),
            )
        )
    return query


def ordered_attendees_query(summit: Summit, filters: RegistrationFilters) -> Select:
    """The filtered list in its order (newest household first), for paging."""
    return (
        filtered_attendees_query(summit, filters)
        .options(selectinload(Attendee.booking), selectinload(Attendee.ticket_type))
        .order_by(Booking.created_at.desc(), Booking.id.desc(), Attendee.id)
    )


def list_attendees(summit: Summit, filters: RegistrationFilters) -> tuple[list[Attendee], int]:
    query = filtered_attendees_query(summit, filters)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(
        ordered_attendees_query(summit, filters)
        .offset((filters.page - 1) * filters.per_page)
        .limit(filters.per_page)
    ).all()
    return list(rows), total


def all_filtered_attendees(summit: Summit, filters: RegistrationFilters) -> list[Attendee]:
    query = filtered_attendees_query(summit, filters).options(
        selectinload(Attendee.booking), selectinload(Attendee.ticket_type)
    )
    return list(db.session.scalars(query.order_by(Booking.id, Attendee.id)))


def count_by_state(summit: Summit) -> dict[str, int]:
    """People (not households) in each registration state."""
    rows = db.session.execute(
        select(Booking.state, func.count(Attendee.id))
        .join(Attendee, Attendee.booking_id == Booking.id)
        .where(Booking.summit_id == summit.id, Attendee.cancelled_at.is_(None))
        .group_by(Booking.state)
    ).all()
    return {state: n for state, n in rows if state in BOOKING_STATE_LABELS}


def get_booking(summit: Summit, code: str) -> Booking | None:
    return db.session.scalar(
        select(Booking)
        .where(Booking.summit_id == summit.id, Booking.code == (code or "")[:12])
        .options(selectinload(Booking.attendees).selectinload(Attendee.ticket_type))
    )


def get_attendee(summit: Summit, code: str) -> Attendee | None:
    return db.session.scalar(
        select(Attendee)
        .where(Attendee.summit_id == summit.id, Attendee.code == (code or "").upper()[:12])
        .options(selectinload(Attendee.booking), selectinload(Attendee.ticket_type))
    )


def list_ticket_types(summit: Summit) -> list[TicketType]:
    return list(
        db.session.scalars(
            select(TicketType)
            .where(TicketType.summit_id == summit.id)
            .order_by(TicketType.position, TicketType.id)
        )
    )


def summit_days(summit: Summit) -> list[date]:
    days, day = [], summit.starts_on
    while day <= summit.ends_on and len(days) < 31:
        days.append(day)
        day += timedelta(days=1)
    return days


@dataclass
class NeedsSummary:
    days: list[date]
    # need code -> {day: count}, plus "total" (people, whichever days they come)
    confirmed: dict[str, Counter]
    waiting: dict[str, Counter]  # waitlisted, offered or awaiting approval: may still come
    people: Counter  # everyone confirmed, by day and "total"


def needs_summary(summit: Summit) -> NeedsSummary:
    """Counts of each accommodation, interpretation and diet, by summit day, for staffing."""
    days = summit_days(summit)
    rows = db.session.execute(
        select(Attendee, Booking.state, TicketType.days)
        .join(Booking, Attendee.booking_id == Booking.id)
        .join(TicketType, Attendee.ticket_type_id == TicketType.id)
        .where(
            Attendee.summit_id == summit.id,
            Attendee.cancelled_at.is_(None),
            Booking.state.in_(
                [
                    BookingState.CONFIRMED.value,
                    BookingState.WAITLISTED.value,
                    BookingState.OFFERED.value,
                    BookingState.PENDING_APPROVAL.value,
                ]
            ),
        )
    ).all()
    confirmed = {need: Counter() for need in NEED_LABELS}
    waiting = {need: Counter() for need in NEED_LABELS}
    people = Counter()
    for attendee, state, ticket_days in rows:
        on = [d for d in days if not ticket_days or d.isoformat() in ticket_days]
        keys = [*on, "total"]
        if state == BookingState.CONFIRMED:
            people.update(keys)
        target = confirmed if state == BookingState.CONFIRMED else waiting
        for need in attendee.needs:
            if need in target:
                target[need].update(keys)
    return NeedsSummary(days=days, confirmed=confirmed, waiting=waiting, people=people)


EXPORT_COLUMNS = (
    "booking", "ticket_code", "state", "comp", "ticket_type", "name", "email", "organisation",
    "role_type", "county", "region", "preferred_language", "age_band", "guardian_name",
    "guardian_email", "accommodations", "interpretation", "dietary_needs", "media_consent",
    "contact_name", "contact_email", "registered_at", "confirmed_at", "cancelled_at",
)  # fmt: skip


def export_rows(summit: Summit, attendees: list[Attendee]) -> list[list]:
    regions = regions_by_county(summit)
    rows = []
    for a in attendees:
        b = a.booking
        rows.append(
            [
                b.code,
                a.code,
                "cancelled" if a.cancelled_at else b.state,
                "yes" if b.is_comp else "no",
                a.ticket_type.code,
                a.name,
                a.email or "",
                a.organisation,
                a.role_type or "",
                a.county or "",
                regions.get(a.county or "", ""),
                a.preferred_language,
                a.age_band or "",
                a.guardian_name or "",
                a.guardian_email or "",
                " ".join(a.accommodations or []),
                "yes" if a.wants_interpretation else "no",
                a.dietary_needs,
                "yes" if a.media_consent else "no",
                b.contact_name,
                b.contact_email,
                b.created_at.isoformat(),
                b.confirmed_at.isoformat() if b.confirmed_at else "",
                (a.cancelled_at or b.cancelled_at).isoformat()
                if (a.cancelled_at or b.cancelled_at)
                else "",
            ]
        )
    return rows


def history(summit: Summit, booking: Booking) -> list:
    """Audit entries about this household and its people, newest first."""
    from summit.core.audit import AuditEntry

    codes = [booking.code, *(a.code for a in booking.attendees)]
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.summit_id == summit.id,
                AuditEntry.object_type.in_(["booking", "attendee"]),
                AuditEntry.object_id.in_(codes),
            )
            .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        )
    )
