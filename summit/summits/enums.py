from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Role(StrEnum):
    STAFF = "staff"
    REVIEWER = "reviewer"
    DOOR = "door"
    REGION_LEAD = "region_lead"  # read-only reports for one R-TAC region


# Who may check people in (site admins too, see ``policies.can_check_in``).
CHECK_IN_ROLES = frozenset({Role.STAFF, Role.DOOR})


ROLE_LABELS = {
    Role.STAFF: _l("Staff"),
    Role.REVIEWER: _l("Reviewer"),
    Role.DOOR: _l("Door check-in"),
    Role.REGION_LEAD: _l("Region lead (reports)"),
}


class TrackKind(StrEnum):
    PILLAR = "pillar"
    COMMITMENT = "commitment"
    STRATEGY = "strategy"
    TOPIC = "topic"


TRACK_KIND_LABELS = {
    TrackKind.PILLAR: _l("Pillar"),
    TrackKind.COMMITMENT: _l("Cornerstone commitment"),
    TrackKind.STRATEGY: _l("Capacity building strategy"),
    TrackKind.TOPIC: _l("Summit topic"),
}
