"""A small summit counted by hand for the report tests (see ``summit_data``'s docstring)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from summit.extensions import db
from tests.checkin.conftest import DAY_ONE, DAY_TWO, book, local, token_of
from tests.conftest import PASSWORD

SLUG = "2027"
REGIONS = {
    "Fresno": "Central Valley",
    "Kern": "Central Valley",
    "Los Angeles": "Greater LA",
    "Ventura": "Central Coast",
}


@dataclass
class Data:
    proposals: dict[str, str]  # P1… -> proposal code
    people: dict[str, str]  # name -> ticket code
    emails: dict[str, str]  # who -> login email: staff, lead (Central Valley), reviewer, door


@pytest.fixture
def summit_data(app) -> Data:
    """Summit 2027 (23–24 Sep 2027). Regions: Fresno and Kern → Central Valley,
    Los Angeles → Greater LA, Ventura → Central Coast.

    Proposals (state, main topic, format, lead role, language, owner's county):
      P1 accepted   pillar-family  workshop-60 student           es        Fresno
         — its lead presenter "Mia Minor" is 13–17
      P2 rejected   pillar-family  workshop-60 family            en        Fresno
         — title "=1+2 cmd" (a formula)
      P3 under_review topic-mental-health panel educator          en        Los Angeles
      P4 confirmed  pillar-family  workshop-60 community_partner bilingual Los Angeles
      P5 draft, P6 withdrawn (Fresno): never counted.
    Reviews: P1 has 1 reviewer who reviewed; P3 has 2 reviewers, 1 reviewed.

    Tickets: family (every day), youth (day two only). Confirmed people:
      Rosa Pérez   family   family role   Fresno       ASL
      Luis Pérez   youth    student       Fresno       13–17, guardian Rosa (same household)
      Ben Brooks   family   educator      Los Angeles  Spanish interpretation
      Ana Ortiz    family   educator      Ventura      dietary: "vegan"
    and Wanda Wait (family, Fresno) who never confirmed.
    Entrance check-ins: day one Rosa, Ben, and Ana (undone); day two Rosa and Luis.

    Released sessions: P1 day one 10:00 in Hall A (2 seats) with a scanner: Rosa and Ben
    checked in; P4 day two 10:00 in Room B (30 seats), no scanner.
    Stars: P1 by Rosa, Ben and Ana; P4 by Luis.

    Logins: staff, lead (region lead of Central Valley), reviewer, door.
    """
    from summit.accounts.models import User
    from summit.accounts.services import create_user
    from summit.agenda.models import Agenda, Star
    from summit.checkin import services as checkin
    from summit.checkin.models import Scan
    from summit.proposals.models import Proposal
    from summit.registration import services as registration
    from summit.registration.models import Attendee
    from summit.reviews.models import Assignment, Review
    from summit.summits.queries import get_summit_by_slug
    from summit.summits.services import grant_role, set_regions
    from tests.registration.conftest import make_registration_summit
    from tests.scheduling.conftest import ProgrammeBuilder

    with app.app_context():
        summit, family = make_registration_summit(capacity=20)
        youth = registration.save_ticket_type(
            summit, actor=None, code="youth", name_en="Youth", name_es="Juventud",
            capacity=10, days=[DAY_TWO.isoformat()],
        )  # fmt: skip
        set_regions(summit, REGIONS, actor=None)
        emails = {}
        for who, role, extra in (
            ("staff", "staff", {}),
            ("lead", "region_lead", {"region": "Central Valley"}),
            ("reviewer", "reviewer", {}),
            ("door", "door", {}),
        ):
            user = create_user(email=f"{who}@example.org", password=PASSWORD, name=who.title())
            grant_role(summit, user, role, actor=None, **extra)
            emails[who] = user.email
        owners = {}
        for county in ("Fresno", "Los Angeles"):
            user = create_user(
                email=f"owner-{county[:3].lower()}@example.org",
                password=PASSWORD,
                name=f"Owner {county}",
            )
            user.county = county
            owners[county] = user
        minor = {"age_band": "13_17", "guardian_name": "Rosa Pérez"}
        book(
            summit,
            family,
            {"name": "Rosa Pérez", "email": "rosa@example.org", "role_type": "family",
             "county": "Fresno", "accommodations": ["asl"]},
            {"name": "Luis Pérez", "email": "luis@example.org", "role_type": "student",
             "county": "Fresno", "ticket_type": youth, "guardian_email": "rosa@example.org",
             **minor},
            contact="rosa@example.org",
        )  # fmt: skip
        book(summit, family, {"name": "Ben Brooks", "email": "ben@example.org",
             "role_type": "educator", "county": "Los Angeles", "wants_interpretation": True},
             contact="ben@example.org")  # fmt: skip
        book(summit, family, {"name": "Ana Ortiz", "email": "ana@example.org",
             "role_type": "educator", "county": "Ventura", "dietary_needs": "vegan"},
             contact="ana@example.org")  # fmt: skip
        book(summit, family, {"name": "Wanda Wait", "email": "wanda@example.org",
             "role_type": "family", "county": "Fresno"}, contact="wanda@example.org",
             confirm=False)  # fmt: skip
        checkin.ensure_entrances(summit)
        db.session.commit()
        owner_ids = {county: user.id for county, user in owners.items()}

    build = ProgrammeBuilder(app)
    specs = {
        "P1": ("Young voices", "accepted", "pillar-family", "workshop-60", "student", "es",
               "Fresno", (("Mia Minor", {"age_band": "13_17", "email": "mia@example.org"}),)),
        "P2": ("=1+2 cmd", "rejected", "pillar-family", "workshop-60", "family", "en",
               "Fresno", (("Fay Family", {"email": "fay@example.org"}),)),
        "P3": ("Calm rooms", "under_review", "topic-mental-health", "panel", "educator", "en",
               "Los Angeles", (("Ed Educator", {}),)),
        "P4": ("Partners at the table", "confirmed", "pillar-family", "workshop-60",
               "community_partner", "bilingual", "Los Angeles", (("Pat Partner", {}),)),
        "P5": ("A draft", "draft", "pillar-family", "workshop-60", "family", "en", "Fresno",
               (("Dee Draft", {}),)),
        "P6": ("Taken back", "withdrawn", "pillar-family", "workshop-60", "family", "en",
               "Fresno", (("Wil Withdrawn", {}),)),
    }  # fmt: skip
    codes = {
        key: build.proposal(title, track=track, format=fmt, lead_role=role, language=language,
                            presenters=presenters)
        for key, (title, state, track, fmt, role, language, _county, presenters) in specs.items()
    }  # fmt: skip
    hall = build.room("Hall A", capacity=2, position=0)
    room_b = build.room("Room B", capacity=30, position=1)
    morning_one = build.slot(DAY_ONE, "10:00", "11:00")
    morning_two = build.slot(DAY_TWO, "10:00", "11:00")
    build.release({codes["P1"]: (morning_one, hall), codes["P4"]: (morning_two, room_b)})

    with app.app_context():
        summit = get_summit_by_slug(SLUG)
        proposals = {
            key: db.session.scalar(db.select(Proposal).where(Proposal.code == code))
            for key, code in codes.items()
        }
        for key, (_title, state, *_rest, county, _presenters) in specs.items():
            proposals[key].owner_id = owner_ids[county]
            proposals[key].state = state
        reviewers = [
            create_user(email=f"rev{i}@example.org", password=PASSWORD, name=f"Reviewer {i}")
            for i in range(2)
        ]
        db.session.flush()
        for proposal, reviewer, reviewed in (
            (proposals["P1"], reviewers[0], True),
            (proposals["P3"], reviewers[0], True),
            (proposals["P3"], reviewers[1], False),
        ):
            db.session.add(
                Assignment(summit_id=summit.id, proposal_id=proposal.id, reviewer_id=reviewer.id)
            )
            if reviewed:
                db.session.add(
                    Review(summit_id=summit.id, proposal_id=proposal.id, reviewer_id=reviewer.id,
                           scores={}, submitted_at=datetime(2027, 3, 1, tzinfo=UTC))
                )  # fmt: skip

        people = {a.name: a for a in db.session.scalars(db.select(Attendee))}
        first, second = checkin.ensure_entrances(summit)
        hall_door = checkin.ensure_session_checkpoint(summit, proposals["P1"], capacity=None)
        dora = db.session.scalar(db.select(User).where(User.email == "door@example.org"))

        def admit(name, checkpoint, day, hhmm):
            return checkin.record_scan(
                summit,
                token=token_of(summit, people[name]),
                checkpoint=checkpoint,
                scan_id=secrets.token_hex(6),
                actor=dora,
                scanned_at=local(day, hhmm),
                at=local(day, hhmm),
                device="North door",
            )

        admit("Rosa Pérez", first, DAY_ONE, "09:05")
        admit("Ben Brooks", first, DAY_ONE, "09:10")
        ana = admit("Ana Ortiz", first, DAY_ONE, "09:20")
        checkin.undo(summit, db.session.get(Scan, ana.scan.id), actor=dora,
                     at=local(DAY_ONE, "09:25"))  # fmt: skip
        admit("Rosa Pérez", second, DAY_TWO, "08:50")
        admit("Luis Pérez", second, DAY_TWO, "08:55")
        admit("Rosa Pérez", hall_door, DAY_ONE, "10:02")
        admit("Ben Brooks", hall_door, DAY_ONE, "10:03")

        for name, keys in (
            ("Rosa Pérez", ["P1"]),
            ("Ben Brooks", ["P1"]),
            ("Ana Ortiz", ["P1"]),
            ("Luis Pérez", ["P4"]),
        ):
            agenda = Agenda(
                public_id=secrets.token_urlsafe(12), summit_id=summit.id,
                attendee_id=people[name].id,
            )  # fmt: skip
            db.session.add(agenda)
            db.session.flush()
            for key in keys:
                db.session.add(
                    Star(agenda_id=agenda.id, proposal_id=proposals[key].id, summit_id=summit.id)
                )
        tickets = {name: a.code for name, a in people.items()}
        db.session.commit()
    return Data(proposals=codes, people=tickets, emails=emails)


@pytest.fixture
def login(auth):
    def factory(who: str):
        response = auth.login(f"{who}@example.org")
        assert response.status_code == 302, response.data[:300]

    return factory
