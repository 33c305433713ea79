"""The released schedule, public: sessions of the newest version with rooms and times,
its rooms, and every version with its changes. Nothing before the first release."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_smorest import Blueprint

from summit.core.api import documents_errors, paginate
from summit.core.api_schema import PageQuerySchema
from summit.core.errors import DomainError, NotFound
from summit.scheduling import programme
from summit.scheduling.schemas import (
    RoomListSchema,
    ScheduleQuerySchema,
    ScheduleSchema,
    SessionSchema,
    VersionListSchema,
)
from summit.summits.services import find_summit

blp = Blueprint("schedule_api", __name__, description="The released schedule (public)")

FILTERS = ("day", "track", "format", "audience", "language", "access", "q")


def _not_published() -> NotFound:
    return NotFound("not_published", _("The program is not published yet."))


def _released(slug: str):
    summit = find_summit(slug)
    version = programme.get_latest_version(summit)
    if version is None:
        raise _not_published()
    return summit, version


def _page(args: dict) -> dict:
    return {"limit": args["limit"], "cursor": args["cursor"]}


@blp.route("/summits/<slug>/schedule", methods=["GET"])
@blp.arguments(ScheduleQuerySchema, location="query")
@blp.response(200, ScheduleSchema)
@documents_errors(blp, 404)
def schedule(args: dict, slug: str):
    """Sessions of the newest released version (cancelled ones included), in time then
    room order, filtered like the programme pages. A filter value the summit does not
    have is a 422 naming the filter."""
    summit, version = _released(slug)
    choices = programme.filter_choices(summit, version)
    filters, ignored = programme.parse_filters({k: args[k] for k in FILTERS}, choices)
    if ignored:
        message = _("This summit's program has no such value.")
        raise DomainError(
            "invalid",
            _("Some of what you sent is not valid."),
            fields={name: [message] for name in ignored},
            status=422,
        )
    page = paginate(programme.list_released(summit, filters, version=version), _page(args))
    return {"summit": summit.slug, "timezone": summit.timezone, "version": version, **page}


@blp.route("/summits/<slug>/schedule/sessions/<code>", methods=["GET"])
@blp.response(200, SessionSchema)
@documents_errors(blp, 404)
def session(slug: str, code: str):
    """One session of the newest released version, by its proposal code."""
    summit, _version = _released(slug)
    found = programme.get_released_session(summit, (code or "").upper()[:12])
    if found is None:
        raise NotFound("session_not_found", _("There is no session with that code."))
    return found


@blp.route("/summits/<slug>/schedule/rooms", methods=["GET"])
@blp.arguments(PageQuerySchema, location="query")
@blp.response(200, RoomListSchema)
@documents_errors(blp, 404)
def rooms(args: dict, slug: str):
    """Rooms with sessions in the newest released version, in the venue's order."""
    summit, version = _released(slug)
    found: dict = {}
    for released in programme.list_released(summit, version=version):
        if released.room.code:
            found.setdefault(released.room.code, released.room)
    ordered = sorted(found.values(), key=lambda r: (r.position, r.name))
    return paginate(ordered, _page(args))


@blp.route("/summits/<slug>/schedule/versions", methods=["GET"])
@blp.arguments(PageQuerySchema, location="query")
@blp.response(200, VersionListSchema)
@documents_errors(blp, 404)
def versions(args: dict, slug: str):
    """Every released version, newest first, with what changed against the one before."""
    summit = find_summit(slug)
    released = programme.list_versions(summit)
    if not released:
        raise _not_published()
    page = paginate(released, _page(args))
    page["items"] = [
        {
            "number": v.number,
            "released_at": v.released_at,
            "note_en": v.note_en,
            "note_es": v.note_es,
            "changes": programme.list_changes(v),
        }
        for v in page["items"]
    ]
    return page
