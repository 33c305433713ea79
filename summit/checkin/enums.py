from enum import StrEnum

from flask_babel import lazy_gettext as _l


class ScanResult(StrEnum):
    CHECKED_IN = "checked_in"
    ALREADY_CHECKED_IN = "already_checked_in"
    CANCELLED = "cancelled"
    REVOKED = "revoked"
    NOT_CONFIRMED = "not_confirmed"
    WRONG_SUMMIT = "wrong_summit"
    INVALID = "invalid"
    ANNULLED = "annulled"  # an undo: annuls an earlier check-in


R = ScanResult

# green / amber / red on the scanner
RESULT_COLOURS = {
    R.CHECKED_IN: "green",
    R.ALREADY_CHECKED_IN: "amber",
    R.CANCELLED: "red",
    R.REVOKED: "red",
    R.NOT_CONFIRMED: "red",
    R.WRONG_SUMMIT: "red",
    R.INVALID: "red",
    R.ANNULLED: "amber",
}

RESULT_LABELS = {
    R.CHECKED_IN: _l("Checked in"),
    R.ALREADY_CHECKED_IN: _l("Already checked in"),
    R.CANCELLED: _l("Ticket cancelled"),
    R.REVOKED: _l("Old ticket: it was reissued"),
    R.NOT_CONFIRMED: _l("Not confirmed yet"),
    R.WRONG_SUMMIT: _l("Ticket for another summit"),
    R.INVALID: _l("Not a valid ticket"),
    R.ANNULLED: _l("Check-in undone"),
}

# What door staff should do next, per result.
RESULT_ADVICE = {
    R.CHECKED_IN: _l("Welcome them in."),
    R.ALREADY_CHECKED_IN: _l("Ask whether someone else used this ticket; check their name."),
    R.CANCELLED: _l("Send them to the registration desk: this ticket was cancelled."),
    R.REVOKED: _l("Ask for the newest ticket in their email, or look them up by name."),
    R.NOT_CONFIRMED: _l("Send them to the registration desk: they are waitlisted or unconfirmed."),
    R.WRONG_SUMMIT: _l("This ticket is for another summit. Look them up by name."),
    R.INVALID: _l("This is not one of our tickets. Look them up by name or send them to the desk."),
    R.ANNULLED: _l("The last check-in was undone."),
}


class CheckpointKind(StrEnum):
    ENTRANCE = "entrance"
    SESSION = "session"


CHECKPOINT_KIND_LABELS = {
    CheckpointKind.ENTRANCE: _l("Entrance"),
    CheckpointKind.SESSION: _l("Session room"),
}

# Flags door staff must act on, in the order shown.
FLAG_LABELS = {
    "asl": _l("ASL interpreter"),
    "captions": _l("Live captions"),
    "wheelchair": _l("Wheelchair access"),
    "minor": _l("Under 18: with a guardian"),
    "no_photo": _l("No photos"),
}
