"""A released programme built straight through the models: rooms, a time grid,
accepted proposals with their presenters, and versions of the schedule.

Every helper opens its own app context and returns plain values (codes, numbers)."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from summit.extensions import db

SLUG = "2027"
TZ = ZoneInfo("America/Los_Angeles")
DAY_ONE, DAY_TWO = date(2027, 9, 23), date(2027, 9, 24)


def local(day: date, hhmm: str) -> datetime:
    """A summit-local wall time as an aware UTC datetime."""
    hours, minutes = (int(part) for part in hhmm.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=TZ).astimezone(UTC)


class ProgrammeBuilder:
    def __init__(self, app, slug: str = SLUG):
        self.app = app
        self.slug = slug
        self._owner_id: int | None = None
        self._slots: dict[str, tuple] = {}

    def _summit(self):
        from summit.summits.queries import get_summit_by_slug

        return get_summit_by_slug(self.slug)

    def _owner(self) -> int:
        from summit.accounts.services import create_user

        if self._owner_id is None:
            user = create_user(
                email=f"owner-{secrets.token_hex(3)}@example.org",
                password="long enough pw",
                name="Owner Person",
            )
            db.session.flush()
            self._owner_id = user.id
        return self._owner_id

    def user(self, name: str = "Shared Person") -> int:
        from summit.accounts.services import create_user

        with self.app.app_context():
            user = create_user(
                email=f"user-{secrets.token_hex(3)}@example.org",
                password="long enough pw",
                name=name,
            )
            db.session.commit()
            return user.id

    def room(self, name: str, **values) -> str:
        from summit.scheduling.models import Room

        with self.app.app_context():
            summit = self._summit()
            room = Room(summit_id=summit.id, code=secrets.token_hex(4), name=name, **values)
            db.session.add(room)
            db.session.commit()
            return room.code

    def slot(self, day: date, start: str, end: str, kind: str = "session", **labels) -> str:
        from summit.scheduling.models import TimeSlot

        with self.app.app_context():
            summit = self._summit()
            slot = TimeSlot(
                summit_id=summit.id,
                code=secrets.token_hex(4),
                day=day,
                starts_at=local(day, start),
                ends_at=local(day, end),
                kind=kind,
                **labels,
            )
            db.session.add(slot)
            db.session.commit()
            self._slots[slot.code] = (day, slot.starts_at, slot.ends_at, kind)
            return slot.code

    def proposal(
        self,
        title: str,
        *,
        track: str | None = "pillar-family",
        format: str | None = "workshop-60",
        presenters=(("Lead Presenter", {}),),
        secondary: tuple[str, ...] = (),
        **values,
    ) -> str:
        """An accepted proposal; ``presenters`` are (name, column values) pairs, the
        first one the lead (owned by the summit's owner account unless ``user_id``)."""
        from summit.proposals.models import Presenter, Proposal
        from summit.proposals.queries import get_format
        from summit.proposals.services import ensure_call
        from summit.summits.queries import get_track

        with self.app.app_context():
            summit = self._summit()
            ensure_call(summit)
            owner_id = self._owner()
            proposal = Proposal(
                code=f"PRO-{secrets.token_hex(3).upper()}",
                summit_id=summit.id,
                owner_id=owner_id,
                state="accepted",
                title=title,
                abstract=values.pop("abstract", f"About {title}."),
                outcomes=values.pop("outcomes", "Three practices to try."),
                format=get_format(summit, format) if format else None,
                track=get_track(summit, track) if track else None,
                secondary_tracks=[get_track(summit, code) for code in secondary],
                submitted_at=datetime(2027, 1, 10, tzinfo=UTC),
                **values,
            )
            for i, (name, extra) in enumerate(presenters):
                extra = dict(extra)
                lead = i == 0
                if lead:
                    extra.setdefault("user_id", owner_id)
                else:
                    extra.setdefault("invite_status", "accepted")
                    extra.setdefault("email", f"co-{secrets.token_hex(3)}@example.org")
                proposal.presenters.append(
                    Presenter(public_id=secrets.token_hex(5), is_lead=lead, name=name, **extra)
                )
            db.session.add(proposal)
            db.session.commit()
            return proposal.code

    def presenter_ids(self, code: str) -> dict[str, str]:
        """Presenter name → public id, for one proposal."""
        from summit.proposals.models import Proposal

        with self.app.app_context():
            proposal = db.session.scalar(db.select(Proposal).where(Proposal.code == code))
            return {p.name: p.public_id for p in proposal.presenters}

    def release(
        self,
        placements: dict[str, tuple[str, str]],
        *,
        cancelled: tuple[str, ...] = (),
        changelog: list | None = None,
        note_en: str = "",
        note_es: str = "",
        released_at: datetime | None = None,
    ) -> int:
        """Version N+1 with ``placements`` (proposal code → (slot code, room code)) and
        ``cancelled`` sessions kept in place, marked cancelled."""
        from summit.proposals.models import Proposal
        from summit.scheduling.models import ReleasedSession, Room, ScheduleVersion

        with self.app.app_context():
            summit = self._summit()
            previous = db.session.scalar(
                db.select(ScheduleVersion)
                .where(ScheduleVersion.summit_id == summit.id)
                .order_by(ScheduleVersion.number.desc())
            )
            version = ScheduleVersion(
                summit_id=summit.id,
                number=(previous.number + 1) if previous else 1,
                note_en=note_en,
                note_es=note_es,
                released_at=released_at or datetime(2027, 8, 1, 17, 0, tzinfo=UTC),
                changelog=changelog or [],
            )
            db.session.add(version)
            for code, (slot_code, room_code) in placements.items():
                proposal = db.session.scalar(db.select(Proposal).where(Proposal.code == code))
                room = db.session.scalar(db.select(Room).where(Room.code == room_code))
                day, starts_at, ends_at, kind = self._slots[slot_code]
                version.sessions.append(
                    ReleasedSession(
                        proposal_id=proposal.id,
                        starts_at=starts_at,
                        ends_at=ends_at,
                        day=day,
                        slot_kind=kind,
                        room_id=room.id,
                        room_name=room.name,
                        is_cancelled=code in cancelled,
                    )
                )
            db.session.commit()
            return version.number


@pytest.fixture
def build(app, make_summit):
    """Summit 2027 (two days, America/Los_Angeles) and a builder for its programme."""
    make_summit(SLUG)
    return ProgrammeBuilder(app)
