"""The door scanner in Chromium with a fake camera that shows a ticket's QR code.

Online: a camera scan checks in (green), the same ticket again is amber. Offline (the
page itself loaded from the service worker): a camera scan and a typed code are decided
on the phone and queued; back online the queue uploads by itself and the database holds
each check-in exactly once. Axe runs on the page and on the result overlays, in English
and Spanish.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import qrcode
from PIL import Image
from playwright.sync_api import expect

from summit.checkin.models import Scan
from summit.extensions import db
from summit.registration import services as registration
from summit.registration.models import Attendee
from summit.summits.queries import get_summit_by_slug
from tests.e2e.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PHONE,
    check_a11y,
    log_in,
    open_menu_if_collapsed,
    switch_language,
    watch_console,
)

WIDTH, HEIGHT = 640, 480


@pytest.fixture
def summit_values():
    now = datetime.now(UTC)
    return {
        "registration_opens_at": now - timedelta(days=1),
        "registration_closes_at": now + timedelta(days=30),
    }


def write_y4m(text: str, path: Path, frames: int = 3) -> Path:
    """A still video of ``text`` as a QR code, for Chromium's fake camera (I420, y4m)."""
    qr = qrcode.QRCode(border=4, box_size=1, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(text)
    qr.make(fit=True)
    code = qr.make_image(fill_color="black", back_color="white").get_image().convert("L")
    side = HEIGHT - 40
    code = code.resize((side, side), Image.NEAREST)
    frame = Image.new("L", (WIDTH, HEIGHT), 255)
    frame.paste(code, ((WIDTH - side) // 2, (HEIGHT - side) // 2))
    luma = frame.tobytes()
    chroma = bytes([128]) * (WIDTH // 2 * HEIGHT // 2)
    with path.open("wb") as video:
        video.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            video.write(b"FRAME\n" + luma + chroma + chroma)
    return path


def seed(server) -> dict:
    """Three confirmed people and a door volunteer; their codes and tokens."""
    with server.app.app_context():
        summit = get_summit_by_slug("2027")
        family = registration.save_ticket_type(
            summit, actor=None, code="family", name_en="Family member", name_es="Familiar",
            capacity=10,
        )  # fmt: skip
        _booking, secret = registration.register(
            summit,
            contact_name="Rosa Pérez",
            contact_email="rosa@example.org",
            people=[
                {"name": "Rosa Pérez", "email": "rosa@example.org", "ticket_type": family,
                 "accommodations": ["wheelchair"]},
                {"name": "Ana Pérez", "ticket_type": family},
                {"name": "Luis Pérez", "ticket_type": family},
            ],
        )  # fmt: skip
        registration.confirm_booking(secret)
        db.session.commit()
        people = {}
        for attendee in db.session.scalars(db.select(Attendee).order_by(Attendee.id)):
            people[attendee.name.split()[0]] = {
                "id": attendee.id,
                "code": attendee.code,
                "token": registration.ticket_token(summit, attendee),
            }
        db.session.commit()
        return people


def scans_of(server, attendee_id: int) -> list[tuple[str, bool, bool]]:
    with server.app.app_context():
        rows = db.session.scalars(
            db.select(Scan).where(Scan.attendee_id == attendee_id).order_by(Scan.id)
        )
        return [(s.result, s.annulled_at is not None, s.was_offline) for s in rows]


def launch(playwright, profile: Path, video: Path):
    """Chromium with a fake camera showing ``video``, camera allowed, one profile kept
    across launches (the service worker and IndexedDB survive a new camera)."""
    context = playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=str(CHROMIUM),
        headless=True,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
        viewport=PHONE,
        locale="en-US",
        reduced_motion="reduce",
        permissions=["camera"],
    )
    page = context.pages[0] if context.pages else context.new_page()
    watch_console(page)
    return context, page


def open_scanner(page, server) -> None:
    page.goto(server("/2027/door"))
    expect(page.locator("html")).to_have_attribute("data-door-ready", "1")


def assert_clean_console(page) -> None:
    log = page.console_log
    problems = [*log.csp_violations(), *log.page_errors()]
    assert not problems, "CSP violations or uncaught errors:\n" + "\n".join(problems)


def local_databases(page) -> list[str]:
    return page.evaluate("async () => (await indexedDB.databases()).map((d) => d.name)")


def result(page):
    return page.locator("#door-result")


def next_scan(page) -> None:
    page.locator("#door-result-next").click()
    expect(result(page)).to_be_hidden()


def test_door_scanner_camera_online_then_offline_queue_syncs_once(
    live_server, make_user, playwright, tmp_path
):
    people = seed(live_server)
    email = make_user(name="Door Volunteer", roles=("door",), slug="2027")
    rosa, ana, luis = people["Rosa"], people["Ana"], people["Luis"]
    profile = tmp_path / "profile"

    # --- online: camera scan -> green, the same ticket again -> amber
    context, page = launch(playwright, profile, write_y4m(rosa["token"], tmp_path / "rosa.y4m"))
    try:
        log_in(page, live_server, email)
        open_scanner(page, live_server)
        expect(page.locator("html")).to_have_attribute("data-door-offline", "ready", timeout=15000)
        check_a11y(page)

        page.get_by_role("button", name="Start camera").click()
        expect(result(page)).to_have_attribute("data-colour", "green", timeout=15000)
        expect(result(page)).to_have_attribute("data-result", "checked_in")
        expect(page.locator("#door-result-title")).to_have_text("Checked in")
        expect(page.locator("#door-result-name")).to_have_text("Rosa Pérez")
        expect(page.locator("#door-result-flags")).to_contain_text("Wheelchair access")
        expect(page.locator("#door-result-next")).to_be_focused()
        expect(page.locator("#door-announce")).to_contain_text("Checked in. Rosa Pérez")
        check_a11y(page)  # contrast of the green overlay
        next_scan(page)

        # Still in front of the camera: after the 3 s debounce it is read again.
        expect(result(page)).to_have_attribute("data-colour", "amber", timeout=10000)
        expect(page.locator("#door-result-title")).to_have_text("Already checked in")
        expect(page.locator("#door-result-first")).to_contain_text("by Door Volunteer")
        check_a11y(page)  # contrast of the amber overlay
        page.get_by_role("button", name="Stop camera").click(force=True)  # behind the overlay
        next_scan(page)

        # One token verified in the browser, as offline scans are.
        timing = page.evaluate(
            """async (token) => {
                const t = await import('/static/js/door/tickets.js');
                const roster = await (await fetch('/api/v1/summits/2027/checkin/roster')).json();
                const key = await t.importPublicKey(roster.public_key);
                await t.verifyTicket(token, key, '2027');  // warm up
                const runs = 200;
                const start = performance.now();
                for (let i = 0; i < runs; i++) await t.verifyTicket(token, key, '2027');
                return { mean: (performance.now() - start) / runs };
            }""",
            rosa["token"],
        )
        print(f"in-browser verify of one token: {timing['mean']:.3f} ms on average")
        assert timing["mean"] < 5

        switch_language(page, "Español")
        expect(page.locator("html")).to_have_attribute("data-door-ready", "1")
        expect(page.locator("html")).to_have_attribute("lang", "es")
        check_a11y(page)
        assert_clean_console(page)
    finally:
        context.close()

    assert scans_of(live_server, rosa["id"]) == [
        ("checked_in", False, False),
        ("already_checked_in", False, False),
    ]

    # --- offline: the page from the service worker, a camera scan and a typed code
    context, page = launch(playwright, profile, write_y4m(ana["token"], tmp_path / "ana.y4m"))
    try:
        log_in(page, live_server, email)
        open_scanner(page, live_server)
        expect(page.locator("html")).to_have_attribute("data-door-offline", "ready", timeout=15000)
        context.set_offline(True)
        open_scanner(page, live_server)  # served by the service worker
        expect(page.locator("#door-offline")).to_be_visible()

        page.locator("#door-camera-toggle").click()
        expect(result(page)).to_have_attribute("data-result", "checked_in", timeout=15000)
        expect(page.locator("#door-result-name")).to_have_text("Ana Pérez")
        page.locator("#door-camera-toggle").click(force=True)  # stop the camera
        next_scan(page)
        expect(page.locator("#door-queue-count")).to_have_text("1")

        page.locator("#door-code").fill(luis["code"].lower())
        page.locator("#door-code").press("Enter")
        expect(result(page)).to_have_attribute("data-result", "checked_in")
        expect(page.locator("#door-result-name")).to_have_text("Luis Pérez")
        check_a11y(page)
        next_scan(page)
        expect(page.locator("#door-queue-count")).to_have_text("2")
        expect(page.locator("#door-queue")).to_be_visible()

        # Rosa was admitted here online: the phone knows, with no network.
        page.locator("#door-code").fill(rosa["code"])
        page.locator("#door-code").press("Enter")
        expect(result(page)).to_have_attribute("data-result", "already_checked_in")
        next_scan(page)
        # A code nobody has: the phone cannot confirm it offline.
        page.locator("#door-code").fill("NOPE42")
        page.locator("#door-code").press("Enter")
        expect(result(page)).to_have_attribute("data-result", "unknown_offline")
        expect(result(page)).to_have_attribute("data-colour", "red")
        check_a11y(page)  # contrast of the red overlay
        next_scan(page)
        expect(page.locator("#door-queue-count")).to_have_text("4")

        context.set_offline(False)  # no button to press: the queue goes by itself
        expect(page.locator("#door-queue")).to_be_hidden(timeout=15000)
        expect(page.locator("#door-queue-count")).to_have_text("0")
        expect(page.locator("#door-offline")).to_be_hidden()

        # Logging out leaves nothing of the roster on the phone.
        assert "summit-door-2027" in local_databases(page)
        open_menu_if_collapsed(page)
        with page.expect_navigation():
            page.locator('header form[action$="/account/logout"] button').click()
        assert "summit-door-2027" not in local_databases(page)
        assert_clean_console(page)
    finally:
        context.close()

    assert scans_of(live_server, ana["id"]) == [("checked_in", False, True)]
    assert scans_of(live_server, luis["id"]) == [("checked_in", False, True)]
    assert scans_of(live_server, rosa["id"]) == [
        ("checked_in", False, False),
        ("already_checked_in", False, False),
        ("already_checked_in", False, True),
    ]
