from enum import StrEnum

from flask_babel import lazy_gettext as _l


class SlotKind(StrEnum):
    SESSION = "session"  # parallel sessions in every room
    PLENARY = "plenary"  # one session for everyone; spans all rooms
    BREAK = "break"  # meals, passing time; no sessions


SLOT_KIND_LABELS = {
    SlotKind.SESSION: _l("Parallel sessions"),
    SlotKind.PLENARY: _l("Plenary (all rooms)"),
    SlotKind.BREAK: _l("Break"),
}

# What a room offers and a session may need. Accessibility first, then AV; the AV
# codes are the ones presenters tick on the proposal form.
ROOM_FEATURE_LABELS = {
    "step_free": _l("Step-free access"),
    "hearing_loop": _l("Hearing loop"),
    "captioning": _l("Captioning screen"),
    "quiet_room": _l("Quiet room"),
    "projector": _l("Projector and screen"),
    "microphone": _l("Microphone"),
    "speakers": _l("Sound for video"),
    "internet": _l("Internet access"),
    "interpretation": _l("Interpretation booth or headsets"),
}
ROOM_FEATURES = tuple(ROOM_FEATURE_LABELS)


class RunState(StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    APPLIED = "applied"
    DISCARDED = "discarded"


# The one map of allowed run transitions; ``services.change_run_state`` is its only writer.
RUN_TRANSITIONS: dict[RunState, frozenset[RunState]] = {
    RunState.RUNNING: frozenset({RunState.DONE, RunState.FAILED}),
    RunState.DONE: frozenset({RunState.APPLIED, RunState.DISCARDED}),
    RunState.FAILED: frozenset({RunState.DISCARDED}),
    RunState.APPLIED: frozenset(),
    RunState.DISCARDED: frozenset(),
}

RUN_STATE_LABELS = {
    RunState.RUNNING: _l("Running"),
    RunState.DONE: _l("Ready to review"),
    RunState.FAILED: _l("Failed"),
    RunState.APPLIED: _l("Applied to the draft"),
    RunState.DISCARDED: _l("Discarded"),
}


class ChangeKind(StrEnum):
    NEW = "new"
    MOVED = "moved"
    CANCELLED = "cancelled"


CHANGE_KIND_LABELS = {
    ChangeKind.NEW: _l("New"),
    ChangeKind.MOVED: _l("Moved"),
    ChangeKind.CANCELLED: _l("Cancelled"),
}
