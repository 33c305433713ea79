"""Staff pages for the call: settings, formats, questions, codes, the proposal list and detail."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms import SelectChoice

from summit.accounts.enums import CALIFORNIA_COUNTIES, PRESENTER_ROLE_LABELS
from summit.core import audit
from summit.core.clock import from_local_input, to_local_input
from summit.core.errors import DomainError
from summit.core.exports import csv_response
from summit.core.forms import apply_errors, status_for
from summit.extensions import db
from summit.proposals import notifications, services
from summit.proposals.enums import (
    CONSENT_STATUS_LABELS,
    SESSION_LANGUAGE_LABELS,
    STATE_LABELS,
    TRANSITIONS,
    ProposalState,
)
from summit.proposals.forms import (
    AccessCodeForm,
    CallSettingsForm,
    DuplicateForm,
    FormatForm,
    GroupEmailForm,
    NewFormatForm,
    QuestionForm,
    StateForm,
)
from summit.proposals.policies import can_manage_proposals
from summit.proposals.queries import (
    ProposalFilters,
    all_filtered_proposals,
    count_by_state,
    get_format,
    get_proposal,
    get_question,
    list_access_codes,
    list_formats,
    list_proposals,
    list_questions,
    list_recipients,
)
from summit.summits.queries import get_track, list_tracks, regions_by_county
from summit.summits.routes import summit_view

bp = Blueprint("proposal_staff", __name__)

staff_view = summit_view(can_manage_proposals)


# --- call configuration -----------------------------------------------------


def _ensure_call(summit) -> None:
    """Settings and default formats exist before any part of the call is edited."""
    services.ensure_call(summit)
    db.session.commit()


@bp.route("/<slug>/staff/call", methods=["GET", "POST"])
@staff_view
def call_settings(summit):
    settings = services.ensure_call(summit)
    form = CallSettingsForm(obj=settings)
    if form.validate_on_submit():
        services.update_call_settings(
            summit,
            actor=current_user,
            intro_en=form.intro_en.data or "",
            intro_es=form.intro_es.data or "",
            max_copresenters=form.max_copresenters.data,
            title_max_chars=form.title_max_chars.data,
            abstract_max_words=form.abstract_max_words.data,
            outcomes_max_words=form.outcomes_max_words.data,
        )
        db.session.commit()
        flash(_("Call settings saved."), "success")
        return redirect(url_for("proposal_staff.call_settings", slug=summit.slug))
    db.session.commit()  # the settings row may have just been created
    return render_template(
        "proposal_staff/call.html",
        summit=summit,
        form=form,
        formats=list_formats(summit),
        questions=list_questions(summit),
        codes=list_access_codes(summit),
    ), status_for(form)


@bp.route("/<slug>/staff/call/formats/new", methods=["GET", "POST"])
@bp.route("/<slug>/staff/call/formats/<code>", methods=["GET", "POST"])
@staff_view
def format_form(summit, code: str | None = None):
    _ensure_call(summit)
    fmt = get_format(summit, code) if code else None
    if code and fmt is None:
        abort(404)
    form = (FormatForm if fmt else NewFormatForm)(obj=fmt)
    if request.method == "GET" and fmt is not None:
        form.closes_at.data = to_local_input(fmt.closes_at, summit.timezone)
    if form.validate_on_submit():
        values = {
            "name_en": form.name_en.data.strip(),
            "name_es": form.name_es.data.strip(),
            "description_en": (form.description_en.data or "").strip(),
            "description_es": (form.description_es.data or "").strip(),
            "duration_minutes": form.duration_minutes.data,
            "seat_limit": form.seat_limit.data or None,
            "closes_at": from_local_input(form.closes_at.data, summit.timezone),
            "position": form.position.data or 0,
            "is_active": bool(form.is_active.data),
        }
        try:
            services.save_format(
                summit,
                actor=current_user,
                fmt=fmt,
                code=None if fmt else form.code.data,
                **values,
            )
        except DomainError as error:
            db.session.rollback()
            apply_errors(form, error)
        else:
            db.session.commit()
            flash(_("Format saved."), "success")
            return redirect(url_for("proposal_staff.call_settings", slug=summit.slug))
    return render_template(
        "proposal_staff/format_form.html", summit=summit, form=form, fmt=fmt
    ), status_for(form)


def _scope_choices(form, summit) -> None:
    form.format.choices = [SelectChoice("", _("Every format"))] + [
        SelectChoice(f.code, f.name_en) for f in list_formats(summit)
    ]
    form.track.choices = [SelectChoice("", _("Every topic"))] + [
        SelectChoice(t.code, t.name_en) for t in list_tracks(summit)
    ]


@bp.route("/<slug>/staff/call/questions/new", methods=["GET", "POST"])
@bp.route("/<slug>/staff/call/questions/<public_id>", methods=["GET", "POST"])
@staff_view
def question_form(summit, public_id: str | None = None):
    _ensure_call(summit)
    question = get_question(summit, public_id) if public_id else None
    if public_id and question is None:
        abort(404)
    form = QuestionForm(obj=question)
    _scope_choices(form, summit)
    if request.method == "GET" and question is not None:
        form.options.data = "\n".join(f"{o['en']} | {o['es']}" for o in question.options or [])
        form.format.data = question.format.code if question.format else ""
        form.track.data = question.track.code if question.track else ""
    if form.validate_on_submit():
        fmt = get_format(summit, form.format.data) if form.format.data else None
        track = get_track(summit, form.track.data) if form.track.data else None
        try:
            services.save_question(
                summit,
                actor=current_user,
                question=question,
                kind=form.kind.data,
                prompt_en=form.prompt_en.data.strip(),
                prompt_es=form.prompt_es.data.strip(),
                help_en=(form.help_en.data or "").strip(),
                help_es=(form.help_es.data or "").strip(),
                options=services.parse_options(form.options.data),
                is_required=bool(form.is_required.data),
                format_id=fmt.id if fmt else None,
                track_id=track.id if track else None,
                position=form.position.data or 0,
                is_active=bool(form.is_active.data),
            )
        except DomainError as error:
            db.session.rollback()
            apply_errors(form, error)
        else:
            db.session.commit()
            flash(_("Question saved."), "success")
            return redirect(url_for("proposal_staff.call_settings", slug=summit.slug))
    return render_template(
        "proposal_staff/question_form.html", summit=summit, form=form, question=question
    ), status_for(form)


@bp.route("/<slug>/staff/call/codes/new", methods=["GET", "POST"])
@staff_view
def access_code_form(summit):
    _ensure_call(summit)
    form = AccessCodeForm()
    _scope_choices(form, summit)
    if form.validate_on_submit():
        fmt = get_format(summit, form.format.data) if form.format.data else None
        track = get_track(summit, form.track.data) if form.track.data else None
        access = services.create_access_code(
            summit,
            actor=current_user,
            note=(form.note.data or "").strip(),
            expires_at=from_local_input(form.expires_at.data, summit.timezone),
            max_uses=form.max_uses.data,
            format_id=fmt.id if fmt else None,
            track_id=track.id if track else None,
        )
        db.session.commit()
        flash(_("Access code %(code)s created.", code=access.code), "success")
        return redirect(url_for("proposal_staff.call_settings", slug=summit.slug))
    return render_template("proposal_staff/code_form.html", summit=summit, form=form), status_for(
        form
    )


# --- proposals ----------------------------------------------------------------


def _filters() -> ProposalFilters:
    args = request.args
    state = args.get("state", "")
    return ProposalFilters(
        state=state if state in {s.value for s in ProposalState} else "",
        track=args.get("track", "")[:40],
        format=args.get("format", "")[:40],
        lead_role=args.get("lead_role", "")
        if args.get("lead_role") in PRESENTER_ROLE_LABELS
        else "",
        county=args.get("county", "") if args.get("county") in CALIFORNIA_COUNTIES else "",
        region=args.get("region", "")[:80],
        language=args.get("language", "")
        if args.get("language") in SESSION_LANGUAGE_LABELS
        else "",
        has_minors=args.get("has_minors") == "1",
        q=args.get("q", "")[:100],
        page=max(args.get("page", 1, type=int) or 1, 1),
    )


@bp.get("/<slug>/staff/proposals")
@staff_view
def proposal_list(summit):
    filters = _filters()
    proposals, total = list_proposals(summit, filters)
    return render_template(
        "proposal_staff/list.html",
        summit=summit,
        proposals=proposals,
        total=total,
        filters=filters,
        counts=count_by_state(summit),
        formats=list_formats(summit),
        tracks=list_tracks(summit),
        state_labels=STATE_LABELS,
        counties=CALIFORNIA_COUNTIES,
        regions=sorted(set(regions_by_county(summit).values())),
        has_next=filters.page * filters.per_page < total,
    )


EXPORT_COLUMNS = (
    "code", "state", "title", "format", "track", "secondary_tracks", "language", "lead_name",
    "lead_email", "lead_role", "county", "presenters", "has_minors", "consent", "audience",
    "grade_bands", "av_needs", "room_setup", "accessibility_needs", "submitted_at", "abstract",
    "outcomes",
)  # fmt: skip


def _export_row(p) -> list[str]:
    lead = next((x for x in p.presenters if x.is_lead), None)
    minors = [x for x in p.active_presenters if x.is_minor]
    return [
        p.code,
        p.state,
        p.title,
        p.format.code if p.format else "",
        p.track.code if p.track else "",
        " ".join(t.code for t in p.secondary_tracks),
        p.language,
        lead.name if lead else "",
        lead.email if lead else "",
        p.lead_role or "",
        p.owner.county or "",
        "; ".join(x.name for x in p.active_presenters),
        "yes" if minors else "no",
        "; ".join(f"{x.name}: {x.consent_status}" for x in minors),
        " ".join(p.audience_roles or []),
        " ".join(p.grade_bands or []),
        " ".join(p.av_needs or []),
        p.room_setup,
        p.accessibility_needs,
        p.submitted_at.isoformat() if p.submitted_at else "",
        p.abstract,
        p.outcomes,
    ]


@bp.get("/<slug>/staff/proposals/export.csv")
@staff_view
def export_csv(summit):
    proposals = all_filtered_proposals(summit, _filters())
    audit.record(
        "proposal.export",
        actor=current_user,
        summit=summit,
        object_type="proposal",
        label=f"{len(proposals)} proposals",
        after=_filters().as_args(),
    )
    db.session.commit()
    return csv_response(
        f"proposals-{summit.slug}.csv", EXPORT_COLUMNS, (_export_row(p) for p in proposals)
    )


@bp.route("/<slug>/staff/proposals/email", methods=["GET", "POST"])
@staff_view
def group_email(summit):
    filters = _filters()
    proposals = all_filtered_proposals(summit, filters)
    form = GroupEmailForm()
    recipients = list_recipients(
        proposals, include_copresenters=bool(form.include_copresenters.data)
    )
    if form.validate_on_submit():
        notifications.email_presenters(
            summit,
            recipients,
            actor=current_user,
            subjects={"en": form.subject_en.data, "es": form.subject_es.data},
            bodies={"en": form.body_en.data, "es": form.body_es.data},
            filters=filters.as_args(),
        )
        db.session.commit()
        flash(
            ngettext(
                "%(num)d email is on its way.", "%(num)d emails are on their way.", len(recipients)
            ),
            "success",
        )
        return redirect(
            url_for("proposal_staff.proposal_list", slug=summit.slug, **filters.as_args())
        )
    return render_template(
        "proposal_staff/email.html",
        summit=summit,
        form=form,
        filters=filters,
        proposal_count=len(proposals),
        recipient_count=len(recipients),
    ), status_for(form)


def _staff_proposal(summit, code: str):
    proposal = get_proposal(summit, code)
    if proposal is None:
        abort(404)
    return proposal


@bp.get("/<slug>/staff/proposals/<code>")
@staff_view
def proposal_detail(summit, code: str):
    proposal = _staff_proposal(summit, code)
    state_form = StateForm()
    allowed = TRANSITIONS[ProposalState(proposal.state)]
    state_form.state.choices = [SelectChoice("", _("Choose a status"))] + [
        SelectChoice(s.value, STATE_LABELS[s]) for s in ProposalState if s in allowed
    ]
    return render_template(
        "proposal_staff/detail.html",
        summit=summit,
        proposal=proposal,
        questions=[q for q in list_questions(summit) if proposal.answer_for(q.id) is not None],
        state_form=state_form,
        duplicate_form=DuplicateForm(),
        consent_labels=CONSENT_STATUS_LABELS,
    )


@bp.post("/<slug>/staff/proposals/<code>/state")
@staff_view
def change_state(summit, code: str):
    proposal = _staff_proposal(summit, code)
    form = StateForm()
    back = url_for("proposal_staff.proposal_detail", slug=summit.slug, code=proposal.code)
    if not form.validate_on_submit():
        flash(_("Choose a new status."), "danger")
        return redirect(back)
    try:
        services.change_state(
            proposal, form.state.data, actor=current_user, as_staff=True, note=form.note.data or ""
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(back)
    db.session.commit()
    flash(_("Status changed."), "success")
    return redirect(back)


@bp.post("/<slug>/staff/proposals/<code>/duplicate")
@staff_view
def mark_duplicate(summit, code: str):
    proposal = _staff_proposal(summit, code)
    form = DuplicateForm()
    back = url_for("proposal_staff.proposal_detail", slug=summit.slug, code=proposal.code)
    original = (
        get_proposal(summit, form.of_code.data.strip()) if form.validate_on_submit() else None
    )
    if original is None:
        flash(_("There is no proposal with that code in this summit."), "danger")
        return redirect(back)
    try:
        services.mark_duplicate(
            proposal, of=original, actor=current_user, merge=bool(form.merge.data)
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(back)
    db.session.commit()
    flash(_("Marked as a duplicate of %(code)s.", code=original.code), "success")
    return redirect(back)
