"""The public programme: by day (grid or list), by track, by room, sessions, presenters,
a printable version, the changes between versions and a JSON export.

Only the newest released version is shown; before the first release every listing
explains that the programme is not published yet."""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, abort, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from summit.accounts.enums import PRESENTER_ROLE_LABELS
from summit.core.transactions import outside_a_transaction
from summit.proposals.enums import GRADE_BAND_LABELS, SESSION_LANGUAGE_LABELS
from summit.scheduling import programme, queries
from summit.scheduling.enums import CHANGE_KIND_LABELS, ROOM_FEATURE_LABELS
from summit.summits.queries import get_track
from summit.summits.routes import summit_view

bp = Blueprint("programme", __name__)
# Every page here only reads a released version: no transaction around the reads.
bp.before_request(outside_a_transaction)

ACCESS_LABELS = {
    "interpretation": _l("Spanish–English interpretation"),
    **{code: ROOM_FEATURE_LABELS[code] for code in programme.ROOM_ACCESS},
}
IGNORED_LABELS = {
    "day": _l("day"),
    "track": _l("track"),
    "format": _l("format"),
    "audience": _l("audience"),
    "language": _l("language"),
    "access": _l("accessibility"),
    "view": _l("view"),
}


@bp.context_processor
def programme_labels() -> dict:
    return {
        "audience_labels": PRESENTER_ROLE_LABELS,
        "grade_labels": GRADE_BAND_LABELS,
        "language_labels": SESSION_LANGUAGE_LABELS,
        "access_labels": ACCESS_LABELS,
        "feature_labels": ROOM_FEATURE_LABELS,
        "change_labels": CHANGE_KIND_LABELS,
    }


def _unpublished(summit):
    return render_template("programme/unpublished.html", summit=summit)


@bp.get("/<slug>/programme")
@summit_view()
def index(summit):
    version = programme.get_latest_version(summit)
    if version is None:
        return _unpublished(summit)
    choices = programme.filter_choices(summit, version)
    filters, ignored = programme.parse_filters(request.args, choices)
    view = request.args.get("view", "grid")
    if view not in programme.VIEWS:
        ignored.append("view")
        view = "grid"
    day = filters.day or (choices.days[0] if choices.days else None)
    filters = replace(filters, day=day)
    sessions = programme.list_released(summit, filters, version=version) if day else []
    breaks = programme.list_breaks(summit, day) if day else []
    return render_template(
        "programme/index.html",
        summit=summit,
        version=version,
        choices=choices,
        filters=filters,
        ignored=[IGNORED_LABELS[name] for name in dict.fromkeys(ignored)],
        view=view,
        day=day,
        grid=programme.build_grid(sessions, breaks),
        count=len(sessions),
    )


@bp.get("/<slug>/programme/tracks")
@summit_view()
def tracks(summit):
    version = programme.get_latest_version(summit)
    if version is None:
        return _unpublished(summit)
    choices = programme.filter_choices(summit, version)
    counts = programme.count_by_track(programme.list_released(summit, version=version))
    return render_template(
        "programme/tracks.html",
        summit=summit,
        version=version,
        tracks=[t for t in choices.tracks if counts.get(t.code)],
        counts=counts,
    )


@bp.get("/<slug>/programme/tracks/<code>")
@summit_view()
def track(summit, code: str):
    track = get_track(summit, code)
    if track is None:
        abort(404)
    version = programme.get_latest_version(summit)
    if version is None:
        return _unpublished(summit)
    sessions = programme.list_released(
        summit, programme.ProgrammeFilters(track=track.code), version=version
    )
    return render_template(
        "programme/track.html",
        summit=summit,
        version=version,
        track=track,
        days=programme.by_day(sessions),
        count=len(sessions),
    )


@bp.get("/<slug>/programme/rooms/<code>")
@summit_view()
def room(summit, code: str):
    room = queries.get_room(summit, code)
    if room is None:
        abort(404)
    version = programme.get_latest_version(summit)
    if version is None:
        return _unpublished(summit)
    sessions = programme.list_released(summit, version=version, room_code=room.code)
    return render_template(
        "programme/room.html",
        summit=summit,
        version=version,
        room=programme.room_info(room),
        days=programme.by_day(sessions),
        count=len(sessions),
    )


@bp.get("/<slug>/programme/sessions/<code>")
def session(slug: str, code: str):
    # The summit and the session in one statement: this is the page people open most.
    found = programme.get_summit_and_session(slug, code)
    if found is None:  # no such summit, or no such session in its programme
        abort(404)
    summit, session = found
    return render_template("programme/session.html", summit=summit, session=session)


@bp.get("/<slug>/programme/presenters/<public_id>")
@summit_view()
def presenter(summit, public_id: str):
    page = programme.get_presenter_page(summit, public_id)
    if page is None:
        abort(404)
    return render_template(
        "programme/presenter.html",
        summit=summit,
        presenter=page,
        public_id=public_id,
        days=programme.by_day(page.sessions),
    )


@bp.get("/<slug>/programme/print")
@summit_view()
def print_view(summit):
    version = programme.get_latest_version(summit)
    if version is None:
        return _unpublished(summit)
    sessions = programme.list_released(summit, version=version)
    return render_template(
        "programme/print.html",
        summit=summit,
        version=version,
        days=[(day, programme.by_start(group)) for day, group in programme.by_day(sessions)],
    )


@bp.get("/<slug>/programme/changes")
@summit_view()
def changes(summit):
    versions = programme.list_versions(summit)
    if not versions:
        return _unpublished(summit)
    return render_template(
        "programme/changes.html",
        summit=summit,
        version=versions[0],
        versions=[(v, programme.list_changes(v)) for v in versions],
        linkable=programme.released_codes(versions[0]),
    )


@bp.get("/<slug>/programme.json")
@summit_view()
def export(summit):
    version = programme.get_latest_version(summit)
    if version is None:
        message = _("The program is not published yet.")
        return jsonify({"error": {"code": "not_published", "message": message, "fields": {}}}), 404
    sessions = programme.list_released(summit, version=version)
    data = programme.export_programme(
        summit,
        version,
        sessions,
        session_url=lambda code: url_for(
            "programme.session", slug=summit.slug, code=code, _external=True
        ),
    )
    response = jsonify(data)
    response.headers["Cache-Control"] = "public, max-age=60"
    return response
