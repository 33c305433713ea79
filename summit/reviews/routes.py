"""Reviewers' pages: the queue, the scoring form, conflicts, expertise. Always blind-aware."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from summit.core.clock import now
from summit.core.errors import DomainError
from summit.core.forms import apply_errors, status_for
from summit.core.i18n import select_locale
from summit.extensions import db
from summit.proposals.enums import ProposalState
from summit.proposals.queries import get_proposal
from summit.reviews import services
from summit.reviews.forms import ConflictForm, ExpertiseForm, review_form_class
from summit.reviews.policies import can_review_in
from summit.reviews.queries import (
    get_profile,
    get_review,
    list_criteria,
    list_flags,
    list_proposal_reviews,
    list_reviewable_proposals,
    reviewer_queue,
    reviewer_texts,
)
from summit.summits.queries import get_track, list_tracks
from summit.summits.routes import summit_view

bp = Blueprint("reviews", __name__)

reviewer_view = summit_view(can_review_in)


def _load(summit, code: str):
    """A proposal the reviewer may review; a conflicted or unknown one is a 404."""
    proposal = get_proposal(summit, code)
    if proposal is None:
        abort(404)
    try:
        services.check_can_review(proposal, current_user)
    except DomainError as error:
        if error.code in {"conflicted", "not_assigned"}:
            abort(404)
        if error.code == "not_in_review":
            abort(404)
    return proposal


@bp.get("/<slug>/review/")
@reviewer_view
def queue(summit):
    settings = services.ensure_review_setup(summit)
    db.session.commit()
    items = reviewer_queue(summit, current_user)
    return render_template(
        "reviews/queue.html",
        summit=summit,
        items=items,
        done=sum(1 for _p, review in items if review is not None),
        titles=_blind_titles([p for p, _review in items], settings),
        settings=settings,
        criteria=list_criteria(summit),
    )


@bp.get("/<slug>/review/next")
@reviewer_view
def next_proposal(summit):
    for proposal, review in reviewer_queue(summit, current_user):
        if review is None:
            return redirect(url_for("reviews.review", slug=summit.slug, code=proposal.code))
    flash(_("You have reviewed every proposal assigned to you. Thank you!"), "success")
    return redirect(url_for("reviews.queue", slug=summit.slug))


@bp.route("/<slug>/review/<code>", methods=["GET", "POST"])
@reviewer_view
def review(summit, code: str):
    proposal = _load(summit, code)
    settings = services.ensure_review_setup(summit)
    locale = select_locale()
    criteria = list_criteria(summit)
    form = review_form_class(criteria, list_flags(summit), locale)()
    existing = get_review(proposal, current_user)
    if request.method == "GET" and existing is not None:
        for criterion in criteria:
            value = existing.scores.get(criterion.code)
            getattr(form, f"score_{criterion.code}").data = (
                str(value) if value is not None else None
            )
        form.flags_.data = existing.flags
        form.comment_committee.data = existing.comment_committee
        form.comment_presenters.data = existing.comment_presenters
        form.abstain.data = existing.is_abstained
    refused = None  # a refusal that no field explains (deadline passed) keeps its status
    if form.validate_on_submit():
        try:
            services.submit_review(
                proposal,
                reviewer=current_user,
                scores={c.code: getattr(form, f"score_{c.code}").data for c in criteria},
                flags=form.flags_.data or [],
                comment_committee=form.comment_committee.data,
                comment_presenters=form.comment_presenters.data,
                abstain=form.abstain.data,
            )
        except DomainError as error:
            db.session.rollback()
            if not apply_errors(form, error):
                flash(error.message, "danger")
                refused = error.status
        else:
            db.session.commit()
            flash(_("Review saved."), "success")
            if request.form.get("action") == "next":
                return redirect(url_for("reviews.next_proposal", slug=summit.slug))
            return redirect(url_for("reviews.review", slug=summit.slug, code=proposal.code))
    others = []
    if services.can_see_other_reviews(proposal, current_user):
        others = [r for r in list_proposal_reviews(proposal) if r.reviewer_id != current_user.id]
    deadline = summit.review_deadline_at
    locked = deadline is not None and now() >= deadline
    return render_template(
        "reviews/review.html",
        locked=locked,
        summit=summit,
        proposal=proposal,
        text=reviewer_texts([proposal], is_blind=settings.is_blind)[proposal.id],
        settings=settings,
        form=form,
        criteria=criteria,
        existing=existing,
        others=others,
        conflict_form=ConflictForm(),
    ), refused or status_for(form)


@bp.post("/<slug>/review/<code>/conflict")
@reviewer_view
def declare_conflict(summit, code: str):
    proposal = get_proposal(summit, code)
    if proposal is None or proposal.state == ProposalState.DRAFT.value:
        abort(404)  # drafts are private: never confirm that a draft's code exists
    form = ConflictForm()
    if form.validate_on_submit():
        services.declare_conflict(
            proposal, reviewer=current_user, reason=form.reason.data, actor=current_user
        )
        db.session.commit()
        flash(_("Noted: you will not see this proposal again."), "info")
    return redirect(url_for("reviews.queue", slug=summit.slug))


def _blind_titles(proposals, settings) -> dict[int, str]:
    texts = reviewer_texts(proposals, is_blind=settings.is_blind)
    return {proposal_id: text["title"] for proposal_id, text in texts.items()}


@bp.get("/<slug>/review/proposals")
@reviewer_view
def all_proposals(summit):
    """Everything under review the reviewer may see, to declare conflicts early."""
    settings = services.ensure_review_setup(summit)
    proposals = list_reviewable_proposals(summit, current_user)
    return render_template(
        "reviews/all.html",
        summit=summit,
        proposals=proposals,
        titles=_blind_titles(proposals, settings),
        conflict_form=ConflictForm(),
        settings=settings,
    )


@bp.route("/<slug>/review/expertise", methods=["GET", "POST"])
@reviewer_view
def expertise(summit):
    locale = select_locale()
    form = ExpertiseForm()
    form.tracks.choices = [SelectChoice(t.code, t.name(locale)) for t in list_tracks(summit)]
    if request.method == "GET":
        profile = get_profile(summit, current_user)
        form.tracks.data = [t.code for t in profile.expertise] if profile else []
    if form.validate_on_submit():
        tracks = [t for t in (get_track(summit, c) for c in form.tracks.data or []) if t]
        services.set_expertise(summit, current_user, tracks)
        db.session.commit()
        flash(_("Your topics are saved."), "success")
        return redirect(url_for("reviews.queue", slug=summit.slug))
    return render_template("reviews/expertise.html", summit=summit, form=form), status_for(form)


@bp.app_context_processor
def reviewer_nav() -> dict:
    return {"is_reviewer": lambda summit: can_review_in(current_user, summit)}


@bp.app_template_filter("review_total")
def review_total(review):
    total = services.weighted_total(review, review.proposal.summit)
    return "—" if total is None else f"{total:.0f}"
