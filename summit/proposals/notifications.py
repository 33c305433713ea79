from flask import url_for

from summit.accounts.queries import get_user_by_email
from summit.core.outbox import queue_email
from summit.extensions import db
from summit.proposals import services
from summit.proposals.models import Presenter, Proposal


def _language(user, fallback: str = "en") -> str:
    return getattr(user, "preferred_language", None) or fallback


def _proposal_url(proposal: Proposal) -> str:
    return url_for(
        "proposals.detail", slug=proposal.summit.slug, code=proposal.code, _external=True
    )


def send_receipt(proposal: Proposal) -> None:
    owner = proposal.owner
    queue_email(
        owner.email,
        "proposals/emails/receipt",
        locale=_language(owner),
        summit=proposal.summit,
        user=owner,
        proposal=proposal,
        link=_proposal_url(proposal),
    )


def send_withdrawn(proposal: Proposal) -> None:
    owner = proposal.owner
    queue_email(
        owner.email,
        "proposals/emails/withdrawn",
        locale=_language(owner),
        summit=proposal.summit,
        user=owner,
        proposal=proposal,
        link=_proposal_url(proposal),
    )


def send_invitation(invitation: services.Invitation, *, inviter, locale: str) -> None:
    """In the invitee's language when they have an account, else in ``locale`` (the inviter's)."""
    presenter = invitation.presenter
    proposal = presenter.proposal
    queue_email(
        presenter.email,
        "proposals/emails/invitation",
        locale=_language(get_user_by_email(presenter.email), locale),
        summit=proposal.summit,
        inviter=inviter,
        proposal=proposal,
        presenter=presenter,
        link=url_for(
            "proposals.invitation",
            slug=proposal.summit.slug,
            token=invitation.secret,
            _external=True,
        ),
    )


def send_consent_requests(proposal: Proposal, *, locale: str) -> int:
    """Ask each guardian still to be asked; returns how many were asked."""
    due = services.consent_requests_due(proposal)
    for presenter in due:
        send_consent_request(presenter, locale=locale)
    return len(due)


def send_consent_request(presenter: Presenter, *, locale: str) -> None:
    secret = services.issue_consent_request(presenter)
    proposal = presenter.proposal
    queue_email(
        presenter.guardian_email,
        "proposals/emails/consent_request",
        locale=locale,
        summit=proposal.summit,
        presenter=presenter,
        proposal=proposal,
        link=url_for("proposals.consent", slug=proposal.summit.slug, token=secret, _external=True),
    )
    db.session.flush()


def send_draft_reminder(proposal: Proposal) -> None:
    owner = proposal.owner
    queue_email(
        owner.email,
        "proposals/emails/draft_reminder",
        locale=_language(owner),
        summit=proposal.summit,
        user=owner,
        proposal=proposal,
        link=_proposal_url(proposal),
    )


def send_staff_message(
    proposal: Proposal, recipient_email: str, locale: str, *, subject: str, body: str
) -> None:
    queue_email(
        recipient_email,
        "proposals/emails/staff_message",
        locale=locale,
        summit=proposal.summit,
        proposal=proposal,
        message_subject=subject,  # not "subject": the outbox passes that to the HTML part
        message_body=body,
        link=_proposal_url(proposal),
    )


def email_presenters(summit, recipients, *, actor, subjects: dict, bodies: dict, filters: dict):
    """Staff's message to a filtered group: Spanish text for Spanish speakers when written."""
    from summit.core import audit

    for proposal, email, locale in recipients:
        lang = "es" if locale == "es" and subjects.get("es") and bodies.get("es") else "en"
        send_staff_message(
            proposal,
            email,
            locale,
            subject=subjects[lang].strip(),
            body=bodies[lang].strip(),
        )
    audit.record(
        "proposal.group_email",
        actor=actor,
        summit=summit,
        object_type="proposal",
        label=subjects["en"],
        after={"recipients": len(recipients), "filters": filters},
    )
