"""Plain builders for scheduling tests: a summit with rooms, a time grid and accepted
sessions, made straight through the models and services (inside an app context)."""

from __future__ import annotations

from datetime import date, time

from summit.accounts.services import create_user
from summit.core.clock import now
from summit.core.tokens import random_code
from summit.extensions import db
from summit.proposals.models import Presenter, Proposal
from summit.proposals.queries import list_formats
from summit.proposals.services import ensure_call
from summit.scheduling import services
from summit.summits.queries import get_summit_by_slug
from summit.summits.services import create_summit

DAY_ONE, DAY_TWO = date(2027, 9, 23), date(2027, 9, 24)


def make_schedule_summit(slug="2027"):
    summit = get_summit_by_slug(slug) or create_summit(
        slug=slug,
        name="Community Schools Summit 2027",
        starts_on=DAY_ONE,
        ends_on=DAY_TWO,
        actor=None,
        make_current=True,
    )
    ensure_call(summit)
    db.session.flush()
    return summit


def add_room(summit, name, capacity=40, features=()):
    return services.save_room(
        summit, actor=None, name=name, capacity=capacity, features=list(features)
    )


def add_slot(summit, start, end, *, day=DAY_ONE, kind="session", label=""):
    h1, m1 = start
    h2, m2 = end
    return services.save_slot(
        summit, actor=None, day=day, start=time(h1, m1), end=time(h2, m2), kind=kind,
        label_en=label,
    )  # fmt: skip


_people = {"n": 0}


def person(name="Presenter"):
    _people["n"] += 1
    user = create_user(
        email=f"sched{_people['n']}-{random_code(4).lower()}@example.org",
        password="long enough pw",
        name=name,
    )
    db.session.flush()
    return user


def add_session(summit, title, *, owner=None, co=(), state="confirmed", fmt="workshop-60",
                track=None, language="en", av_needs=(), audience=10):  # fmt: skip
    owner = owner or person(f"Lead of {title}")
    formats = {f.code: f for f in list_formats(summit)}
    proposal = Proposal(
        code=random_code(5, "PRO"),
        summit_id=summit.id,
        owner_id=owner.id,
        state=state,
        title=title,
        abstract=f"About {title}.",
        format=formats[fmt],
        track=track or summit.tracks[0],
        language=language,
        av_needs=list(av_needs),
        submitted_at=None if state == "draft" else now(),
    )
    db.session.add(proposal)
    db.session.flush()
    for i, user in enumerate((owner, *co)):
        db.session.add(
            Presenter(
                public_id=random_code(8),
                proposal_id=proposal.id,
                user_id=user.id,
                is_lead=i == 0,
                name=user.name,
                email=user.email,
                invite_status="none" if i == 0 else "accepted",
            )
        )
    db.session.flush()
    db.session.refresh(proposal)
    if state in services.SCHEDULED_STATES and audience is not None:
        services.get_placement(summit, proposal.code).audience = audience
        db.session.flush()
    return proposal


def cell_of(summit, proposal):
    placement = services.get_placement(summit, proposal.code)
    return (placement.slot.code, placement.room.code) if placement.slot_id else None
