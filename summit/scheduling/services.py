"""Scheduling use cases: rooms and the time grid, the draft and its edits, solver runs
(through the adapter to the pure solver), and releasing versions.

Every function takes the acting person explicitly, flushes and never commits.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from summit.core import audit
from summit.core.clock import now
from summit.core.errors import Conflict, DomainError, NotFound
from summit.core.tokens import random_code
from summit.extensions import db
from summit.proposals.enums import ProposalState
from summit.proposals.models import Presenter, Proposal
from summit.scheduling import solver
from summit.scheduling.enums import ROOM_FEATURES, RUN_TRANSITIONS, ChangeKind, RunState, SlotKind
from summit.scheduling.models import (
    Placement,
    ReleasedSession,
    Room,
    ScheduleSettings,
    ScheduleVersion,
    SolveRun,
    TimeSlot,
    Unavailability,
)
from summit.scheduling.programme import get_latest_version
from summit.scheduling.queries import list_rooms, list_slots, list_unavailable_slot_ids
from summit.summits.models import Summit

SCHEDULED_STATES = (ProposalState.ACCEPTED.value, ProposalState.CONFIRMED.value)
ROOM_FIELDS = ("name", "building", "floor", "capacity", "features", "notes", "position")
ROOM_FIELDS += ("is_active",)
SLOT_FIELDS = ("day", "starts_at", "ends_at", "kind", "label_en", "label_es")
SETTINGS_FIELDS = (
    "weight_miss",
    "weight_topic",
    "weight_room",
    "weight_language",
    "weight_moves",
    "time_limit",
    "seed",
)
MAX_TIME_LIMIT = 300
CANCELLED_KEPT_FOR = timedelta(days=30)


# --- rooms and the time grid ---------------------------------------------------------


def _new_code(model, summit: Summit) -> str:
    taken = set(db.session.scalars(select(model.code).where(model.summit_id == summit.id)))
    while (code := random_code(6)) in taken:
        pass
    return code


def _placed_count(where) -> int:
    """How many sessions of the draft sit in the cells matching ``where``."""
    return db.session.scalar(select(db.func.count(Placement.id)).where(where)) or 0


def save_room(summit: Summit, *, actor, room: Room | None = None, **values) -> Room:
    name = (values.get("name") or "").strip()
    if not name:
        raise DomainError("invalid", _("Give the room a name."), fields={"name": [_("Required.")]})
    if not 0 <= int(values.get("capacity") or 0) <= 100_000:
        raise DomainError(
            "invalid",
            _("Capacity must be between 0 and 100,000."),
            fields={"capacity": [_("Between 0 and 100,000.")]},
        )
    unknown = set(values.get("features") or ()) - set(ROOM_FEATURES)
    if unknown:
        raise DomainError(
            "invalid", _("Unknown room feature."), fields={"features": [_("Unknown.")]}
        )
    leaving = room is not None and room.is_active and not values.get("is_active", True)
    if leaving and _placed_count(Placement.room_id == room.id):
        raise DomainError(
            "room_in_use",
            _("Sessions are placed in this room. Move them before taking it out of use."),
            fields={"is_active": [_("Sessions are placed in this room.")]},
        )
    values["name"] = name
    values["features"] = sorted(set(values.get("features") or ()))
    for key in ("building", "floor"):
        if key in values:
            values[key] = (values[key] or "").strip()
    if "notes" in values:
        values["notes"] = values["notes"] or ""
    created = room is None
    if created:
        room = Room(summit_id=summit.id, code=_new_code(Room, summit))
        db.session.add(room)
    return audit.save_fields(
        room,
        values,
        allowed=ROOM_FIELDS,
        action="room.create" if created else "room.update",
        actor=actor,
        summit=summit,
        object_type="room",
        ident=lambda r: r.code,
        label=lambda r: r.name,
        created=created,
    )


def local_range(summit: Summit, day: date, start: time, end: time) -> tuple[datetime, datetime]:
    """A day's local start and end times as aware UTC datetimes."""
    zone = ZoneInfo(summit.timezone)
    starts = datetime.combine(day, start, zone).astimezone(UTC)
    ends = datetime.combine(day, end, zone).astimezone(UTC)
    return starts, ends


def save_slot(
    summit: Summit,
    *,
    actor,
    slot: TimeSlot | None = None,
    day: date,
    start: time,
    end: time,
    kind: str,
    label_en: str = "",
    label_es: str = "",
) -> TimeSlot:
    if not summit.starts_on <= day <= summit.ends_on:
        raise DomainError(
            "invalid",
            _("Pick one of the summit's days."),
            fields={"day": [_("Not a day of the summit.")]},
        )
    if end <= start:
        raise DomainError(
            "invalid",
            _("The end must be after the start."),
            fields={"end": [_("Must be after the start.")]},
        )
    if kind not in set(SlotKind):
        raise DomainError("invalid", _("Unknown kind of slot."), fields={"kind": [_("Unknown.")]})
    to_break = slot is not None and kind == SlotKind.BREAK and slot.kind != SlotKind.BREAK
    if to_break and _placed_count(Placement.slot_id == slot.id):
        raise DomainError(
            "slot_in_use",
            _("Sessions are placed in this slot. Move them before making it a break."),
            fields={"kind": [_("Sessions are placed in this slot.")]},
        )
    starts_at, ends_at = local_range(summit, day, start, end)
    for other in list_slots(summit):
        if other is not slot and other.starts_at < ends_at and starts_at < other.ends_at:
            raise DomainError(
                "slot_overlap",
                _("This time overlaps another slot of the grid."),
                fields={"start": [_("Overlaps another slot.")]},
            )
    created = slot is None
    if created:
        slot = TimeSlot(summit_id=summit.id, code=_new_code(TimeSlot, summit))
        db.session.add(slot)
    values = {
        "day": day,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "kind": kind,
        "label_en": label_en.strip(),
        "label_es": label_es.strip(),
    }
    return audit.save_fields(
        slot,
        values,
        allowed=SLOT_FIELDS,
        action="slot.create" if created else "slot.update",
        actor=actor,
        summit=summit,
        object_type="slot",
        ident=lambda s: s.code,
        label=lambda s: f"{s.day} {s.kind}",
        created=created,
    )


def delete_slot(summit: Summit, slot: TimeSlot, *, actor) -> None:
    """Remove a slot; sessions in it go back to the list of sessions to place."""
    db.session.execute(
        update(Placement)
        .where(Placement.slot_id == slot.id)
        .values(slot_id=None, room_id=None, revision=Placement.revision + 1)
    )
    audit.record(
        "slot.delete",
        actor=actor,
        summit=summit,
        object_type="slot",
        object_id=slot.code,
        label=f"{slot.day} {slot.kind}",
        before=audit.snapshot(slot, SLOT_FIELDS),
    )
    db.session.delete(slot)
    db.session.flush()


def get_settings(summit: Summit) -> ScheduleSettings:
    settings = db.session.get(ScheduleSettings, summit.id)
    if settings is None:
        settings = ScheduleSettings(summit_id=summit.id)
        db.session.add(settings)
        db.session.flush()
    return settings


def update_settings(summit: Summit, *, actor, **values) -> ScheduleSettings:
    for key in SETTINGS_FIELDS[:5]:
        if key in values and not 0 <= int(values[key]) <= 1000:
            raise DomainError(
                "invalid", _("Weights are between 0 and 1000."), fields={key: [_("0 to 1000.")]}
            )
    if "time_limit" in values and not 1 <= int(values["time_limit"]) <= MAX_TIME_LIMIT:
        raise DomainError(
            "invalid",
            _("The time limit is between 1 and %(max)d seconds.", max=MAX_TIME_LIMIT),
            fields={"time_limit": [_("1 to %(max)d.", max=MAX_TIME_LIMIT)]},
        )
    return audit.save_fields(
        get_settings(summit),
        values,
        allowed=SETTINGS_FIELDS,
        action="schedule.settings",
        actor=actor,
        summit=summit,
        object_type="schedule",
        ident=lambda s: summit.slug,
        label=lambda s: summit.name,
        created=False,
    )


# --- presenters' availability ---------------------------------------------------------


def set_unavailability(presenter: Presenter, slot_codes, *, actor) -> set[str]:
    """Replace the slots ``presenter`` cannot present in; returns the codes kept."""
    summit = presenter.proposal.summit
    slots = {s.code: s for s in list_slots(summit) if s.kind != SlotKind.BREAK}
    wanted = set(slot_codes or ())
    unknown = wanted - set(slots)
    if unknown:
        raise DomainError("invalid", _("Unknown time slot."), fields={"slots": [_("Unknown.")]})
    before = {s.code for s in slots.values() if s.id in list_unavailable_slot_ids(presenter)}
    db.session.execute(db.delete(Unavailability).where(Unavailability.presenter_id == presenter.id))
    for code in sorted(wanted):
        db.session.add(Unavailability(presenter_id=presenter.id, slot_id=slots[code].id))
    db.session.flush()
    if before != wanted:
        audit.record(
            "presenter.availability",
            actor=actor,
            summit=summit,
            object_type="presenter",
            object_id=presenter.public_id,
            label=presenter.name,
            before={"unavailable": sorted(before)},
            after={"unavailable": sorted(wanted)},
        )
    return wanted


# --- the draft ------------------------------------------------------------------------


def list_placements(summit: Summit) -> list[Placement]:
    """One placement per accepted or confirmed session (created when missing)."""
    proposals = list(
        db.session.scalars(
            select(Proposal)
            .where(Proposal.summit_id == summit.id, Proposal.state.in_(SCHEDULED_STATES))
            .options(
                selectinload(Proposal.presenters),
                selectinload(Proposal.track),
                selectinload(Proposal.format),
            )
            .order_by(Proposal.id)
        )
    )
    existing = {
        p.proposal_id: p
        for p in db.session.scalars(
            select(Placement)
            .where(Placement.summit_id == summit.id)
            .options(selectinload(Placement.slot), selectinload(Placement.room))
        )
    }
    placements = []
    for proposal in proposals:
        placement = existing.get(proposal.id)
        if placement is None:
            placement = Placement(summit_id=summit.id, proposal_id=proposal.id, proposal=proposal)
            db.session.add(placement)
        placements.append(placement)
    if len(placements) != len(existing) or any(p.id is None for p in placements):
        db.session.flush()
    return placements


def get_placement(summit: Summit, code: str) -> Placement:
    placement = next((p for p in list_placements(summit) if p.proposal.code == code), None)
    if placement is None:
        raise NotFound("not_found", _("There is no session %(code)s to schedule.", code=code))
    return placement


def duration_of(proposal: Proposal) -> int:
    return proposal.format.duration_minutes if proposal.format else 60


def needs_of(placement: Placement) -> frozenset[str]:
    """Room features the session needs: the AV ticked on its form plus staff's extras."""
    form_needs = {n for n in (placement.proposal.av_needs or ()) if n in ROOM_FEATURES}
    return frozenset(form_needs | set(placement.needs or ()))


def person_key(presenter: Presenter) -> str:
    """One person across proposals: their account, else their email, else the row."""
    if presenter.user_id:
        return f"u{presenter.user_id}"
    if presenter.email:
        return "e:" + presenter.email.strip().lower()
    return f"p{presenter.id}"


STAR_SIGNAL_MIN = 20  # people who starred sessions before stars drive room sizes


def estimate_audiences(summit: Summit, placements: list[Placement]) -> dict[int, int]:
    """Expected audience per proposal id: staff's figure, else an estimate.

    Once at least ``STAR_SIGNAL_MIN`` people have starred sessions, the estimate is a
    session's stars scaled up to the expected attendance (confirmed registrations, at
    least 300): stars × attendance ÷ people who starred. Until then it spreads the
    expected attendance over the rooms in use, scaled by the session's review score
    (0.6–1.4×) and its track's popularity (share of accepted sessions; 0.75–1.5×).
    Never below 10 nor above the largest room.
    """
    from summit.registration.models import Attendee, Booking
    from summit.reviews.services import score_summit

    rooms = list_rooms(summit, active_only=True)
    biggest = max((r.capacity for r in rooms), default=0)
    people = db.session.scalar(
        select(db.func.count(Attendee.id))
        .join(Booking, Attendee.booking_id == Booking.id)
        .where(
            Booking.summit_id == summit.id,
            Booking.state == "confirmed",
            Attendee.cancelled_at.is_(None),
        )
    )
    people = max(people or 0, 300)
    from summit.agenda.queries import count_starrers, star_counts

    starrers = count_starrers(summit)
    stars = star_counts(summit) if starrers >= STAR_SIGNAL_MIN else None
    base = people / max(1, len(rooms))
    scores, _stats = score_summit(summit)
    by_track = Counter(p.proposal.track_id for p in placements)
    mean_track = (sum(by_track.values()) / len(by_track)) if by_track else 1
    estimates = {}
    for placement in placements:
        if placement.audience is not None:
            estimates[placement.proposal_id] = placement.audience
            continue
        if stars is not None:
            value = round(stars.get(placement.proposal_id, 0) * people / starrers / 5) * 5
            estimates[placement.proposal_id] = max(10, min(biggest or value, value))
            continue
        score = scores.get(placement.proposal_id)
        z = score.normalised if score and score.normalised is not None else 0.0
        quality = min(1.4, max(0.6, 1.0 + 0.3 * z))
        track = by_track[placement.proposal.track_id] / mean_track
        popularity = min(1.5, max(0.75, track))
        value = round(base * quality * popularity / 5) * 5
        estimates[placement.proposal_id] = max(10, min(biggest or value, value))
    return estimates


@dataclass
class Draft:
    """The draft as the solver sees it, with the maps back to the database rows."""

    problem: solver.Problem
    placements: dict[str, Placement]  # proposal code -> placement
    slots: dict[int, TimeSlot]
    rooms: dict[int, Room]
    audiences: dict[int, int]
    outside: list[Placement]  # placed in plenary slots: kept as they are


def attendee_interest(summit: Summit, codes: set[str]) -> tuple[tuple[str, ...], ...]:
    """The adapter from stars to the solver: one tuple of starred session codes per
    agenda that starred two or more of the sessions being placed."""
    from summit.agenda.queries import interest_sets

    sets = interest_sets(summit)
    if not sets:
        return ()
    code_of = dict(
        db.session.execute(
            select(Proposal.id, Proposal.code).where(Proposal.summit_id == summit.id)
        ).all()
    )
    wanted = []
    for ids in sets:
        chosen = tuple(sorted(code_of[i] for i in ids if code_of.get(i) in codes))
        if len(chosen) >= 2:
            wanted.append(chosen)
    return tuple(wanted)


def build_draft(summit: Summit, *, keep_draft: bool = True) -> Draft:
    """The adapter: the database's draft as a ``solver.Problem``.

    Only parallel-session slots are solver periods; sessions placed (and locked)
    in plenary slots stay outside the problem, and their presenters count as busy
    in no solver period. Locked placements become ``Session.locked``.
    """
    settings = get_settings(summit)
    placements = list_placements(summit)
    slots = {s.id: s for s in list_slots(summit)}
    rooms = {r.id: r for r in list_rooms(summit, active_only=True)}
    periods = []
    days = sorted({s.day for s in slots.values()})
    for slot in slots.values():
        if slot.kind == SlotKind.SESSION:
            local = slot.starts_at.astimezone(ZoneInfo(summit.timezone))
            periods.append(
                solver.Period(
                    slot.id, days.index(slot.day), local.hour * 60 + local.minute, slot.minutes
                )
            )
    period_ids = {p.id for p in periods}
    audiences = estimate_audiences(summit, placements)
    unavailable: dict[str, set[int]] = defaultdict(set)
    presenter_rows = [pr for p in placements for pr in p.proposal.active_presenters]
    if presenter_rows:
        rows = db.session.execute(
            select(Unavailability.presenter_id, Unavailability.slot_id).where(
                Unavailability.presenter_id.in_([pr.id for pr in presenter_rows])
            )
        )
        by_row = defaultdict(set)
        for presenter_id, slot_id in rows:
            by_row[presenter_id].add(slot_id)
        for pr in presenter_rows:
            unavailable[person_key(pr)] |= by_row[pr.id] & period_ids
    sessions, outside, current = [], [], {}
    for placement in placements:
        proposal = placement.proposal
        cell = (placement.slot_id, placement.room_id) if placement.slot_id else None
        if cell and placement.slot_id not in period_ids:
            outside.append(placement)
            continue
        if cell and placement.room_id not in rooms:
            cell = None
        sessions.append(
            solver.Session(
                id=proposal.code,
                duration=duration_of(proposal),
                audience=audiences[proposal.id],
                topic=proposal.track_id or 0,
                presenters=tuple(sorted({person_key(pr) for pr in proposal.active_presenters})),
                needs=needs_of(placement),
                language=proposal.language,
                locked=cell if placement.is_locked else None,
            )
        )
        current[proposal.code] = cell
    problem = solver.Problem(
        periods=periods,
        rooms=[
            solver.Room(r.id, r.name, r.capacity, frozenset(r.features or ()))
            for r in rooms.values()
        ],
        sessions=sessions,
        presenters=[solver.Presenter(k, frozenset(v)) for k, v in sorted(unavailable.items())],
        attendees=attendee_interest(summit, {s.id for s in sessions}),
        weights=solver.Weights(
            miss=settings.weight_miss,
            topic=settings.weight_topic,
            room=settings.weight_room,
            language=settings.weight_language,
            moves=settings.weight_moves if keep_draft else 0,
        ),
        current=current if keep_draft else {},
    )
    return Draft(
        problem, {p.proposal.code: p for p in placements}, slots, rooms, audiences, outside
    )


def current_solution(draft: Draft) -> solver.Solution:
    """The draft as it stands, as a solution for ``check()``."""
    assign, unplaced = {}, {}
    for session in draft.problem.sessions:
        cell = draft.problem.current.get(session.id)
        assign[session.id] = cell
        if cell is None:
            unplaced[session.id] = solver.Unplaced("not_yet", "Not placed yet.")
    return solver.Solution(assign, unplaced)


def check_draft(summit: Summit) -> tuple[Draft, solver.Report]:
    """The draft judged by the solver's own ``check()`` (the editor's live warnings)."""
    draft = build_draft(summit, keep_draft=True)
    return draft, solver.check(draft.problem, current_solution(draft))


def describe(violation: solver.Violation, draft: Draft) -> str:
    """A violation in the staff's language, naming sessions by code."""
    codes = ", ".join(str(s) for s in violation.sessions)
    room = draft.rooms.get(violation.room)
    messages = {
        "cell_clash": _("%(codes)s share one room at one time.", codes=codes),
        "presenter_clash": _("A presenter is in two sessions at once: %(codes)s.", codes=codes),
        "presenter_unavailable": _(
            "A presenter of %(codes)s said they cannot present at this time.", codes=codes
        ),
        "room_too_small": _(
            "%(codes)s expects more people than %(room)s holds.",
            codes=codes,
            room=room.name if room else "",
        ),
        "period_too_short": _("%(codes)s is longer than its time slot.", codes=codes),
        "room_features": _(
            "%(room)s lacks something %(codes)s needs.", codes=codes, room=room.name if room else ""
        ),
        "lock_moved": _("%(codes)s is locked somewhere else.", codes=codes),
    }
    return messages.get(violation.code, violation.message)


def _stale() -> Conflict:
    return Conflict(
        "stale",
        _(
            "Someone else changed this session while you were looking at it. "
            "The page now shows the current draft; please make your change again."
        ),
    )


def _write(placement: Placement, revision: int, *, actor, **values) -> None:
    """Optimistic update: only when the placement is still at ``revision``."""
    values |= {"revision": Placement.revision + 1, "updated_at": now()}
    values["updated_by_id"] = actor.id if actor is not None else None
    result = db.session.execute(
        update(Placement)
        .where(Placement.id == placement.id, Placement.revision == revision)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise _stale()


def _where(placement: Placement) -> dict | None:
    if placement.slot_id is None:
        return None
    return {"slot": placement.slot.code, "room": placement.room.code}


def _audit_session(action: str, summit: Summit, placement: Placement, *, actor, **changes):
    audit.record(
        action,
        actor=actor,
        summit=summit,
        object_type="session",
        object_id=placement.proposal.code,
        label=placement.proposal.title,
        **changes,
    )


@dataclass(frozen=True)
class MoveOutcome:
    warnings: list[str]
    swapped: str | None  # the other session's code, when the move was a swap


def move_session(
    summit: Summit,
    placement: Placement,
    *,
    slot: TimeSlot | None,
    room: Room | None,
    revision: int,
    actor,
    accept_warnings: bool = False,
) -> MoveOutcome:
    """Move a session to a cell (or take it out of the grid with ``slot=None``).

    A session already in the target cell swaps places with it. A move that breaks a
    hard rule (presenter clash, room too small …) is refused with the warnings
    unless ``accept_warnings``; then it is made, and the warning is kept on the
    placement and in the audit log.
    """
    if (slot is None) != (room is None):
        raise DomainError("invalid", _("Choose both a time and a room."))
    if placement.is_locked:
        raise DomainError("locked", _("This session is locked. Unlock it to move it."))
    if slot is not None and slot.kind == SlotKind.BREAK:
        raise DomainError("invalid", _("Sessions cannot be placed in a break."))
    if slot is not None and room is not None and not room.is_active:
        raise DomainError("invalid", _("This room is not in use."))
    if placement.revision != revision:
        raise _stale()
    before = _where(placement)
    old_cell = (placement.slot_id, placement.room_id)
    other = None
    if slot is not None:
        other = db.session.scalar(
            select(Placement).where(
                Placement.slot_id == slot.id,
                Placement.room_id == room.id,
                Placement.id != placement.id,
            )
        )
        if other is not None and other.is_locked:
            raise DomainError(
                "locked", _("%(code)s is locked in that room and time.", code=other.proposal.code)
            )
    codes = {placement.proposal.code} | ({other.proposal.code} if other is not None else set())
    savepoint = db.session.begin_nested()
    try:
        if other is not None:  # free the target first: (slot, room) is unique
            _write(other, other.revision, actor=actor, slot_id=None, room_id=None)
        target = {"slot_id": slot.id, "room_id": room.id} if slot else {}
        _write(placement, revision, actor=actor, **({"slot_id": None, "room_id": None} | target))
        if other is not None and old_cell[0] is not None:  # a swap
            _write(other, other.revision + 1, actor=actor, slot_id=old_cell[0], room_id=old_cell[1])
        db.session.expire_all()
        draft, report = check_draft(summit)
        warnings = [describe(v, draft) for v in report.violations if codes & set(v.sessions)]
    except Exception:
        savepoint.rollback()
        db.session.expire_all()
        raise
    if warnings and not accept_warnings:
        savepoint.rollback()
        db.session.expire_all()  # the core UPDATEs above are unknown to the identity map
        raise DomainError(
            "needs_confirmation",
            _("This move breaks a rule of the schedule: %(why)s", why=" ".join(warnings)),
            fields={"warnings": warnings},
            status=409,
        )
    savepoint.commit()
    placement = db.session.get(Placement, placement.id)
    placement.warning = " ".join(warnings)
    _audit_session(
        "schedule.move",
        summit,
        placement,
        actor=actor,
        before={"cell": before},
        after={"cell": _where(placement), "warnings": warnings}
        | ({"swapped_with": other.proposal.code} if other is not None else {}),
    )
    db.session.flush()
    return MoveOutcome(warnings, other.proposal.code if other is not None else None)


def set_locked(summit: Summit, placement: Placement, locked: bool, *, revision: int, actor):
    if locked and placement.slot_id is None:
        raise DomainError("invalid", _("Place the session before locking it."))
    _write(placement, revision, actor=actor, is_locked=locked)
    _audit_session("schedule.lock" if locked else "schedule.unlock", summit, placement, actor=actor)
    db.session.expire(placement)


def set_session_details(
    summit: Summit, placement: Placement, *, audience: int | None, needs, revision: int, actor
) -> None:
    if audience is not None and not 0 <= audience <= 100_000:
        raise DomainError(
            "invalid",
            _("Expected audience is between 0 and 100,000."),
            fields={"audience": [_("Between 0 and 100,000.")]},
        )
    needs = sorted(set(needs or ()))
    if set(needs) - set(ROOM_FEATURES):
        raise DomainError("invalid", _("Unknown room feature."), fields={"needs": [_("Unknown.")]})
    before = {"audience": placement.audience, "needs": list(placement.needs or [])}
    _write(placement, revision, actor=actor, audience=audience, needs=needs)
    _audit_session(
        "schedule.details",
        summit,
        placement,
        actor=actor,
        before=before,
        after={"audience": audience, "needs": needs},
    )
    db.session.expire(placement)


# --- solver runs ----------------------------------------------------------------------


def change_run_state(run: SolveRun, new: RunState, *, error: str = "") -> None:
    """The one way a run changes state (``RUN_TRANSITIONS``); the end states are stamped."""
    if new not in RUN_TRANSITIONS[RunState(run.state)]:
        messages = {
            RunState.APPLIED: _("This result is not ready to apply."),
            RunState.DISCARDED: _("Only a finished result can be discarded."),
        }
        raise DomainError("run_not_ready", messages.get(new, _("This result is not ready.")))
    run.state = new.value
    if new in (RunState.DONE, RunState.FAILED):
        run.finished_at = now()
        run.progress = 1.0 if new == RunState.DONE else run.progress
    if error:
        run.error = error[:500]


def start_run(summit: Summit, *, actor, keep_draft: bool = True) -> SolveRun:
    running = db.session.scalar(
        select(SolveRun).where(
            SolveRun.summit_id == summit.id, SolveRun.state == RunState.RUNNING.value
        )
    )
    if running is not None and running.started_at > now() - timedelta(minutes=15):
        raise DomainError("solver_busy", _("The solver is already working on this summit."))
    if running is not None:  # a run that died with its process
        change_run_state(running, RunState.FAILED, error="stopped without finishing")
    if not any(s.kind == SlotKind.SESSION for s in list_slots(summit)):
        raise DomainError("no_grid", _("Add time slots for parallel sessions first."))
    if not list_rooms(summit, active_only=True):
        raise DomainError("no_rooms", _("Add rooms first."))
    run = SolveRun(
        summit_id=summit.id,
        public_id=random_code(8),
        keep_draft=keep_draft,
        started_by_id=actor.id if actor is not None else None,
    )
    db.session.add(run)
    audit.record(
        "schedule.solve",
        actor=actor,
        summit=summit,
        object_type="solve_run",
        object_id=run.public_id,
        label=_("Re-solve keeping the draft") if keep_draft else _("Solve from scratch"),
    )
    db.session.flush()
    return run


def execute_run(
    run: SolveRun,
    *,
    progress: Callable[[float], None] | None = None,
    on_ready: Callable[[], None] | None = None,
) -> SolveRun:
    """Solve the run's summit and store the result on the run (the draft is untouched).

    ``on_ready`` is called once the problem is built, before the long solve: a job
    ends its transaction there, so it holds no lock while the solver works.
    """
    summit = db.session.get(Summit, run.summit_id)
    settings = get_settings(summit)
    seed, time_limit, keep_draft = settings.seed, float(settings.time_limit), run.keep_draft
    draft = build_draft(summit, keep_draft=keep_draft)
    slots = {i: s.code for i, s in draft.slots.items()}
    rooms = {i: r.code for i, r in draft.rooms.items()}

    def codes(cell):
        return [slots[cell[0]], rooms[cell[1]]] if cell else None

    outside = {p.proposal.code for p in draft.outside}
    current = {
        code: codes((p.slot_id, p.room_id) if p.slot_id else None)
        for code, p in draft.placements.items()
        if code not in outside
    }
    revisions = {code: p.revision for code, p in draft.placements.items()}
    run_id = run.id
    if on_ready is not None:
        on_ready()

    def report_progress(fraction: float, _objective) -> None:
        if progress is not None:
            progress(fraction)

    result = solver.solve(draft.problem, seed=seed, time_limit=time_limit, progress=report_progress)
    run = db.session.get(SolveRun, run_id)
    run.result = {
        "assign": {code: codes(cell) for code, cell in result.solution.assign.items()},
        "unplaced": {
            code: [reason.code, reason.message] for code, reason in result.solution.unplaced.items()
        },
        "parts": result.report.parts(),
        "current": current,
        "revisions": revisions,
        "status": result.status,
        "elapsed": round(result.elapsed, 2),
    }
    change_run_state(run, RunState.DONE)
    db.session.flush()
    return run


def run_changes(run: SolveRun) -> list[tuple[str, list | None, list | None]]:
    """(proposal code, from cell codes, to cell codes) for each session the run moves."""
    result = run.result or {}
    current = result.get("current", {})
    return [
        (code, current.get(code), cell)
        for code, cell in sorted(result.get("assign", {}).items())
        if current.get(code) != cell
    ]


def apply_run(summit: Summit, run: SolveRun, *, actor) -> dict[str, int]:
    """Put the run's schedule into the draft. Sessions that staff changed after the
    run started keep the staff's change (counted as ``skipped``)."""
    change_run_state(run, RunState.APPLIED)  # refused unless the run is done
    result = run.result
    placements = {p.proposal.code: p for p in list_placements(summit)}
    slots = {s.code: s for s in list_slots(summit)}
    rooms = {r.code: r for r in list_rooms(summit)}
    changes = run_changes(run)
    targets, skipped = {}, 0
    for code, _old, cell in changes:
        placement = placements.get(code)
        if placement is None or placement.is_locked:
            continue
        if placement.revision != result["revisions"].get(code):
            skipped += 1
            continue
        if cell and (cell[0] not in slots or cell[1] not in rooms):
            skipped += 1
            continue
        targets[code] = cell
    taken = {
        (p.slot_id, p.room_id): p.proposal.code
        for p in placements.values()
        if p.slot_id is not None and p.proposal.code not in targets
    }
    for code, cell in list(targets.items()):
        if cell and (slots[cell[0]].id, rooms[cell[1]].id) in taken:
            del targets[code]  # the cell was given to a session staff moved there
            skipped += 1
    # Two steps so a chain of moves never trips the unique (slot, room) pair.
    for code in targets:
        placement = placements[code]
        _write(placement, placement.revision, actor=actor, slot_id=None, room_id=None)
    db.session.expire_all()
    placements = {p.proposal.code: p for p in list_placements(summit)}
    for code, cell in targets.items():
        if cell:
            placement = placements[code]
            _write(
                placement,
                placement.revision,
                actor=actor,
                slot_id=slots[cell[0]].id,
                room_id=rooms[cell[1]].id,
                warning="",
            )
    audit.record(
        "schedule.apply",
        actor=actor,
        summit=summit,
        object_type="solve_run",
        object_id=run.public_id,
        label=ngettext("%(num)d session moved", "%(num)d sessions moved", len(targets)),
        after={"moved": len(targets), "skipped": skipped},
    )
    db.session.flush()
    db.session.expire_all()
    return {"moved": len(targets), "skipped": skipped}


def discard_run(summit: Summit, run: SolveRun, *, actor) -> None:
    change_run_state(run, RunState.DISCARDED)
    audit.record(
        "schedule.discard",
        actor=actor,
        summit=summit,
        object_type="solve_run",
        object_id=run.public_id,
    )
    db.session.flush()


# --- releases -------------------------------------------------------------------------


def _snapshot_of(row: ReleasedSession) -> dict:
    return {
        "starts_at": row.starts_at.isoformat(),
        "ends_at": row.ends_at.isoformat(),
        "room": row.room_name,
    }


@dataclass(frozen=True)
class ReleaseOutcome:
    version: ScheduleVersion
    new: int
    moved: int
    cancelled: int
    emails: int


def release(
    summit: Summit,
    *,
    actor,
    note_en: str = "",
    note_es: str = "",
    notify: bool = True,
    at=None,
) -> ReleaseOutcome:
    """Freeze the draft as version N+1, with its changelog against N, and email the
    presenters of every new, moved or cancelled session their slot or change."""
    at = at or now()
    previous = get_latest_version(summit)
    before = {r.proposal_id: r for r in previous.sessions} if previous else {}
    placements = list_placements(summit)
    placed = [p for p in placements if p.slot_id is not None and p.slot.kind != SlotKind.BREAK]
    if not placed:
        raise DomainError("empty_schedule", _("Place at least one session before releasing."))
    version = ScheduleVersion(
        summit_id=summit.id,
        number=(previous.number + 1) if previous else 1,
        note_en=note_en.strip(),
        note_es=note_es.strip(),
        released_at=at,
        released_by_id=actor.id if actor is not None else None,
    )
    db.session.add(version)
    changelog, changed = [], []
    seen = set()
    for placement in placed:
        old = before.get(placement.proposal_id)
        row = ReleasedSession(
            proposal_id=placement.proposal_id,
            starts_at=placement.slot.starts_at,
            ends_at=placement.slot.ends_at,
            day=placement.slot.day,
            slot_kind=placement.slot.kind,
            room_id=placement.room_id,
            room_name=placement.room.name,
            changed_at=at,
        )
        seen.add(placement.proposal_id)
        if old is None or old.is_cancelled:
            row.sequence = old.sequence + 1 if old else 0
            changelog.append(_change(ChangeKind.NEW, placement.proposal, None, row))
            changed.append((ChangeKind.NEW, placement.proposal, row, old))
        elif (old.starts_at, old.ends_at, old.room_id) != (row.starts_at, row.ends_at, row.room_id):
            row.sequence = old.sequence + 1
            changelog.append(_change(ChangeKind.MOVED, placement.proposal, old, row))
            changed.append((ChangeKind.MOVED, placement.proposal, row, old))
        else:
            row.sequence, row.changed_at = old.sequence, old.changed_at
        version.sessions.append(row)
    for proposal_id, old in before.items():
        if proposal_id in seen:
            continue
        if old.is_cancelled:
            # Stays listed as cancelled for 30 days, so calendars that follow the
            # programme see the session go instead of it silently vanishing.
            if old.changed_at > at - CANCELLED_KEPT_FOR:
                version.sessions.append(_copy(old, cancelled=True, sequence=old.sequence))
            continue
        row = _copy(old, cancelled=True, sequence=old.sequence + 1, changed_at=at)
        version.sessions.append(row)
        changelog.append(_change(ChangeKind.CANCELLED, old.proposal, old, None))
        changed.append((ChangeKind.CANCELLED, old.proposal, row, old))
    order = {ChangeKind.NEW: 0, ChangeKind.MOVED: 1, ChangeKind.CANCELLED: 2}
    changelog.sort(key=lambda c: (order[c["kind"]], (c["after"] or c["before"])["starts_at"]))
    version.changelog = changelog
    db.session.flush()
    from summit.scheduling import notifications

    emails = notifications.queue_release_emails(summit, version, changed) if notify else 0
    from summit.agenda.release import after_release

    emails += after_release(summit, version, changed, notify=notify, at=at)
    audit.record(
        "schedule.release",
        actor=actor,
        summit=summit,
        object_type="schedule_version",
        object_id=version.number,
        label=f"v{version.number}",
        after={
            "sessions": len(placed),
            "new": sum(c["kind"] == ChangeKind.NEW for c in changelog),
            "moved": sum(c["kind"] == ChangeKind.MOVED for c in changelog),
            "cancelled": sum(c["kind"] == ChangeKind.CANCELLED for c in changelog),
        },
    )
    db.session.flush()
    counts = Counter(c["kind"] for c in changelog)
    return ReleaseOutcome(
        version,
        counts[ChangeKind.NEW],
        counts[ChangeKind.MOVED],
        counts[ChangeKind.CANCELLED],
        emails,
    )


def _copy(old: ReleasedSession, *, cancelled: bool, sequence: int, changed_at=None):
    return ReleasedSession(
        proposal_id=old.proposal_id,
        starts_at=old.starts_at,
        ends_at=old.ends_at,
        day=old.day,
        slot_kind=old.slot_kind,
        room_id=old.room_id,
        room_name=old.room_name,
        is_cancelled=cancelled,
        sequence=sequence,
        changed_at=changed_at or old.changed_at,
    )


def _change(kind: ChangeKind, proposal: Proposal, old, new) -> dict:
    return {
        "code": proposal.code,
        "title": proposal.title,
        "kind": kind.value,
        "before": _snapshot_of(old) if old is not None else None,
        "after": _snapshot_of(new) if new is not None else None,
    }
