"""About 120 demo proposals across every track, format, role type and both languages."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import func, select

from summit.accounts.enums import CALIFORNIA_COUNTIES, PresenterRole
from summit.accounts.queries import get_user_by_email
from summit.accounts.services import create_user
from summit.extensions import db
from summit.proposals import services
from summit.proposals.enums import ProposalState
from summit.proposals.models import Proposal
from summit.proposals.queries import list_formats
from summit.summits.models import Summit

TARGET = 120

FIRST = ("Ana", "Luis", "Keisha", "Tran", "María", "David", "Imani", "José", "Priya",
         "Sam",
         "Rosa", "Daniel", "Mei", "Jamal", "Lucía", "Ethan", "Guadalupe", "Noah", "Aaliyah",
         "Carlos", "Hannah", "Marcus", "Yesenia", "Omar")  # fmt: skip
LAST = ("García", "Johnson", "Nguyen", "Martínez", "Smith", "Hernández", "Lee", "López",
        "Williams", "Pérez", "Chen", "Robinson", "Ramírez", "Patel", "Flores",
        "Jackson")  # fmt: skip

EN_TOPICS = (
    "Family nights that families actually attend",
    "Student-led restorative circles",
    "Building a coordination of services team",
    "Mapping community assets with students",
    "After-school programs that extend the school day with purpose",
    "Shared leadership: site councils with parents at the table",
    "Mental health first steps in the classroom",
    "Partnering with the county health clinic on campus",
    "Teacher inquiry groups on community-based learning",
    "Belonging walks: what students notice about our school",
    "Culturally sustaining lessons co-designed with families",
    "Sustaining a community school when the grant ends",
    "Youth participatory action research in middle school",
    "Welcoming newcomer families in two languages",
    "Data that families can read: sharing results together",
)
ES_TOPICS = (
    "Noches familiares a las que las familias sí asisten",
    "Círculos restaurativos dirigidos por estudiantes",
    "Aprendizaje con la comunidad: el huerto escolar",
    "Padres y madres en el consejo escolar",
    "Salud mental: primeros pasos en el aula",
    "Bienvenida a familias recién llegadas",
)
ABSTRACT_EN = (
    "In this session we share how our school {what}. We will show what worked, what did "
    "not, and the tools we use. Participants will practise one activity together and leave "
    "with a plan they can adapt.\n\n- a short story from our campus\n- a hands-on activity\n"
    "- time for questions"
)
ABSTRACT_ES = (
    "En esta sesión compartimos cómo nuestra escuela {what}. Mostraremos lo que funcionó y lo "
    "que no, y las herramientas que usamos. Practicaremos una actividad juntos."
)
OUTCOMES_EN = "Participants will leave with one practice to try, a planning template and contacts."
OUTCOMES_ES = "Las personas participantes se llevarán una práctica, una plantilla y contactos."

DRAFT_SHARE = 0.15


def _person(rng: random.Random, index: int, summit: Summit):
    email = f"presenter{index:03d}@demo.summit.example"
    user = get_user_by_email(email)
    if user is None:
        user = create_user(
            email=email,
            password=f"demo-presenter-{index:03d}-not-used",
            name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        )
        user.presenter_role = rng.choice(list(PresenterRole)).value
        user.county = rng.choice(CALIFORNIA_COUNTIES)
        user.preferred_language = "es" if index % 3 == 0 else "en"
        user.age_band = "13_17" if user.presenter_role == PresenterRole.STUDENT else "adult"
    return user


def seed_proposals(summit: Summit, *, target: int = TARGET) -> int:
    existing = db.session.scalar(
        select(func.count()).select_from(Proposal).where(Proposal.summit_id == summit.id)
    )
    if existing >= target:
        return 0
    services.ensure_call(summit)
    rng = random.Random(2027)
    formats = list_formats(summit, active_only=True)
    tracks = [t for t in summit.tracks if t.is_active]
    opened = summit.cfp_opens_at
    created = 0
    for index in range(existing, target):
        user = _person(rng, index % 70, summit)
        spanish = user.preferred_language == "es"
        topic = rng.choice(ES_TOPICS if spanish else EN_TOPICS)
        what = topic[0].lower() + topic[1:]
        track = tracks[index % len(tracks)]
        data = {
            "title": topic if index < len(EN_TOPICS) else f"{topic} ({index + 1})",
            "abstract": (ABSTRACT_ES if spanish else ABSTRACT_EN).format(what=what),
            "outcomes": OUTCOMES_ES if spanish else OUTCOMES_EN,
            "format": formats[index % len(formats)],
            "track": track,
            "secondary_tracks": rng.sample([t for t in tracks if t != track], k=rng.randint(0, 2)),
            "language": "es" if spanish else rng.choice(["en", "en", "bilingual"]),
            "lead_role": user.presenter_role,
            "audience_roles": rng.sample([r.value for r in PresenterRole], k=2),
            "grade_bands": rng.sample(["early", "elementary", "middle", "high", "all"], k=2),
            "av_needs": rng.sample(["projector", "microphone", "internet", "interpretation"], k=2),
            "room_setup": rng.choice(["any", "rounds", "circle", "theatre"]),
        }
        at = opened + timedelta(hours=3 * index) if opened else None
        proposal = services.create_proposal(summit, actor=user, data=data, at=at)
        if index % 9 == 4:  # a student presenter reached through a guardian
            presenter = services.add_presenter_without_email(
                proposal,
                actor=user,
                name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                role_type=PresenterRole.STUDENT.value,
                age_band="13_17",
                guardian_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                guardian_email=f"guardian{index:03d}@demo.summit.example",
            )
        if rng.random() >= DRAFT_SHARE:
            services.change_state(
                proposal, ProposalState.SUBMITTED, actor=user, as_staff=False, at=at
            )
            for presenter in services.consent_requests_due(proposal):
                services.issue_consent_request(presenter, at=at)
                if index % 2 == 0:
                    services.record_consent(
                        presenter,
                        granted=True,
                        media_release=True,
                        signed_name=presenter.guardian_name,
                        at=at,
                    )
        created += 1
    db.session.flush()
    return created
