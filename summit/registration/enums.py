from enum import StrEnum

from flask_babel import lazy_gettext as _l


class BookingState(StrEnum):
    PENDING_EMAIL = "pending_email"
    PENDING_APPROVAL = "pending_approval"  # a ticket type that staff approve one by one
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    OFFERED = "offered"  # seats held for a waitlisted household until the offer expires
    CANCELLED = "cancelled"


B = BookingState

# The one map of allowed transitions; `services.change_state` is the only writer.
TRANSITIONS: dict[BookingState, frozenset[BookingState]] = {
    B.PENDING_EMAIL: frozenset({B.CONFIRMED, B.WAITLISTED, B.PENDING_APPROVAL, B.CANCELLED}),
    B.PENDING_APPROVAL: frozenset({B.CONFIRMED, B.WAITLISTED, B.CANCELLED}),
    B.WAITLISTED: frozenset({B.OFFERED, B.CONFIRMED, B.CANCELLED}),
    B.OFFERED: frozenset({B.CONFIRMED, B.WAITLISTED, B.CANCELLED}),
    B.CONFIRMED: frozenset({B.CANCELLED}),
    B.CANCELLED: frozenset(),
}

BOOKING_STATE_LABELS = {
    B.PENDING_EMAIL: _l("Waiting for email confirmation"),
    B.PENDING_APPROVAL: _l("Waiting for staff approval"),
    B.CONFIRMED: _l("Confirmed"),
    B.WAITLISTED: _l("On the waiting list"),
    B.OFFERED: _l("A place is offered"),
    B.CANCELLED: _l("Cancelled"),
}

ACCOMMODATION_LABELS = {
    "wheelchair": _l("Wheelchair access"),
    "asl": _l("ASL interpreter"),
    "captions": _l("Live captions"),
    "large_print": _l("Large print"),
    "quiet_space": _l("Quiet space"),
    "other": _l("Other"),
}

# Needs counted for staffing on the accommodations summary, in this order.
NEED_LABELS = {
    **ACCOMMODATION_LABELS,
    "interpretation": _l("Spanish interpretation"),
    "dietary": _l("Dietary needs"),
}
