"""Every domain's models, imported in one place for Alembic and the shell."""

from summit.accounts.models import AccountToken, ApiToken, User
from summit.core.audit import AuditEntry
from summit.core.outbox import OutboxMessage
from summit.summits.models import Summit, SummitRole, Track

__all__ = [
    "AccountToken",
    "ApiToken",
    "AuditEntry",
    "OutboxMessage",
    "Summit",
    "SummitRole",
    "Track",
    "User",
]
