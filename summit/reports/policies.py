"""Who may see reports, and how much of them.

Staff and site admins see every row. A region lead sees only the rows of their region:
attendees whose county maps to it and proposals whose lead presenter's county maps to
it (*Staff → Regions*). Minors' names, emails and guardians, and anybody's
accommodation details, are for staff only; a region lead's raw exports leave them blank.
"""

from __future__ import annotations

from dataclasses import dataclass

from summit.summits.enums import Role
from summit.summits.policies import can_manage_summit
from summit.summits.queries import lead_region, roles_of


@dataclass(frozen=True)
class ReportScope:
    """What one viewer may see: every region (``region`` None) or one."""

    region: str | None
    is_staff: bool

    @property
    def sees_personal_data(self) -> bool:
        """Minors' personal data and accommodation details."""
        return self.is_staff


STAFF_SCOPE = ReportScope(region=None, is_staff=True)


def can_view_reports(user, summit) -> bool:
    """Staff, site admins and region leads (one statement: it runs for the menu)."""
    if getattr(user, "is_authenticated", False) and user.is_admin:
        return True
    return bool({Role.STAFF, Role.REGION_LEAD} & roles_of(user, summit))


def report_scope(user, summit) -> ReportScope | None:
    """The viewer's scope, or None when they may not see reports at all."""
    if can_manage_summit(user, summit):
        return STAFF_SCOPE
    region = lead_region(user, summit)
    if region is None:
        return None
    return ReportScope(region=region, is_staff=False)
