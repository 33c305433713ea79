"""About 600 demo registrations: every ticket type, county and need, households, a waitlist."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import func, select

from summit.accounts.enums import CALIFORNIA_COUNTIES
from summit.extensions import db
from summit.registration import services
from summit.registration.enums import ACCOMMODATION_LABELS
from summit.registration.models import Attendee, TicketType
from summit.summits.models import Summit

TARGET = 600
FIRST = ("Ana", "Luis", "Keisha", "Tran", "María", "David", "Imani", "José", "Priya",
         "Sam", "Rosa", "Daniel", "Mei", "Jamal", "Lucía", "Ethan", "Noah", "Aaliyah",
         "Carlos")  # fmt: skip
LAST = ("García", "Johnson", "Nguyen", "Martínez", "Smith", "Hernández", "Lee", "López",
        "Williams", "Pérez", "Chen", "Robinson", "Ramírez", "Patel", "Flores")  # fmt: skip
ROLE_BY_TYPE = {
    "educator": "educator",
    "administrator": "administrator",
    "student": "student",
    "family": "family",
    "partner": "community_partner",
    "presenter": "educator",
    "volunteer": "other",
}


def seed_registrations(summit: Summit, *, target: int = TARGET) -> int:
    existing = db.session.scalar(
        select(func.count()).select_from(Attendee).where(Attendee.summit_id == summit.id)
    )
    if existing or summit.registration_opens_at is None:
        return 0
    rng = random.Random(600)
    types = {
        t.code: t
        for t in db.session.scalars(select(TicketType).where(TicketType.summit_id == summit.id))
    }
    # Volunteers are deliberately over-subscribed so the demo has a waiting list.
    plan = ["educator"] * 180 + ["administrator"] * 50 + ["student"] * 50 + ["family"] * 50
    plan += ["partner"] * 40 + ["volunteer"] * 230 + ["presenter"] * 12
    rng.shuffle(plan)
    at = summit.registration_opens_at + timedelta(hours=1)
    made, index = 0, 0
    while index < len(plan) and made < target:
        code = plan[index]
        size = rng.choice([2, 3]) if code == "family" else 1
        people = []
        for member in range(size):
            minor = code == "student" or (code == "family" and member > 0)
            people.append(
                {
                    "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                    "email": None if minor else f"attendee{index:03d}-{member}@demo.summit.example",
                    "ticket_type": types["student" if code == "family" and member else code],
                    "role_type": ROLE_BY_TYPE[code]
                    if not (code == "family" and member)
                    else "student",
                    "county": rng.choice(CALIFORNIA_COUNTIES),
                    "preferred_language": "es" if rng.random() < 0.35 else "en",
                    "age_band": "13_17" if minor else "adult",
                    "guardian_name": "Guardian" if minor else None,
                    "guardian_email": f"guardian{index:03d}@demo.summit.example" if minor else None,
                    "accommodations": rng.sample(list(ACCOMMODATION_LABELS), k=1)
                    if rng.random() < 0.12
                    else [],
                    "wants_interpretation": rng.random() < 0.2,
                    "dietary_needs": rng.choice(["", "", "", "vegetarian", "halal", "no nuts"]),
                    "media_consent": rng.random() < 0.8,
                }
            )
        _booking, secret = services.register(
            summit,
            contact_name=people[0]["name"],
            contact_email=f"contact{index:03d}@demo.summit.example",
            people=people,
            locale=people[0]["preferred_language"],
            at=at + timedelta(minutes=index),
        )
        if rng.random() < 0.95:  # a few never click the confirmation link
            booking = services.confirm_booking(secret, at=at + timedelta(minutes=index, seconds=30))
            if booking.state == "pending_approval" and rng.random() < 0.5:
                services.approve(booking, actor=None, summit=summit, at=at + timedelta(days=1))
        made += size
        index += 1
    db.session.flush()
    return made
