"""Every domain's models, imported in one place for Alembic and the shell."""

from summit.accounts.models import AccountToken, ApiToken, User
from summit.core.audit import AuditEntry
from summit.core.outbox import OutboxMessage
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
from summit.summits.models import Summit, SummitRole, Track

__all__ = [
    "AccessCode",
    "AccountToken",
    "Answer",
    "ApiToken",
    "AuditEntry",
    "CallSettings",
    "OutboxMessage",
    "Presenter",
    "Proposal",
    "ProposalEvent",
    "Question",
    "SessionFormat",
    "Summit",
    "SummitRole",
    "Track",
    "User",
]
