from enum import StrEnum

from flask_babel import lazy_gettext as _l


class ProposalState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"
    UNDER_REVIEW = "under_review"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WAITLISTED = "waitlisted"
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    CANCELLED = "cancelled"


S = ProposalState

# The one map of allowed transitions; `services.change_state` is the only writer.
TRANSITIONS: dict[ProposalState, frozenset[ProposalState]] = {
    S.DRAFT: frozenset({S.SUBMITTED}),
    S.SUBMITTED: frozenset({S.WITHDRAWN, S.UNDER_REVIEW, S.DRAFT}),
    S.WITHDRAWN: frozenset({S.DRAFT}),
    S.UNDER_REVIEW: frozenset({S.ACCEPTED, S.REJECTED, S.WAITLISTED, S.WITHDRAWN}),
    S.WAITLISTED: frozenset({S.ACCEPTED, S.REJECTED, S.WITHDRAWN}),
    S.REJECTED: frozenset({S.UNDER_REVIEW}),
    S.ACCEPTED: frozenset({S.CONFIRMED, S.DECLINED, S.CANCELLED, S.WITHDRAWN}),
    S.CONFIRMED: frozenset({S.CANCELLED, S.WITHDRAWN}),
    S.DECLINED: frozenset(),
    S.CANCELLED: frozenset(),
}

# What the presenting team may do themselves; everything else is staff's.
PRESENTER_TRANSITIONS: frozenset[tuple[ProposalState, ProposalState]] = frozenset(
    {
        (S.DRAFT, S.SUBMITTED),
        (S.SUBMITTED, S.WITHDRAWN),
        (S.UNDER_REVIEW, S.WITHDRAWN),
        (S.WAITLISTED, S.WITHDRAWN),
        (S.ACCEPTED, S.CONFIRMED),
        (S.ACCEPTED, S.DECLINED),
        (S.CONFIRMED, S.WITHDRAWN),
        (S.WITHDRAWN, S.DRAFT),
        (S.SUBMITTED, S.DRAFT),
    }
)

EDITABLE_STATES = frozenset({S.DRAFT, S.SUBMITTED})

STATE_LABELS = {
    S.DRAFT: _l("Draft"),
    S.SUBMITTED: _l("Submitted"),
    S.WITHDRAWN: _l("Withdrawn"),
    S.UNDER_REVIEW: _l("Under review"),
    S.ACCEPTED: _l("Accepted"),
    S.REJECTED: _l("Not accepted"),
    S.WAITLISTED: _l("Waiting list"),
    S.CONFIRMED: _l("Confirmed"),
    S.DECLINED: _l("Declined by presenters"),
    S.CANCELLED: _l("Cancelled"),
}

NEXT_STEPS = {
    S.DRAFT: _l("Only you can see this draft. Submit it before the call closes."),
    S.SUBMITTED: _l("We have your proposal. You can still edit it until the call closes. "
                    "Reviewers read it after that."),
    S.WITHDRAWN: _l("You withdrew this proposal. You can reopen it as a draft while the call "
                    "is open."),
    S.UNDER_REVIEW: _l("Reviewers are reading your proposal. We will email you the decision."),
    S.ACCEPTED: _l("Congratulations! Please confirm that you will present."),
    S.REJECTED: _l("This proposal was not accepted this year. Thank you for sharing your work."),
    S.WAITLISTED: _l("Your proposal is on the waiting list. We will email you if a place opens."),
    S.CONFIRMED: _l("You are confirmed. Your time and room will appear here when the "
                    "program is published."),
    S.DECLINED: _l("You told us you cannot present. Thank you for letting us know."),
    S.CANCELLED: _l("This session was cancelled by the summit team."),
}  # fmt: skip


# The proposal history's actions, for people.
HISTORY_LABELS = {
    "created": _l("Proposal started"),
    "edited": _l("Proposal edited"),
    "state": _l("Status changed"),
    "invited": _l("Co-presenter invited"),
    "invite_resent": _l("Invitation sent again"),
    "invite_accepted": _l("Invitation accepted"),
    "invite_declined": _l("Invitation declined"),
    "presenter_added": _l("Presenter added"),
    "presenter_removed": _l("Presenter removed"),
    "guardian_set": _l("Guardian contact saved"),
    "consent_granted": _l("Guardian gave consent"),
    "consent_refused": _l("Guardian refused consent"),
    "marked_duplicate": _l("Marked as duplicate"),
    "merged_from": _l("Presenters merged from a duplicate"),
}


class SessionLanguage(StrEnum):
    ENGLISH = "en"
    SPANISH = "es"
    BILINGUAL = "bilingual"


SESSION_LANGUAGE_LABELS = {
    SessionLanguage.ENGLISH: _l("English"),
    SessionLanguage.SPANISH: _l("Spanish"),
    SessionLanguage.BILINGUAL: _l("Bilingual (English and Spanish)"),
}

GRADE_BAND_LABELS = {
    "early": _l("Early childhood and TK–2"),
    "elementary": _l("Grades 3–5"),
    "middle": _l("Grades 6–8"),
    "high": _l("Grades 9–12"),
    "adult": _l("Adult and family learning"),
    "all": _l("All grades"),
}

AV_NEEDS_LABELS = {
    "projector": _l("Projector and screen"),
    "microphone": _l("Microphone"),
    "speakers": _l("Sound for video"),
    "internet": _l("Internet access"),
    "interpretation": _l("Spanish–English interpretation"),
}

ROOM_SETUP_LABELS = {
    "any": _l("No preference"),
    "theatre": _l("Rows facing the front"),
    "rounds": _l("Round tables for small groups"),
    "circle": _l("Chairs in a circle"),
    "open": _l("Open space to move around"),
}


class InviteStatus(StrEnum):
    NONE = "none"  # the lead, or a presenter added without an email
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


INVITE_STATUS_LABELS = {
    InviteStatus.NONE: _l("Added by the lead"),
    InviteStatus.PENDING: _l("Invitation sent"),
    InviteStatus.ACCEPTED: _l("Accepted"),
    InviteStatus.DECLINED: _l("Declined"),
}


class ConsentStatus(StrEnum):
    NOT_NEEDED = "not_needed"
    NEEDED = "needed"  # a minor without a guardian contact yet
    REQUESTED = "requested"
    GRANTED = "granted"
    REFUSED = "refused"


CONSENT_STATUS_LABELS = {
    ConsentStatus.NOT_NEEDED: _l("Not needed"),
    ConsentStatus.NEEDED: _l("Guardian contact needed"),
    ConsentStatus.REQUESTED: _l("Waiting for the guardian"),
    ConsentStatus.GRANTED: _l("Consent given"),
    ConsentStatus.REFUSED: _l("Consent refused"),
}


class QuestionKind(StrEnum):
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    SINGLE_CHOICE = "single_choice"
    MULTI_CHOICE = "multi_choice"
    YES_NO = "yes_no"


QUESTION_KIND_LABELS = {
    QuestionKind.SHORT_TEXT: _l("Short text"),
    QuestionKind.LONG_TEXT: _l("Long text"),
    QuestionKind.SINGLE_CHOICE: _l("Choose one"),
    QuestionKind.MULTI_CHOICE: _l("Choose any"),
    QuestionKind.YES_NO: _l("Yes or no"),
}

CHOICE_KINDS = frozenset({QuestionKind.SINGLE_CHOICE, QuestionKind.MULTI_CHOICE})

# Default formats seeded for a new call: (code, English, Spanish, minutes)
DEFAULT_FORMATS = (
    ("workshop-60", "Workshop (60 minutes)", "Taller (60 minutos)", 60),
    ("workshop-90", "Workshop (90 minutes)", "Taller (90 minutos)", 90),
    ("panel", "Panel", "Panel", 60),
    ("roundtable", "Roundtable conversation", "Mesa redonda", 45),
    ("storytelling", "Storytelling", "Narración de experiencias", 30),
    ("poster", "Poster", "Póster", 60),
)
