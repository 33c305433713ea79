"""What a schedule release means for personal agendas: seat counts follow the new rooms,
seats in cancelled sessions end, and people hear about changes to what they chose."""

from __future__ import annotations

from summit.agenda import notifications, services


def after_release(summit, version, changed, *, notify: bool, at=None) -> int:
    """Called by the release inside its transaction. Returns the emails queued.

    A live seat always comes with a star, so the change email already tells seat
    holders about a cancelled workshop; promotions get their own email."""
    promoted, _cancelled = services.sync_seats(summit, at=at)
    if not notify:
        return 0
    sent = notifications.queue_change_emails(summit, version, changed)
    return sent + notifications.queue_seat_emails(summit, promoted, "promoted")
