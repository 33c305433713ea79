"""The demo's programme: 15 rooms, a two-day grid, about 100 confirmed sessions, a
released version 1 built by the solver and a newer draft with a few changes."""

from __future__ import annotations

import random
from datetime import time, timedelta

from sqlalchemy import func, select

from summit.core.clock import now
from summit.core.tokens import random_code
from summit.demo.proposals import (
    ABSTRACT_EN,
    ABSTRACT_ES,
    EN_TOPICS,
    ES_TOPICS,
    OUTCOMES_EN,
    OUTCOMES_ES,
    _person,
)
from summit.extensions import db
from summit.proposals.models import Presenter, Proposal
from summit.proposals.queries import list_formats
from summit.scheduling import jobs, queries, services
from summit.scheduling.models import Room, ScheduleVersion
from summit.summits.models import Summit

ROOMS = (
    # name, building, floor, seats, features
    ("Ballroom A", "East building", "1", 600,
     ["step_free", "hearing_loop", "captioning", "projector", "microphone", "speakers",
      "internet", "interpretation"]),
    ("Ballroom B", "East building", "1", 220,
     ["step_free", "hearing_loop", "captioning", "projector", "microphone", "speakers",
      "interpretation"]),
    ("Ballroom C", "East building", "1", 180,
     ["step_free", "hearing_loop", "projector", "microphone", "speakers", "internet"]),
    ("Room 201", "East building", "2", 150,
     ["step_free", "captioning", "projector", "microphone", "interpretation"]),
    ("Room 202", "East building", "2", 100, ["step_free", "projector", "microphone", "internet"]),
    ("Room 203", "East building", "2", 100, ["step_free", "projector", "interpretation"]),
    ("Room 204", "East building", "2", 80, ["step_free", "projector", "hearing_loop"]),
    ("Room 205", "East building", "2", 80, ["step_free", "projector", "internet"]),
    ("Room 206", "East building", "2", 60, ["step_free", "projector", "microphone"]),
    ("Room 301", "West building", "3", 60, ["step_free", "projector", "interpretation"]),
    ("Room 302", "West building", "3", 45, ["step_free", "projector", "internet"]),
    ("Room 303", "West building", "3", 45, ["step_free", "projector"]),
    ("Room 304", "West building", "3", 40, ["step_free", "projector", "microphone"]),
    ("Room 305", "West building", "3", 35, ["step_free", "quiet_room", "projector"]),
    ("Garden room", "West building", "1", 30, ["step_free", "quiet_room"]),
)  # fmt: skip

GRID = (
    # start, end, kind, English label, Spanish label
    ((8, 0), (9, 0), "break", "Check-in and breakfast", "Registro y desayuno"),
    ((9, 0), (10, 0), "plenary", "Opening plenary", "Sesión plenaria de apertura"),
    ((10, 15), (11, 45), "session", "", ""),
    ((11, 45), (12, 45), "break", "Lunch", "Almuerzo"),
    ((12, 45), (13, 45), "session", "", ""),
    ((14, 0), (15, 30), "session", "", ""),
    ((15, 45), (16, 45), "session", "", ""),
)
SESSIONS = 100
KEYNOTES = (
    ("Community schools at the center: a statewide conversation",
     "Escuelas comunitarias en el centro: una conversación estatal"),
    ("Students lead: what we learned this year", "Los estudiantes lideran: lo que aprendimos"),
)  # fmt: skip


def seed_schedule(summit: Summit) -> int:
    """Rooms, grid, sessions, version 1 and a changed draft; nothing when rooms exist."""
    if db.session.scalar(select(func.count(Room.id)).where(Room.summit_id == summit.id)):
        return 0
    rng = random.Random(923)
    for position, (name, building, floor, seats, features) in enumerate(ROOMS):
        services.save_room(
            summit, actor=None, name=name, building=building, floor=floor, capacity=seats,
            features=features, position=position,
        )  # fmt: skip
    plenaries = []
    for offset in range(summit.days):
        day = summit.starts_on + timedelta(days=offset)
        for start, end, kind, label_en, label_es in GRID:
            slot = services.save_slot(
                summit, actor=None, day=day, start=time(*start), end=time(*end), kind=kind,
                label_en=label_en, label_es=label_es,
            )  # fmt: skip
            if kind == "plenary":
                plenaries.append(slot)
    formats = [f for f in list_formats(summit, active_only=True) if f.duration_minutes <= 90]
    tracks = [t for t in summit.tracks if t.is_active]
    proposals = []
    for index in range(SESSIONS + len(KEYNOTES)):
        keynote = index >= SESSIONS
        user = _person(rng, 100 + index % 80, summit)
        spanish = user.preferred_language == "es" and not keynote
        if keynote:
            title = KEYNOTES[index - SESSIONS][0]
        else:
            topic = rng.choice(ES_TOPICS if spanish else EN_TOPICS)
            title = f"{topic} — {rng.choice(('Fresno', 'Oakland', 'Salinas', 'Ventura', 'Chico', 'Riverside', 'Stockton', 'Eureka'))}"  # noqa: E501
        what = title[0].lower() + title[1:]
        proposal = Proposal(
            code=random_code(5, "PRO"),
            summit_id=summit.id,
            owner_id=user.id,
            state="confirmed",
            title=title,
            abstract=(ABSTRACT_ES if spanish else ABSTRACT_EN).format(what=what),
            outcomes=OUTCOMES_ES if spanish else OUTCOMES_EN,
            format=formats[0] if keynote else formats[index % len(formats)],
            track=tracks[index % len(tracks)],
            language="es" if spanish else ("bilingual" if index % 6 == 0 else "en"),
            lead_role=user.presenter_role,
            audience_roles=["educator", "family"],
            grade_bands=["all"],
            av_needs=rng.sample(["projector", "microphone", "interpretation"], k=1),
            submitted_at=now(),
        )
        db.session.add(proposal)
        db.session.flush()
        team = [user] + (
            [_person(rng, 100 + (index * 13 + 5) % 80, summit)] if index % 4 == 0 else []
        )
        for position, member in enumerate(dict.fromkeys(team)):
            db.session.add(
                Presenter(
                    public_id=random_code(8),
                    proposal_id=proposal.id,
                    user_id=member.id,
                    is_lead=position == 0,
                    name=member.name,
                    email=member.email,
                    role_type=member.presenter_role,
                    age_band=member.age_band,
                    invite_status="none" if position == 0 else "accepted",
                )
            )
        proposals.append(proposal)
    db.session.flush()
    placements = {p.proposal.code: p for p in services.list_placements(summit)}
    ballroom = db.session.scalar(
        select(Room).where(Room.summit_id == summit.id, Room.name == "Ballroom A")
    )
    for proposal, slot in zip(proposals[SESSIONS:], plenaries, strict=True):
        placement = placements[proposal.code]
        placement.slot_id, placement.room_id, placement.is_locked = slot.id, ballroom.id, True
        placement.audience = 600
    db.session.flush()
    # Student presenters are in class on the first morning.
    first_morning = [
        s for s in queries.list_slots(summit) if s.day == summit.starts_on and s.kind != "break"
    ][:2]
    for proposal in proposals[:SESSIONS]:
        for presenter in proposal.presenters:
            if presenter.age_band == "13_17":
                services.set_unavailability(presenter, [s.code for s in first_morning], actor=None)
    settings = services.get_settings(summit)
    settings.time_limit = 8
    run = services.start_run(summit, actor=None, keep_draft=False)
    jobs.run_now(run.id)  # commits the run's result
    services.apply_run(summit, run, actor=None)
    services.release(
        summit,
        actor=None,
        note_en="First version of the program.",
        note_es="Primera versión del programa.",
        notify=False,
    )
    version = db.session.scalar(
        select(ScheduleVersion).where(ScheduleVersion.summit_id == summit.id)
    )
    version.released_at = now() - timedelta(days=7)
    # The newer draft: staff swapped a few sessions since the release.
    placed = sorted(
        (p for p in services.list_placements(summit) if p.slot_id and not p.is_locked),
        key=lambda p: p.proposal.code,
    )
    for a, b in zip(placed[:3], placed[-3:], strict=True):
        services.move_session(
            summit, a, slot=b.slot, room=b.room, revision=a.revision, actor=None,
            accept_warnings=True,
        )  # fmt: skip
    return len(proposals)
