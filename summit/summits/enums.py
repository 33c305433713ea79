from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Role(StrEnum):
    STAFF = "staff"
    REVIEWER = "reviewer"
    DOOR = "door"


ROLE_LABELS = {
    Role.STAFF: _l("Staff"),
    Role.REVIEWER: _l("Reviewer"),
    Role.DOOR: _l("Door check-in"),
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
