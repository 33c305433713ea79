from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from summit.accounts.forms import EmptyForm
from summit.accounts.queries import get_user_by_email
from summit.core.audit import AuditEntry
from summit.core.auth import admin_required
from summit.core.clock import from_local_input, to_local_input
from summit.core.errors import DomainError
from summit.core.forms import apply_errors, status_for
from summit.core.outbox import OutboxMessage
from summit.extensions import db
from summit.summits import policies, services
from summit.summits.enums import ROLE_LABELS
from summit.summits.forms import (
    PHASE_FIELDS,
    GrantRoleForm,
    NewSummitForm,
    NewTrackForm,
    SummitSettingsForm,
    TrackForm,
)
from summit.summits.queries import (
    get_summit_by_slug,
    get_track,
    list_regions,
    list_roles,
    list_tracks,
)

bp = Blueprint("summits", __name__)

AUDIT_PAGE_SIZE = 50


def summit_view(policy=None):
    """Load the summit named in the URL (404), then check ``policy`` (403)."""

    def decorator(view):
        @wraps(view)
        def wrapper(slug: str, *args, **kwargs):
            summit = get_summit_by_slug(slug)
            if summit is None:
                abort(404)
            if policy is not None:
                if not current_user.is_authenticated:
                    from summit.extensions import login_manager

                    return login_manager.unauthorized()
                if not policy(current_user, summit):
                    abort(403)
            return view(summit, *args, **kwargs)

        return wrapper

    return decorator


def _to_utc_fields(form, tz: str) -> dict:
    return {name: from_local_input(getattr(form, name).data, tz) for name in PHASE_FIELDS}


def _fill_local(form, summit) -> None:
    for name in PHASE_FIELDS:
        getattr(form, name).data = to_local_input(getattr(summit, name), summit.timezone)


@bp.get("/<slug>/")
@summit_view()
def home(summit):
    return render_template(
        "summits/home.html",
        summit=summit,
        tracks=list_tracks(summit, active_only=True),
        can_manage=policies.can_manage_summit(current_user, summit),
    )


@bp.get("/<slug>/tracks.css")
@summit_view()
def tracks_css(summit):
    """Track colours as classes, so pages need no inline style under the CSP."""
    body = render_template("summits/tracks.css", tracks=list_tracks(summit))
    return body, 200, {"Content-Type": "text/css; charset=utf-8", "Cache-Control": "max-age=300"}


@bp.route("/<slug>/staff/settings", methods=["GET", "POST"])
@summit_view(policies.can_manage_summit)
def settings(summit):
    form = SummitSettingsForm(obj=summit)
    if request.method == "GET":
        _fill_local(form, summit)
    if form.validate_on_submit():
        try:
            tz = services.check_timezone(form.timezone.data.strip())
            services.update_summit(
                summit,
                actor=current_user,
                name=form.name.data.strip(),
                name_es=(form.name_es.data or "").strip() or None,
                venue=(form.venue.data or "").strip(),
                timezone=tz,
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                **_to_utc_fields(form, tz),
            )
        except DomainError as error:
            db.session.rollback()
            apply_errors(form, error)
            flash(error.message, "danger")
        else:
            db.session.commit()
            flash(_("Settings saved."), "success")
            return redirect(url_for("summits.settings", slug=summit.slug))
    return render_template("summits/settings.html", summit=summit, form=form), status_for(form)


@bp.route("/<slug>/staff/people", methods=["GET", "POST"])
@summit_view(policies.can_manage_summit)
def people(summit):
    form = GrantRoleForm()
    form.region.choices = [("", _("No region"))] + [(r, r) for r in list_regions(summit)]
    if form.validate_on_submit():
        user = get_user_by_email(form.email.data)
        if user is None:
            form.email.errors = [_("No account uses this email. Ask the person to sign up first.")]
        else:
            try:
                services.grant_role(
                    summit,
                    user,
                    form.role.data,
                    actor=current_user,
                    region=(form.region.data or "")[:80],
                )
            except DomainError as error:
                db.session.rollback()
                if not apply_errors(form, error):
                    form.email.errors = [error.message]
            else:
                db.session.commit()
                flash(
                    _(
                        "%(name)s can now act as %(role)s.",
                        name=user.name,
                        role=ROLE_LABELS[form.role.data],
                    ),
                    "success",
                )
                return redirect(url_for("summits.people", slug=summit.slug))
    return render_template(
        "summits/people.html",
        summit=summit,
        form=form,
        roles=list_roles(summit),
        revoke_form=EmptyForm(),
    ), status_for(form)


@bp.post("/<slug>/staff/people/<int:grant_id>/revoke")
@summit_view(policies.can_manage_summit)
def revoke(summit, grant_id: int):
    form = EmptyForm()
    if form.validate_on_submit():
        services.revoke_role(summit, grant_id, actor=current_user)
        db.session.commit()
        flash(_("Role removed."), "info")
    return redirect(url_for("summits.people", slug=summit.slug))


@bp.get("/<slug>/staff/tracks")
@summit_view(policies.can_manage_summit)
def tracks(summit):
    return render_template("summits/tracks.html", summit=summit, tracks=list_tracks(summit))


@bp.route("/<slug>/staff/tracks/new", methods=["GET", "POST"])
@summit_view(policies.can_manage_summit)
def new_track(summit):
    form = NewTrackForm()
    if form.validate_on_submit():
        try:
            services.create_track(
                summit,
                actor=current_user,
                code=form.code.data,
                kind=form.kind.data,
                **_track_values(form),
            )
        except DomainError as error:
            db.session.rollback()
            apply_errors(form, error)
        else:
            db.session.commit()
            flash(_("Track added."), "success")
            return redirect(url_for("summits.tracks", slug=summit.slug))
    return render_template(
        "summits/track_form.html", summit=summit, form=form, track=None
    ), status_for(form)


@bp.route("/<slug>/staff/tracks/<code>", methods=["GET", "POST"])
@summit_view(policies.can_manage_summit)
def edit_track(summit, code: str):
    track = get_track(summit, code)
    if track is None:
        abort(404)
    form = TrackForm(obj=track)
    if form.validate_on_submit():
        try:
            services.update_track(track, actor=current_user, **_track_values(form))
        except DomainError as error:
            db.session.rollback()
            apply_errors(form, error)
        else:
            db.session.commit()
            flash(_("Track saved."), "success")
            return redirect(url_for("summits.tracks", slug=summit.slug))
    return render_template(
        "summits/track_form.html", summit=summit, form=form, track=track
    ), status_for(form)


def _track_values(form) -> dict:
    return {
        "name_en": form.name_en.data.strip(),
        "name_es": form.name_es.data.strip(),
        "description_en": (form.description_en.data or "").strip(),
        "description_es": (form.description_es.data or "").strip(),
        "colour": form.colour.data.upper(),
        "position": form.position.data or 0,
        "is_active": bool(form.is_active.data),
    }


@bp.get("/<slug>/staff/audit")
@summit_view(policies.can_manage_summit)
def audit_log(summit):
    page = request.args.get("page", 1, type=int) or 1
    page = max(page, 1)
    entries = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.summit_id == summit.id)
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .offset((page - 1) * AUDIT_PAGE_SIZE)
        .limit(AUDIT_PAGE_SIZE + 1)
    ).all()
    return render_template(
        "summits/audit.html",
        summit=summit,
        entries=entries[:AUDIT_PAGE_SIZE],
        page=page,
        has_next=len(entries) > AUDIT_PAGE_SIZE,
    )


@bp.get("/<slug>/staff/outbox")
@summit_view(policies.can_manage_summit)
def outbox(summit):
    messages = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.summit_id == summit.id)
        .order_by(OutboxMessage.id.desc())
        .limit(200)
    ).all()
    return render_template("core/outbox.html", messages=messages, summit=summit)


@bp.route("/summits/new", methods=["GET", "POST"])
@login_required
@admin_required
def new_summit():
    form = NewSummitForm()
    if request.method == "GET":
        form.timezone.data = "America/Los_Angeles"
    if form.validate_on_submit():
        try:
            tz = services.check_timezone(form.timezone.data.strip())
            summit = services.create_summit(
                slug=form.slug.data,
                name=form.name.data,
                venue=(form.venue.data or "").strip(),
                timezone=tz,
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                actor=current_user,
                make_current=form.make_current.data,
                **_to_utc_fields(form, tz),
            )
            summit.name_es = (form.name_es.data or "").strip() or None
        except DomainError as error:
            db.session.rollback()
            apply_errors(form, error)
            flash(error.message, "danger")
        else:
            db.session.commit()
            flash(_("Summit created with the framework tracks."), "success")
            return redirect(url_for("summits.settings", slug=summit.slug))
    return render_template("summits/new.html", form=form), status_for(form)


@bp.route("/<slug>/staff/regions", methods=["GET", "POST"])
@summit_view(policies.can_manage_summit)
def regions(summit):
    """Which region each county belongs to: used by filters, counters and reports."""
    from summit.accounts.enums import CALIFORNIA_COUNTIES
    from summit.summits.queries import regions_by_county

    form = EmptyForm()
    current = regions_by_county(summit)
    if form.validate_on_submit():
        mapping = {c: request.form.get(f"region-{c}", "") for c in CALIFORNIA_COUNTIES}
        too_long = [c for c, r in mapping.items() if len(r) > 80]
        if too_long:
            flash(_("Region names can have at most 80 characters."), "danger")
            return render_template(
                "summits/regions.html",
                summit=summit,
                form=form,
                counties=CALIFORNIA_COUNTIES,
                current=mapping,
            ), 422
        services.set_regions(summit, mapping, actor=current_user)
        db.session.commit()
        flash(_("Regions saved."), "success")
        return redirect(url_for("summits.regions", slug=summit.slug))
    return render_template(
        "summits/regions.html",
        summit=summit,
        form=form,
        counties=CALIFORNIA_COUNTIES,
        current=current,
    )
