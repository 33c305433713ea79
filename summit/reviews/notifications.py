from flask import url_for

from summit.core.outbox import queue_email
from summit.proposals.enums import InviteStatus
from summit.proposals.models import Proposal
from summit.reviews.queries import list_proposal_reviews


def send_decision(proposal: Proposal, *, share_comments: bool) -> int:
    """Tell every presenter with an email the decision, in their language."""
    comments = []
    if share_comments:
        comments = [
            r.comment_presenters for r in list_proposal_reviews(proposal) if r.comment_presenters
        ]
    link = url_for(
        "proposals.detail", slug=proposal.summit.slug, code=proposal.code, _external=True
    )
    sent = 0
    for presenter in proposal.presenters:
        if presenter.invite_status in (InviteStatus.PENDING.value, InviteStatus.DECLINED.value):
            continue
        email = presenter.email or (presenter.user.email if presenter.user else None)
        if not email:
            continue
        locale = presenter.user.preferred_language if presenter.user else "en"
        queue_email(
            email,
            f"reviews/emails/decision_{proposal.state}",
            locale=locale,
            summit=proposal.summit,
            proposal=proposal,
            name=presenter.name,
            comments=comments,
            link=link,
        )
        sent += 1
    return sent
