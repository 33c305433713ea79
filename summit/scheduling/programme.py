"""The public programme: read-only queries over the newest released version.

Only the newest ``ScheduleVersion`` of a summit is public, and nothing is before the
first release. Pages never see ORM rows of people: sessions come out as
``ProgrammeSession`` values whose presenters are already reduced to what may be shown
(no emails, no guardians, first names only for presenters under 18).

Every listing is one query for the sessions' columns (proposal joined in, no ORM rows)
plus a fixed number of queries for presenters, secondary tracks, tracks, formats and
rooms, so the count of SQL statements does not grow with the number of sessions.
Filters on columns run in SQL; filters on JSON lists (audience, access) and the text
search run over the loaded rows in Python, which matches accents and case the same way
on SQLite and PostgreSQL and takes ``%`` and ``_`` literally.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Select, bindparam, exists, inspect, or_, select
from sqlalchemy.orm import aliased, contains_eager, defer, joinedload
from sqlalchemy.orm.util import identity_key

from summit.accounts.enums import AgeBand, PresenterRole
from summit.extensions import db
from summit.proposals.enums import InviteStatus, SessionLanguage
from summit.proposals.models import (
    Presenter,
    Proposal,
    SessionFormat,
    proposal_secondary_tracks,
)
from summit.scheduling.enums import SlotKind
from summit.scheduling.models import ReleasedSession, Room, ScheduleVersion, TimeSlot
from summit.summits.models import Summit, Track

# Accessibility a session can be filtered by: interpretation is the session's own
# (ticked on its form); the others are what its room offers.
SESSION_ACCESS = ("interpretation",)
ROOM_ACCESS = ("step_free", "hearing_loop", "captioning", "quiet_room")
ACCESS_FEATURES = SESSION_ACCESS + ROOM_ACCESS
PUBLIC_INVITE_STATUSES = (InviteStatus.NONE.value, InviteStatus.ACCEPTED.value)
MAX_QUERY_LENGTH = 100
VIEWS = ("grid", "list")


# --- values the pages see ---------------------------------------------------------------


@dataclass(frozen=True)
class PublicPresenter:
    public_id: str
    name: str
    role_type: str | None  # None for presenters under 18
    person_key: str  # one person across proposals


@dataclass(frozen=True)
class RoomInfo:
    code: str | None  # None when the room was deleted after the release
    name: str
    building: str = ""
    floor: str = ""
    capacity: int | None = None
    features: tuple[str, ...] = ()
    position: int = 0


@dataclass(frozen=True)
class ProgrammeSession:
    code: str
    title: str
    abstract: str
    outcomes: str
    language: str
    format: SessionFormat | None
    track: Track | None
    secondary_tracks: tuple[Track, ...]
    audience_roles: tuple[str, ...]
    grade_bands: tuple[str, ...]
    has_interpretation: bool
    presenters: tuple[PublicPresenter, ...]
    starts_at: datetime
    ends_at: datetime
    day: date
    kind: str
    room: RoomInfo
    is_cancelled: bool
    sequence: int
    changed_at: datetime  # the last attendee-visible change (iCal LAST-MODIFIED)
    proposal_id: int

    @property
    def is_plenary(self) -> bool:
        return self.kind == SlotKind.PLENARY.value

    @property
    def access_features(self) -> tuple[str, ...]:
        own = SESSION_ACCESS if self.has_interpretation else ()
        return own + tuple(f for f in ROOM_ACCESS if f in self.room.features)

    def all_tracks(self) -> tuple[Track, ...]:
        return ((self.track,) if self.track else ()) + self.secondary_tracks


@dataclass(frozen=True)
class ProgrammeFilters:
    """What a visitor narrowed the programme to; every value is a known code or None."""

    day: date | None = None
    track: str | None = None
    format: str | None = None
    audience: str | None = None
    language: str | None = None
    access: str | None = None
    q: str = ""

    @property
    def is_narrowed(self) -> bool:
        """Whether anything other than the day narrows the list."""
        return any((self.track, self.format, self.audience, self.language, self.access, self.q))

    def args(self, **changes) -> dict[str, str]:
        """Query-string arguments of these filters (for links), without empty ones."""
        values = replace(self, **changes)
        pairs = {
            "day": values.day.isoformat() if values.day else None,
            "track": values.track,
            "format": values.format,
            "audience": values.audience,
            "language": values.language,
            "access": values.access,
            "q": values.q or None,
        }
        return {k: v for k, v in pairs.items() if v}


@dataclass(frozen=True)
class FilterChoices:
    """The values a filter may take in this summit (the form's options)."""

    days: tuple[date, ...]
    tracks: tuple[Track, ...]
    formats: tuple[SessionFormat, ...]
    audiences: tuple[str, ...] = tuple(r.value for r in PresenterRole)
    languages: tuple[str, ...] = tuple(lang.value for lang in SessionLanguage)
    access: tuple[str, ...] = ACCESS_FEATURES


def parse_filters(
    args: Mapping[str, str], choices: FilterChoices
) -> tuple[ProgrammeFilters, list[str]]:
    """Filters from query arguments. Unknown values are dropped (and named in the
    second value) rather than refused: a stale bookmark still shows the programme."""
    ignored: list[str] = []

    def pick(name: str, allowed: Iterable[str]) -> str | None:
        raw = (args.get(name) or "").strip()
        if not raw:
            return None
        if raw in set(allowed):
            return raw
        ignored.append(name)
        return None

    day = None
    raw_day = (args.get("day") or "").strip()
    if raw_day:
        try:
            day = date.fromisoformat(raw_day)
        except ValueError:
            day = None
        if day not in choices.days:
            day = None
            ignored.append("day")
    filters = ProgrammeFilters(
        day=day,
        track=pick("track", (t.code for t in choices.tracks)),
        format=pick("format", (f.code for f in choices.formats)),
        audience=pick("audience", choices.audiences),
        language=pick("language", choices.languages),
        access=pick("access", choices.access),
        q=" ".join((args.get("q") or "").split())[:MAX_QUERY_LENGTH],
    )
    return filters, ignored


# --- versions -----------------------------------------------------------------------------


def get_latest_version(summit: Summit) -> ScheduleVersion | None:
    """The newest release; its changelog (a large JSON list) loads only when read."""
    return db.session.scalar(
        select(ScheduleVersion)
        .options(defer(ScheduleVersion.changelog))
        .where(ScheduleVersion.summit_id == summit.id)
        .order_by(ScheduleVersion.number.desc())
        .limit(1)
    )


def get_version(summit: Summit, number: int) -> ScheduleVersion | None:
    return db.session.scalar(
        select(ScheduleVersion).where(
            ScheduleVersion.summit_id == summit.id, ScheduleVersion.number == number
        )
    )


def list_versions(summit: Summit) -> list[ScheduleVersion]:
    """Every released version, newest first (their changelogs are on the rows)."""
    return list(
        db.session.scalars(
            select(ScheduleVersion)
            .where(ScheduleVersion.summit_id == summit.id)
            .order_by(ScheduleVersion.number.desc())
        )
    )


def list_days(version: ScheduleVersion) -> list[date]:
    return list(
        db.session.scalars(
            select(ReleasedSession.day)
            .where(ReleasedSession.version_id == version.id)
            .distinct()
            .order_by(ReleasedSession.day)
        )
    )


def filter_choices(summit: Summit, version: ScheduleVersion) -> FilterChoices:
    tracks = db.session.scalars(
        select(Track).where(Track.summit_id == summit.id).order_by(Track.position, Track.id)
    )
    formats = db.session.scalars(
        select(SessionFormat)
        .where(SessionFormat.summit_id == summit.id)
        .order_by(SessionFormat.position, SessionFormat.id)
    )
    return FilterChoices(
        days=tuple(list_days(version)), tracks=tuple(tracks), formats=tuple(formats)
    )


def list_breaks(summit: Summit, day: date) -> list[TimeSlot]:
    return list(
        db.session.scalars(
            select(TimeSlot)
            .where(
                TimeSlot.summit_id == summit.id,
                TimeSlot.day == day,
                TimeSlot.kind == SlotKind.BREAK.value,
            )
            .order_by(TimeSlot.starts_at)
        )
    )


# --- sessions -----------------------------------------------------------------------------


_MINOR_BANDS = frozenset(band.value for band in AgeBand if band.is_minor)


def _is_minor(presenter) -> bool:
    return presenter.age_band in _MINOR_BANDS


def _is_public(presenter) -> bool:
    """``presenter``: a ``Presenter`` or a row with its columns."""
    if not (presenter.is_lead or presenter.invite_status in PUBLIC_INVITE_STATUSES):
        return False
    # A presenter under 18 is named only once a guardian has agreed.
    return not _is_minor(presenter) or presenter.consent_status == "granted"


def public_name(presenter) -> str:
    """The name the public sees: the first name only for presenters under 18."""
    name = " ".join(presenter.name.split())
    if _is_minor(presenter):
        return name.split(" ", 1)[0] if name else ""
    return name


def person_key(presenter) -> str:
    return f"u{presenter.user_id}" if presenter.user_id else f"p{presenter.public_id}"


def public_presenters(presenters: Iterable) -> tuple[PublicPresenter, ...]:
    """The presenters that may be shown, in the proposal's order (lead first)."""
    return tuple(
        PublicPresenter(
            public_id=p.public_id,
            name=public_name(p),
            role_type=None if _is_minor(p) else p.role_type,
            person_key=person_key(p),
        )
        for p in presenters
        if _is_public(p)
    )


def _room_info(row, room: Room | None) -> RoomInfo:
    """``row``: a ``ReleasedSession`` or a row of ``_SESSION_COLUMNS``."""
    if room is None:  # deleted after the release: the name was kept
        return RoomInfo(code=None, name=row.room_name, position=10**6)
    return room_info(room)


def _programme_session(
    released,
    proposal,
    *,
    format: SessionFormat | None,
    track: Track | None,
    secondary_tracks: tuple[Track, ...],
    presenters: tuple[PublicPresenter, ...],
    room: RoomInfo,
) -> ProgrammeSession:
    """``released`` and ``proposal``: the ORM rows, or one row of ``_SESSION_COLUMNS``
    passed as both. Secondary tracks come in the summit's track order."""
    return ProgrammeSession(
        code=proposal.code,
        title=proposal.title,
        abstract=proposal.abstract or "",
        outcomes=proposal.outcomes or "",
        language=proposal.language,
        format=format,
        track=track,
        secondary_tracks=tuple(sorted(secondary_tracks, key=lambda t: (t.position, t.id))),
        audience_roles=tuple(proposal.audience_roles or ()),
        grade_bands=tuple(proposal.grade_bands or ()),
        has_interpretation="interpretation" in (proposal.av_needs or ()),
        presenters=presenters,
        starts_at=released.starts_at,
        ends_at=released.ends_at,
        day=released.day,
        kind=released.slot_kind,
        room=room,
        is_cancelled=released.is_cancelled,
        sequence=released.sequence,
        changed_at=released.changed_at,
        proposal_id=released.proposal_id,
    )


def to_session(row: ReleasedSession) -> ProgrammeSession:
    """One loaded ``ReleasedSession`` (its proposal and room with it) as the pages see it."""
    proposal = row.proposal
    return _programme_session(
        row,
        proposal,
        format=proposal.format,
        track=proposal.track,
        secondary_tracks=tuple(proposal.secondary_tracks),
        presenters=public_presenters(proposal.presenters),
        room=_room_info(row, row.room),
    )


# Lists load plain columns, not ORM rows: building 300 ``ReleasedSession``, ``Proposal``
# and ``Presenter`` objects cost as much as writing the whole calendar feed.
_PROPOSAL_SHOWN = (
    Proposal.code,
    Proposal.title,
    Proposal.abstract,
    Proposal.outcomes,
    Proposal.language,
    Proposal.audience_roles,
    Proposal.grade_bands,
    Proposal.av_needs,
)
_SESSION_COLUMNS = (
    ReleasedSession.proposal_id,
    ReleasedSession.starts_at,
    ReleasedSession.ends_at,
    ReleasedSession.day,
    ReleasedSession.slot_kind,
    ReleasedSession.room_id,
    ReleasedSession.room_name,
    ReleasedSession.is_cancelled,
    ReleasedSession.sequence,
    ReleasedSession.changed_at,
    *_PROPOSAL_SHOWN,
    Proposal.format_id,
    Proposal.track_id,
)
_PRESENTER_COLUMNS = (
    Presenter.proposal_id,
    Presenter.public_id,
    Presenter.user_id,
    Presenter.name,
    Presenter.role_type,
    Presenter.age_band,
    Presenter.is_lead,
    Presenter.invite_status,
    Presenter.consent_status,
)


def _summit_rows(model, summit: Summit, ids: Iterable[int | None]) -> dict:
    """Rows of ``model`` (tracks, formats, rooms: a handful per summit) by id. Taken from
    the session when the page has loaded them already (the filter choices load tracks
    and formats), else one statement for all of the summit's."""
    found = {}
    for ident in set(ids) - {None}:
        loaded = db.session.identity_map.get(identity_key(model, ident))
        if loaded is None or inspect(loaded).expired_attributes:
            rows = db.session.scalars(select(model).where(model.summit_id == summit.id))
            return {row.id: row for row in rows}
        found[ident] = loaded
    return found


def _sessions_from_columns(summit: Summit, query: Select) -> list[ProgrammeSession]:
    """The sessions ``query`` (over ``_SESSION_COLUMNS``) selects, with their presenters
    and secondary tracks in two more statements and their tracks, formats and rooms in at
    most three more, however many sessions there are."""
    rows = db.session.execute(query).all()
    if not rows:
        return []
    ids = [row.proposal_id for row in rows]
    presenters: dict[int, list] = {}
    for p in db.session.execute(
        select(*_PRESENTER_COLUMNS)
        .where(Presenter.proposal_id.in_(ids))
        .order_by(Presenter.proposal_id, Presenter.is_lead.desc(), Presenter.id)
    ):
        presenters.setdefault(p.proposal_id, []).append(p)
    secondary_ids: dict[int, list[int]] = {}
    for proposal_id, track_id in db.session.execute(
        select(proposal_secondary_tracks.c.proposal_id, proposal_secondary_tracks.c.track_id).where(
            proposal_secondary_tracks.c.proposal_id.in_(ids)
        )
    ):
        secondary_ids.setdefault(proposal_id, []).append(track_id)
    track_ids = [row.track_id for row in rows]
    track_ids += [t for group in secondary_ids.values() for t in group]
    tracks = _summit_rows(Track, summit, track_ids)
    formats = _summit_rows(SessionFormat, summit, (row.format_id for row in rows))
    rooms = _summit_rows(Room, summit, (row.room_id for row in rows))
    return [
        _programme_session(
            row,
            row,
            format=formats.get(row.format_id),
            track=tracks.get(row.track_id),
            secondary_tracks=tuple(tracks[t] for t in secondary_ids.get(row.proposal_id, ())),
            presenters=public_presenters(presenters.get(row.proposal_id, ())),
            room=_room_info(row, rooms.get(row.room_id)),
        )
        for row in rows
    ]


def _fold(text: str) -> str:
    """Lower case without accents, so "Perez" finds "Pérez" and "AREA" finds "área"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_EMPHASIS = re.compile(r"[*_`~]+")


def _matches_text(session: ProgrammeSession, term: str) -> bool:
    """The term in the title, the abstract (as written or without Markdown emphasis) or
    a shown presenter's name."""
    abstract = session.abstract
    haystack = [session.title, abstract, _EMPHASIS.sub("", abstract)]
    haystack += [p.name for p in session.presenters]
    return any(term in _fold(text) for text in haystack)


def _sort_key(session: ProgrammeSession):
    return (session.starts_at, session.room.position, session.room.name, session.title)


def list_released(
    summit: Summit,
    filters: ProgrammeFilters | None = None,
    *,
    version: ScheduleVersion | None = None,
    room_code: str | None = None,
    proposal_ids: Select | None = None,
) -> list[ProgrammeSession]:
    """Sessions of the newest version (cancelled ones included), in time then room order."""
    version = version or get_latest_version(summit)
    if version is None:
        return []
    filters = filters or ProgrammeFilters()
    query = (
        select(*_SESSION_COLUMNS)
        .join(Proposal, Proposal.id == ReleasedSession.proposal_id)
        .where(ReleasedSession.version_id == version.id)
    )
    if filters.day:
        query = query.where(ReleasedSession.day == filters.day)
    if room_code:
        query = query.where(
            ReleasedSession.room_id.in_(
                select(Room.id).where(Room.summit_id == summit.id, Room.code == room_code)
            )
        )
    if proposal_ids is not None:
        query = query.where(ReleasedSession.proposal_id.in_(proposal_ids))
    if filters.track:
        track_ids = select(Track.id).where(
            Track.summit_id == summit.id, Track.code == filters.track
        )
        query = query.where(
            or_(
                Proposal.track_id.in_(track_ids),
                exists().where(
                    proposal_secondary_tracks.c.proposal_id == Proposal.id,
                    proposal_secondary_tracks.c.track_id.in_(track_ids),
                ),
            )
        )
    if filters.format:
        query = query.where(
            Proposal.format_id.in_(
                select(SessionFormat.id).where(
                    SessionFormat.summit_id == summit.id, SessionFormat.code == filters.format
                )
            )
        )
    if filters.language:
        languages = {filters.language}
        if filters.language != SessionLanguage.BILINGUAL.value:
            languages.add(SessionLanguage.BILINGUAL.value)  # bilingual suits both
        query = query.where(Proposal.language.in_(sorted(languages)))
    sessions = _sessions_from_columns(summit, query)
    if filters.audience:
        sessions = [s for s in sessions if filters.audience in s.audience_roles]
    if filters.access:
        sessions = [s for s in sessions if filters.access in s.access_features]
    term = _fold(filters.q.strip())
    if term:
        sessions = [s for s in sessions if _matches_text(s, term)]
    return sorted(sessions, key=_sort_key)


@functools.cache
def _released_session_statement(with_summit: bool = False) -> Select:
    """The session page's statement, built once: the released row with everything the
    page shows joined in, and only the columns it shows of proposals and presenters;
    ``with_summit``, the summit too, found by its slug (one statement for the page).

    A statement built on each view costs more than running it: SQLAlchemy works out its
    options and its cache key anew, where a kept statement has both memoised. The
    proposal is found by its code in a sub-select so that PostgreSQL goes straight to
    the one released row (version, proposal)."""
    if with_summit:  # an uncorrelated sub-select: PostgreSQL runs it once, first
        named = aliased(Summit)
        summit_id = select(named.id).where(named.slug == bindparam("slug")).scalar_subquery()
    else:
        summit_id = bindparam("summit_id")
    newest = (
        select(ScheduleVersion.id)
        .where(ScheduleVersion.summit_id == summit_id)
        .order_by(ScheduleVersion.number.desc())
        .limit(1)
        .scalar_subquery()
    )
    coded = aliased(Proposal)
    proposal = (
        select(coded.id)
        .where(coded.summit_id == summit_id, coded.code == bindparam("code"))
        .scalar_subquery()
    )
    shown = contains_eager(ReleasedSession.proposal).load_only(
        *_PROPOSAL_SHOWN, Proposal.format_id, Proposal.track_id
    )
    statement = select(ReleasedSession, Summit) if with_summit else select(ReleasedSession)
    statement = statement.join(Proposal, Proposal.id == ReleasedSession.proposal_id)
    if with_summit:
        statement = statement.join(Summit, Summit.id == Proposal.summit_id)
    return statement.where(
        ReleasedSession.version_id == newest, ReleasedSession.proposal_id == proposal
    ).options(
        shown.joinedload(Proposal.presenters).load_only(*_PRESENTER_COLUMNS),
        shown.joinedload(Proposal.secondary_tracks),
        shown.joinedload(Proposal.track),
        shown.joinedload(Proposal.format),
        joinedload(ReleasedSession.room),
    )


def get_released_session(summit: Summit, code: str) -> ProgrammeSession | None:
    """The session with this proposal code in the newest version, else None: one query,
    the newest version found by a sub-select."""
    row = (
        db.session.scalars(_released_session_statement(), {"summit_id": summit.id, "code": code})
        .unique()
        .first()
    )
    return to_session(row) if row is not None else None


def get_summit_and_session(slug: str, code: str) -> tuple[Summit, ProgrammeSession] | None:
    """The summit at ``slug`` and its released session ``code`` in one statement (the
    session page's), else None when either is missing."""
    row = (
        db.session.execute(_released_session_statement(True), {"slug": slug, "code": code})
        .unique()
        .first()
    )
    return (row.Summit, to_session(row.ReleasedSession)) if row is not None else None


def released_codes(version: ScheduleVersion) -> set[str]:
    """Proposal codes in a version: which changelog entries can link to a session page."""
    return set(
        db.session.scalars(
            select(Proposal.code)
            .join(ReleasedSession, ReleasedSession.proposal_id == Proposal.id)
            .where(ReleasedSession.version_id == version.id)
        )
    )


# --- grid and days ------------------------------------------------------------------------


@dataclass
class GridRow:
    starts_at: datetime
    ends_at: datetime
    kind: str  # session | plenary | break
    cells: list[list[ProgrammeSession]] = field(default_factory=list)  # one per column
    plenary: list[ProgrammeSession] = field(default_factory=list)
    slot: TimeSlot | None = None  # the break's slot, for its label

    @property
    def sessions(self) -> list[ProgrammeSession]:
        return self.plenary + [s for cell in self.cells for s in cell]


@dataclass
class Grid:
    rooms: list[RoomInfo]
    rows: list[GridRow]

    @property
    def is_empty(self) -> bool:
        return not any(row.sessions for row in self.rows)


def _room_key(room: RoomInfo) -> str:
    return room.code or f"name:{room.name}"


def build_grid(sessions: list[ProgrammeSession], breaks: Iterable[TimeSlot] = ()) -> Grid:
    """One day as rooms × start times. Plenary sessions span every room; breaks are
    rows of their own. Pure: values in, values out."""
    rooms: dict[str, RoomInfo] = {}
    for s in sessions:
        if not s.is_plenary:
            rooms.setdefault(_room_key(s.room), s.room)
    columns = sorted(rooms.values(), key=lambda r: (r.position, r.name))
    index = {_room_key(r): i for i, r in enumerate(columns)}
    rows: dict[tuple[datetime, str], GridRow] = {}
    for s in sessions:
        kind = "plenary" if s.is_plenary else "session"
        row = rows.get((s.starts_at, kind))
        if row is None:
            row = GridRow(s.starts_at, s.ends_at, kind, cells=[[] for _ in columns])
            rows[(s.starts_at, kind)] = row
        row.ends_at = max(row.ends_at, s.ends_at)
        if s.is_plenary:
            row.plenary.append(s)
        else:
            row.cells[index[_room_key(s.room)]].append(s)
    for slot in breaks:
        rows[(slot.starts_at, "break")] = GridRow(
            slot.starts_at, slot.ends_at, "break", cells=[[] for _ in columns], slot=slot
        )
    order = {"plenary": 0, "session": 1, "break": 2}
    ordered = sorted(rows.values(), key=lambda r: (r.starts_at, order[r.kind]))
    return Grid(rooms=columns, rows=ordered)


def by_day(sessions: Iterable[ProgrammeSession]) -> list[tuple[date, list[ProgrammeSession]]]:
    days: dict[date, list[ProgrammeSession]] = {}
    for s in sessions:
        days.setdefault(s.day, []).append(s)
    return sorted(days.items())


def by_start(
    sessions: Iterable[ProgrammeSession],
) -> list[tuple[datetime, datetime, list[ProgrammeSession]]]:
    groups: dict[datetime, list[ProgrammeSession]] = {}
    for s in sessions:
        groups.setdefault(s.starts_at, []).append(s)
    return [(start, max(s.ends_at for s in group), group) for start, group in groups.items()]


# --- tracks, rooms, presenters ------------------------------------------------------------


def count_by_track(sessions: Iterable[ProgrammeSession]) -> dict[str, int]:
    """Sessions (not cancelled) per track code, counting secondary tracks too."""
    counts: dict[str, int] = {}
    for s in sessions:
        if s.is_cancelled:
            continue
        for track in {t.code for t in s.all_tracks()}:
            counts[track] = counts.get(track, 0) + 1
    return counts


def room_info(room: Room) -> RoomInfo:
    return RoomInfo(
        code=room.code,
        name=room.name,
        building=room.building or "",
        floor=room.floor or "",
        capacity=room.capacity,
        features=tuple(room.features or ()),
        position=room.position,
    )


@dataclass(frozen=True)
class PresenterPage:
    name: str
    role_type: str | None
    sessions: list[ProgrammeSession]


def get_presenter_page(summit: Summit, public_id: str) -> PresenterPage | None:
    """A presenter shown in the newest version, with every released session of the same
    person (one account across proposals). None when they are not public."""
    version = get_latest_version(summit)
    if version is None:
        return None
    presenter = db.session.scalar(
        select(Presenter)
        .join(Proposal, Proposal.id == Presenter.proposal_id)
        .where(Presenter.public_id == public_id, Proposal.summit_id == summit.id)
    )
    if presenter is None or not _is_public(presenter):
        return None
    same_person = Presenter.id == presenter.id
    if presenter.user_id:
        same_person = Presenter.user_id == presenter.user_id
    proposal_ids = select(Presenter.proposal_id).where(same_person)
    key = person_key(presenter)
    sessions = [
        s
        for s in list_released(summit, version=version, proposal_ids=proposal_ids)
        if any(p.person_key == key for p in s.presenters)
    ]
    if not sessions:
        return None
    return PresenterPage(
        name=public_name(presenter),
        role_type=None if _is_minor(presenter) else presenter.role_type,
        sessions=sessions,
    )


# --- changes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Placed:
    starts_at: datetime | None
    ends_at: datetime | None
    room: str


@dataclass(frozen=True)
class Change:
    code: str
    title: str
    kind: str
    before: Placed | None
    after: Placed | None


def _placed(snapshot: Mapping | None) -> Placed | None:
    if not snapshot:
        return None

    def when(key: str) -> datetime | None:
        try:
            return datetime.fromisoformat(str(snapshot.get(key)))
        except (TypeError, ValueError):
            return None

    return Placed(when("starts_at"), when("ends_at"), str(snapshot.get("room") or ""))


def list_changes(version: ScheduleVersion) -> list[Change]:
    return [
        Change(
            code=str(entry.get("code", "")),
            title=str(entry.get("title") or entry.get("code", "")),
            kind=str(entry.get("kind", "")),
            before=_placed(entry.get("before")),
            after=_placed(entry.get("after")),
        )
        for entry in version.changelog or []
        if isinstance(entry, Mapping)
    ]


# --- export ----------------------------------------------------------------------------------


def export_programme(
    summit: Summit,
    version: ScheduleVersion,
    sessions: Iterable[ProgrammeSession],
    *,
    session_url: Callable[[str], str],
) -> dict:
    """The released schedule as JSON-ready values; times carry the summit's offset."""
    tz = ZoneInfo(summit.timezone)
    sessions = list(sessions)

    def local(value: datetime) -> str:
        return value.astimezone(tz).isoformat()

    def names(obj) -> dict | None:
        if obj is None:
            return None
        return {"code": obj.code, "name_en": obj.name_en, "name_es": obj.name_es}

    rooms: dict[str, RoomInfo] = {}
    for s in sessions:
        if s.room.code:
            rooms.setdefault(s.room.code, s.room)
    return {
        "summit": {"slug": summit.slug, "name": summit.name, "name_es": summit.name_es},
        "version": version.number,
        "released_at": local(version.released_at),
        "timezone": summit.timezone,
        "rooms": [
            {
                "code": r.code,
                "name": r.name,
                "building": r.building,
                "floor": r.floor,
                "capacity": r.capacity,
                "features": list(r.features),
            }
            for r in sorted(rooms.values(), key=lambda r: (r.position, r.name))
        ],
        "sessions": [
            {
                "code": s.code,
                "title": s.title,
                "track": names(s.track),
                "format": names(s.format),
                "language": s.language,
                "interpretation": s.has_interpretation,
                "day": s.day.isoformat(),
                "kind": s.kind,
                "starts_at": local(s.starts_at),
                "ends_at": local(s.ends_at),
                "room": s.room.code,
                "room_name": s.room.name,
                "presenters": [p.name for p in s.presenters],
                "cancelled": s.is_cancelled,
                "sequence": s.sequence,
                "url": session_url(s.code),
            }
            for s in sessions
        ],
    }
