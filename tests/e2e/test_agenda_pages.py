"""The personal agenda in a browser: on a phone, in Spanish, from the tickets page —
star three sessions, see the overlap, reserve a workshop seat, open the calendar page.
axe clean on every page."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.agenda.conftest import make_released, register_person
from tests.e2e.conftest import PHONE, check_a11y, es, switch_language


@pytest.fixture
def summit_values():
    now = datetime.now(UTC)
    return {
        "registration_opens_at": now - timedelta(days=1),
        "registration_closes_at": now + timedelta(days=30),
        "venue": "Sacramento Convention Center",
    }


def _star(page, title: str) -> None:
    button = page.get_by_role("button", name=f"{es('Add to my agenda')}: {title}")
    with page.expect_navigation():
        button.click()
    expect(
        page.get_by_role("button", name=f"{es('Remove from my agenda')}: {title}")
    ).to_be_visible()


def test_star_three_in_spanish_on_a_phone_see_overlap_reserve_and_subscribe(live_server, browse):
    programme = make_released(live_server.app)
    _code, manage = register_person(
        live_server.app, "Lucía Ramírez", locale="es", at=datetime.now(UTC)
    )
    page = browse(PHONE)
    page.goto(live_server(f"/2027/tickets/{manage}"))
    switch_language(page, "Español")
    check_a11y(page)
    with page.expect_navigation():
        page.get_by_role("link", name=f"{es('My agenda')} Lucía Ramírez").click()
    expect(page.locator("h1")).to_have_text(es("My agenda"))
    expect(
        page.get_by_text(
            es("Your agenda is empty. Add sessions from the program with “Add to my agenda”.")
        )
    ).to_be_visible()
    check_a11y(page)

    page.goto(live_server("/2027/programme?day=2027-09-23&view=list"))
    for title in (
        "Opening talk on family partnership",
        "Hands-on asset mapping workshop",
        "Student voice panel",
    ):
        _star(page, title)
    check_a11y(page)

    page.goto(live_server("/2027/agenda"))
    warning = page.locator(".agenda-overlaps")
    expect(warning).to_contain_text(es("%(num)d overlap on this day", num=1))
    expect(
        page.get_by_text(
            es(
                "Walk to another building: %(minutes)d minutes between sessions. Leave on time.",
                minutes=5,
            )
        )
    ).to_be_visible()
    check_a11y(page)

    with page.expect_navigation():
        page.get_by_role(
            "button", name=f"{es('Reserve a seat')}: Hands-on asset mapping workshop"
        ).click()
    expect(page.locator(".alert-success")).to_contain_text(es("Your seat is reserved."))
    expect(page.locator(f"#s-{programme['WORKSHOP']} .agenda-seat")).to_contain_text(
        es("Seat reserved")
    )
    check_a11y(page)

    page.get_by_role("link", name=es("Add my agenda to my calendar")).click()
    expect(page.locator("h1")).to_have_text(es("My agenda in my calendar"))
    check_a11y(page)
    with page.expect_navigation():
        page.get_by_role("button", name=es("Create my calendar link")).click()
    feed_url = page.locator("#feed-url").input_value()
    assert "/2027/agenda/feed/" in feed_url
    expect(page.get_by_role("link", name=es("Apple Calendar"))).to_have_attribute(
        "href", "webcal://" + feed_url.split("://", 1)[1]
    )
    expect(page.locator(".agenda-qr svg")).to_be_visible()
    check_a11y(page)

    feed = page.request.get(feed_url)
    assert feed.status == 200
    body = feed.text()
    assert body.count("BEGIN:VEVENT") == 3
    assert "Mi agenda" in body
