"""Staff pages for scheduling: rooms, the time grid, the draft editor, solver runs and
releases. Every form works without JavaScript; the editor's drag-and-drop posts the
same move form and reads a JSON answer."""

from __future__ import annotations

from collections import defaultdict

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from summit.accounts.forms import EmptyForm
from summit.core.errors import DomainError
from summit.core.forms import apply_errors, status_for
from summit.core.i18n import select_locale
from summit.core.templating import local_datetime
from summit.extensions import db
from summit.scheduling import jobs, programme, queries, services
from summit.scheduling.enums import (
    CHANGE_KIND_LABELS,
    ROOM_FEATURE_LABELS,
    RUN_STATE_LABELS,
    SLOT_KIND_LABELS,
    RunState,
    SlotKind,
)
from summit.scheduling.forms import (
    DetailsForm,
    MoveForm,
    ReleaseForm,
    RevisionForm,
    RoomForm,
    SettingsForm,
    SlotForm,
    SolveForm,
)
from summit.scheduling.models import SolveRun
from summit.summits.policies import can_manage_summit
from summit.summits.routes import summit_view

bp = Blueprint("scheduling_staff", __name__)
staff_view = summit_view(can_manage_summit)


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _editor(summit, **anchor):
    return redirect(url_for("scheduling_staff.editor", slug=summit.slug, **anchor))


# --- rooms ----------------------------------------------------------------------------


@bp.get("/<slug>/staff/rooms")
@staff_view
def rooms(summit):
    return render_template(
        "scheduling_staff/rooms.html",
        summit=summit,
        rooms=queries.list_rooms(summit),
        feature_labels=ROOM_FEATURE_LABELS,
    )


@bp.route("/<slug>/staff/rooms/new", methods=["GET", "POST"])
@bp.route("/<slug>/staff/rooms/<code>", methods=["GET", "POST"])
@staff_view
def room_form(summit, code: str | None = None):
    room = None
    if code is not None:
        room = queries.get_room(summit, code)
        if room is None:
            abort(404)
    form = RoomForm(obj=room)
    if form.validate_on_submit():
        values = {
            name: getattr(form, name).data
            for name in ("name", "building", "floor", "capacity", "features", "notes")
        }
        values |= {"position": form.position.data or 0, "is_active": bool(form.is_active.data)}
        try:
            services.save_room(summit, actor=current_user, room=room, **values)
        except DomainError as error:
            db.session.rollback()
            apply_errors(form, error)
            flash(error.message, "danger")
        else:
            db.session.commit()
            flash(_("Room saved."), "success")
            return redirect(url_for("scheduling_staff.rooms", slug=summit.slug))
    return render_template(
        "scheduling_staff/room_form.html", summit=summit, form=form, room=room
    ), status_for(form)


# --- the time grid --------------------------------------------------------------------


def _slots_by_day(summit):
    days = defaultdict(list)
    for slot in queries.list_slots(summit):
        days[slot.day].append(slot)
    return dict(days)


@bp.get("/<slug>/staff/slots")
@staff_view
def slots(summit):
    return render_template(
        "scheduling_staff/slots.html",
        summit=summit,
        days=_slots_by_day(summit),
        kind_labels=SLOT_KIND_LABELS,
        form=EmptyForm(),
    )


@bp.route("/<slug>/staff/slots/new", methods=["GET", "POST"])
@bp.route("/<slug>/staff/slots/<code>", methods=["GET", "POST"])
@staff_view
def slot_form(summit, code: str | None = None):
    slot = None
    if code is not None:
        slot = queries.get_slot(summit, code)
        if slot is None:
            abort(404)
    form = SlotForm()
    if request.method == "GET":
        if slot is not None:
            from zoneinfo import ZoneInfo

            zone = ZoneInfo(summit.timezone)
            form.day.data = slot.day
            form.start.data = slot.starts_at.astimezone(zone).time()
            form.end.data = slot.ends_at.astimezone(zone).time()
            form.kind.data = slot.kind
            form.label_en.data, form.label_es.data = slot.label_en, slot.label_es
        else:
            form.day.data = summit.starts_on
    if form.validate_on_submit():
        try:
            services.save_slot(
                summit,
                actor=current_user,
                slot=slot,
                day=form.day.data,
                start=form.start.data,
                end=form.end.data,
                kind=form.kind.data,
                label_en=form.label_en.data or "",
                label_es=form.label_es.data or "",
            )
        except DomainError as error:
            db.session.rollback()
            apply_errors(form, error)
            flash(error.message, "danger")
        else:
            db.session.commit()
            flash(_("Time slot saved."), "success")
            return redirect(url_for("scheduling_staff.slots", slug=summit.slug))
    return render_template(
        "scheduling_staff/slot_form.html", summit=summit, form=form, slot=slot
    ), status_for(form)


@bp.post("/<slug>/staff/slots/<code>/delete")
@staff_view
def delete_slot(summit, code: str):
    slot = queries.get_slot(summit, code)
    if slot is None:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.delete_slot(summit, slot, actor=current_user)
    db.session.commit()
    flash(_("Time slot removed. Its sessions are back in the list to place."), "success")
    return redirect(url_for("scheduling_staff.slots", slug=summit.slug))


# --- the draft editor -----------------------------------------------------------------


def _cell_choices(summit, placements, slots, rooms):
    """Every (slot, room) a session may go to, labelled for the "Move to…" list."""
    occupied = {(p.slot_id, p.room_id): p.proposal.code for p in placements if p.slot_id}
    choices = [SelectChoice("", _("Not in the grid (to place later)"))]
    for slot in slots:
        if slot.kind == SlotKind.BREAK:
            continue
        when = local_datetime(slot.starts_at, summit.timezone, "EEE HH:mm")
        for room in rooms:
            taken = occupied.get((slot.id, room.id))
            label = f"{when} · {room.name}"
            if taken:
                label += " · " + _("swap with %(code)s", code=taken)
            choices.append(SelectChoice(f"{slot.code}:{room.code}", label))
    return choices


@bp.get("/<slug>/staff/schedule")
@staff_view
def editor(summit):
    draft, report = services.check_draft(summit)
    db.session.commit()  # placements created for newly accepted sessions
    slots = queries.list_slots(summit)
    rooms = queries.list_rooms(summit, active_only=True)
    by_cell = {
        (p.slot_id, p.room_id): p for p in draft.placements.values() if p.slot_id is not None
    }
    unplaced = [p for p in draft.placements.values() if p.slot_id is None]
    warnings, broken = defaultdict(list), []
    for violation in report.violations:
        broken.append(services.describe(violation, draft))
        for code in violation.sessions:
            warnings[code].append(broken[-1])
    days = defaultdict(list)
    for slot in slots:
        days[slot.day].append(slot)
    return render_template(
        "scheduling_staff/editor.html",
        summit=summit,
        days=dict(days),
        rooms=rooms,
        by_cell=by_cell,
        unplaced=unplaced,
        warnings=warnings,
        broken=broken,
        report=report,
        audiences=draft.audiences,
        run=queries.get_latest_run(summit),
        run_labels=RUN_STATE_LABELS,
        versions=programme.list_versions(summit),
        settings=services.get_settings(summit),
        form=EmptyForm(),
        solve_form=SolveForm(),
        release_form=ReleaseForm(),
        kind_labels=SLOT_KIND_LABELS,
    )


def _placement_or_404(summit, code: str):
    try:
        return services.get_placement(summit, code)
    except DomainError as error:
        if _wants_json():  # drag-and-drop reads the reason
            abort(
                make_response(
                    jsonify({"error": {"code": error.code, "message": error.message}}), 404
                )
            )
        abort(404)


def _parse_cell(summit, value: str):
    if not value:
        return None, None
    slot_code, _sep, room_code = value.partition(":")
    slot, room = queries.get_slot(summit, slot_code), queries.get_room(summit, room_code)
    if slot is None or room is None:
        raise DomainError(
            "invalid", _("That time and room do not exist."), fields={"cell": [_("Unknown.")]}
        )
    return slot, room


@bp.route("/<slug>/staff/schedule/sessions/<code>/move", methods=["GET", "POST"])
@staff_view
def move(summit, code: str):
    placement = _placement_or_404(summit, code)
    form = MoveForm()
    form.cell.choices = _cell_choices(
        summit,
        services.list_placements(summit),
        queries.list_slots(summit),
        queries.list_rooms(summit, active_only=True),
    )
    if request.method == "GET":
        form.revision.data = placement.revision
        if placement.slot_id:
            form.cell.data = f"{placement.slot.code}:{placement.room.code}"
    warnings: list[str] = []
    if request.method == "POST":
        if not form.validate_on_submit():
            if _wants_json():
                return jsonify(
                    {"error": {"code": "invalid", "message": _("The form was incomplete.")}}
                ), 400
            return render_template(
                "scheduling_staff/move.html", summit=summit, placement=placement, form=form
            ), 400
        try:
            slot, room = _parse_cell(summit, form.cell.data or "")
            outcome = services.move_session(
                summit,
                placement,
                slot=slot,
                room=room,
                revision=form.revision.data,
                actor=current_user,
                accept_warnings=form.accept_warnings.data == "1",
            )
        except DomainError as error:
            db.session.rollback()
            if _wants_json():
                body = {"code": error.code, "message": error.message, "fields": error.fields}
                return jsonify({"error": body}), error.status
            if error.code == "needs_confirmation":
                warnings = error.fields.get("warnings", [])
                form.accept_warnings.data = "1"
            elif error.code == "stale":
                flash(error.message, "danger")
                return redirect(url_for("scheduling_staff.move", slug=summit.slug, code=code)), 303
            else:
                apply_errors(form, error)
                flash(error.message, "danger")
            return render_template(
                "scheduling_staff/move.html",
                summit=summit,
                placement=placement,
                form=form,
                warnings=warnings,
            ), error.status
        db.session.commit()
        message = (
            _("Moved, with a warning: %(why)s", why=" ".join(outcome.warnings))
            if outcome.warnings
            else _("Moved.")
        )
        if _wants_json():
            return jsonify({"ok": True, "message": message, "swapped": outcome.swapped})
        flash(message, "warning" if outcome.warnings else "success")
        return _editor(summit)
    return render_template(
        "scheduling_staff/move.html",
        summit=summit,
        placement=placement,
        form=form,
        warnings=warnings,
    )


@bp.post("/<slug>/staff/schedule/sessions/<code>/lock", endpoint="lock")
@bp.post("/<slug>/staff/schedule/sessions/<code>/unlock", endpoint="unlock")
@staff_view
def lock(summit, code: str):
    placement = _placement_or_404(summit, code)
    form = RevisionForm()
    if not form.validate_on_submit():
        abort(400)
    locking = request.path.endswith("/lock")
    try:
        services.set_locked(
            summit, placement, locking, revision=form.revision.data, actor=current_user
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(_("Locked.") if locking else _("Unlocked."), "success")
    return _editor(summit)


@bp.route("/<slug>/staff/schedule/sessions/<code>", methods=["GET", "POST"])
@staff_view
def session_details(summit, code: str):
    placement = _placement_or_404(summit, code)
    form = DetailsForm(obj=placement)
    if request.method == "GET":
        form.revision.data = placement.revision
    if form.validate_on_submit():
        try:
            services.set_session_details(
                summit,
                placement,
                audience=form.audience.data,
                needs=form.needs.data,
                revision=form.revision.data,
                actor=current_user,
            )
        except DomainError as error:
            db.session.rollback()
            apply_errors(form, error)
            flash(error.message, "danger")
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return _editor(summit)
    estimates = services.estimate_audiences(summit, services.list_placements(summit))
    unavailable = {
        presenter.id: queries.list_unavailable_slot_ids(presenter)
        for presenter in placement.proposal.active_presenters
    }
    return render_template(
        "scheduling_staff/session.html",
        summit=summit,
        placement=placement,
        form=form,
        estimate=estimates.get(placement.proposal_id),
        needs=services.needs_of(placement),
        feature_labels=ROOM_FEATURE_LABELS,
        slots={s.id: s for s in queries.list_slots(summit)},
        unavailable=unavailable,
    ), status_for(form)


# --- solver runs ----------------------------------------------------------------------


@bp.post("/<slug>/staff/schedule/settings")
@staff_view
def solver_settings(summit):
    form = SettingsForm()
    if form.validate_on_submit():
        try:
            services.update_settings(
                summit, actor=current_user, **{name: getattr(form, name).data for name in
                                               services.SETTINGS_FIELDS}
            )  # fmt: skip
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
        else:
            db.session.commit()
            flash(_("Solver settings saved."), "success")
            return _editor(summit, _anchor="solver")
    for field, messages in form.errors.items():
        flash(f"{getattr(form, field).label.text}: {' '.join(messages)}", "danger")
    return _editor(summit, _anchor="solver"), 303


@bp.post("/<slug>/staff/schedule/solve")
@staff_view
def solve(summit):
    form = SolveForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        run = services.start_run(summit, actor=current_user, keep_draft=form.keep_draft.data == "1")
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return _editor(summit, _anchor="solver")
    db.session.commit()
    jobs.launch(run.id)
    return redirect(url_for("scheduling_staff.run", slug=summit.slug, public_id=run.public_id))


def _run_or_404(summit, public_id: str) -> SolveRun:
    run = queries.get_run(summit, public_id)
    if run is None:
        abort(404)
    return run


@bp.get("/<slug>/staff/schedule/runs/<public_id>")
@staff_view
def run(summit, public_id: str):
    run = _run_or_404(summit, public_id)
    placements = {p.proposal.code: p for p in services.list_placements(summit)}
    slots = {s.code: s for s in queries.list_slots(summit)}
    rooms = {r.code: r for r in queries.list_rooms(summit)}
    return render_template(
        "scheduling_staff/run.html",
        summit=summit,
        run=run,
        run_labels=RUN_STATE_LABELS,
        changes=services.run_changes(run) if run.result else [],
        placements=placements,
        slots=slots,
        rooms=rooms,
        form=EmptyForm(),
    )


@bp.get("/<slug>/staff/schedule/runs/<public_id>.json")
@staff_view
def run_status(summit, public_id: str):
    run = _run_or_404(summit, public_id)
    return jsonify(
        {
            "state": run.state,
            "label": str(RUN_STATE_LABELS[RunState(run.state)]),
            "progress": run.progress,
        }
    )


@bp.post("/<slug>/staff/schedule/runs/<public_id>/apply", endpoint="apply_run")
@bp.post("/<slug>/staff/schedule/runs/<public_id>/discard", endpoint="discard_run")
@staff_view
def finish_run(summit, public_id: str):
    run = _run_or_404(summit, public_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    applying = request.path.endswith("/apply")
    try:
        if applying:
            counts = services.apply_run(summit, run, actor=current_user)
        else:
            services.discard_run(summit, run, actor=current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(url_for("scheduling_staff.run", slug=summit.slug, public_id=public_id))
    db.session.commit()
    if applying:
        message = _("The draft now has the solver's schedule: %(moved)d sessions moved.",
                    moved=counts["moved"])  # fmt: skip
        if counts["skipped"]:
            message += " " + _(
                "%(skipped)d sessions that staff changed meanwhile were left as they are.",
                skipped=counts["skipped"],
            )
        flash(message, "success")
    else:
        flash(_("Result discarded. The draft is unchanged."), "success")
    return _editor(summit)


# --- releases -------------------------------------------------------------------------


@bp.post("/<slug>/staff/schedule/release")
@staff_view
def release(summit):
    form = ReleaseForm()
    if not form.validate_on_submit():
        for messages in form.errors.values():
            flash(" ".join(messages), "danger")
        return _editor(summit, _anchor="release"), 303
    try:
        outcome = services.release(
            summit,
            actor=current_user,
            note_en=form.note_en.data or "",
            note_es=form.note_es.data or "",
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return _editor(summit, _anchor="release")
    db.session.commit()
    flash(
        _(
            "Version %(number)d is public: %(new)d new, %(moved)d moved, %(cancelled)d cancelled; "
            "%(emails)d emails to presenters.",
            number=outcome.version.number,
            new=outcome.new,
            moved=outcome.moved,
            cancelled=outcome.cancelled,
            emails=outcome.emails,
        ),
        "success",
    )
    return redirect(
        url_for("scheduling_staff.version", slug=summit.slug, number=outcome.version.number)
    )


@bp.get("/<slug>/staff/schedule/versions/<int:number>")
@staff_view
def version(summit, number: int):
    version = programme.get_version(summit, number)
    if version is None:
        abort(404)
    return render_template(
        "scheduling_staff/version.html",
        summit=summit,
        version=version,
        change_labels=CHANGE_KIND_LABELS,
        locale=select_locale(),
    )
