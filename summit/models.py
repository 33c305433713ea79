"""Every domain's models, imported in one place for Alembic and the shell."""

from summit.accounts.models import AccountToken, ApiToken, User
from summit.agenda.models import Agenda, Reservation, SeatPool, Star
from summit.checkin.models import Checkpoint, Scan
from summit.core.audit import AuditEntry
from summit.core.outbox import OutboxAttachment, OutboxMessage
from summit.proposals.models import (
    AccessCode,
    Answer,
    CallSettings,
    Presenter,
    Proposal,
    ProposalEvent,
    Question,
    SessionFormat,
)
from summit.registration.models import Attendee, Booking, SummitKey, TicketType
from summit.reports.certificate_models import Certificate
from summit.reviews.models import (
    Assignment,
    BlindText,
    Conflict,
    Criterion,
    PendingDecision,
    Review,
    ReviewerProfile,
    ReviewFlag,
    ReviewSettings,
    TrackCapacity,
)
from summit.scheduling.models import (
    Placement,
    ReleasedSession,
    Room,
    ScheduleSettings,
    ScheduleVersion,
    SolveRun,
    TimeSlot,
    Unavailability,
)
from summit.summits.models import CountyRegion, Summit, SummitRole, Track

__all__ = [
    "AccessCode",
    "AccountToken",
    "Agenda",
    "Answer",
    "ApiToken",
    "Assignment",
    "Attendee",
    "AuditEntry",
    "BlindText",
    "Booking",
    "CallSettings",
    "Certificate",
    "Checkpoint",
    "Conflict",
    "CountyRegion",
    "Criterion",
    "OutboxAttachment",
    "OutboxMessage",
    "PendingDecision",
    "Placement",
    "Presenter",
    "Proposal",
    "ProposalEvent",
    "Question",
    "ReleasedSession",
    "Reservation",
    "Review",
    "ReviewFlag",
    "ReviewSettings",
    "ReviewerProfile",
    "Room",
    "Scan",
    "ScheduleSettings",
    "ScheduleVersion",
    "SeatPool",
    "SessionFormat",
    "SolveRun",
    "Star",
    "Summit",
    "SummitKey",
    "SummitRole",
    "TicketType",
    "TimeSlot",
    "Track",
    "TrackCapacity",
    "Unavailability",
    "User",
]
