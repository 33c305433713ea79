from enum import StrEnum

from flask_babel import lazy_gettext as _l


class ConflictSource(StrEnum):
    DECLARED = "declared"  # the reviewer said so
    STAFF = "staff"
    ORGANISATION = "organisation"
    CO_PRESENTER = "co_presenter"
    EMAIL_DOMAIN = "email_domain"
    OWN = "own"  # the reviewer presents this proposal


CONFLICT_LABELS = {
    ConflictSource.DECLARED: _l("Declared by the reviewer"),
    ConflictSource.STAFF: _l("Entered by staff"),
    ConflictSource.ORGANISATION: _l("Same organization as a presenter"),
    ConflictSource.CO_PRESENTER: _l("Co-presents with someone on this proposal"),
    ConflictSource.EMAIL_DOMAIN: _l("Same email domain as a presenter"),
    ConflictSource.OWN: _l("Presenter of this proposal"),
}


class Decision(StrEnum):
    ACCEPT = "accepted"
    WAITLIST = "waitlisted"
    REJECT = "rejected"


DECISION_LABELS = {
    Decision.ACCEPT: _l("Accept"),
    Decision.WAITLIST: _l("Waiting list"),
    Decision.REJECT: _l("Do not accept"),
}

# Mail domains many unrelated people share: the same domain is no conflict.
PUBLIC_MAIL_DOMAINS = frozenset(
    {
        "gmail.com", "googlemail.com", "yahoo.com", "hotmail.com", "outlook.com", "live.com",
        "msn.com", "icloud.com", "me.com", "aol.com", "proton.me", "protonmail.com",
        "comcast.net", "att.net", "sbcglobal.net", "verizon.net", "ymail.com", "mail.com",
    }
)  # fmt: skip

# Seeded rubric: (code, English, Spanish, English guidance, Spanish guidance)
DEFAULT_CRITERIA = (
    ("alignment", "Alignment with the framework", "Alineación con el marco",
     "Does the session clearly connect to the pillars, commitments or capacity building "
     "strategies of the California Community Schools Framework?",
     "¿La sesión se relaciona claramente con los pilares, compromisos o estrategias del Marco "
     "de Escuelas Comunitarias de California?"),
    ("community-voice", "Community voice and shared power", "Voz de la comunidad y poder "
     "compartido",
     "Are students, families or community partners co-leading, not only attending?",
     "¿Estudiantes, familias o socios comunitarios dirigen la sesión junto con el personal?"),
    ("practical-value", "Practical value for the field", "Valor práctico",
     "Will participants leave with something they can use at their own site?",
     "¿Las personas participantes se llevarán algo que puedan usar en su escuela?"),
    ("equity", "Equity and inclusion", "Equidad e inclusión",
     "Does the session advance racially just, inclusive and accessible practice?",
     "¿La sesión promueve prácticas racialmente justas, inclusivas y accesibles?"),
    ("clarity", "Clarity", "Claridad",
     "Is the proposal clear about what will happen and what participants will learn?",
     "¿La propuesta explica con claridad qué pasará y qué aprenderán las personas?"),
)  # fmt: skip

DEFAULT_FLAGS = (
    ("first-time", "First-time presenter", "Primera vez que presenta"),
    ("student-led", "Student-led", "Dirigida por estudiantes"),
    ("family-led", "Family-led", "Dirigida por familias"),
)
