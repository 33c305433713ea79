"""Browser tests: the real app on a loopback port, driven by Debian's Chromium.

Every test in this folder is marked ``e2e``. Without ``/usr/bin/chromium`` the
tests skip (install it with ``apt-get install chromium``); in CI they fail
instead, so a missing browser never passes silently.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from babel.messages.pofile import read_po
from werkzeug.serving import make_server

from tests.conftest import IN_CI, PASSWORD, wait_for

E2E_DIR = Path(__file__).resolve().parent
CATALOG = E2E_DIR.parents[1] / "summit/translations/es/LC_MESSAGES/messages.po"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MISSING_CHROMIUM = (
    f"{CHROMIUM} not found: browser tests need Debian's Chromium (apt-get install chromium)"
)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
VIEWPORTS = [pytest.param(PHONE, id="390x844"), pytest.param(DESKTOP, id="1280x800")]

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CSP_MARKERS = ("Content Security Policy", "Refused to")


# --- collection -----------------------------------------------------------


def _in_e2e(item) -> bool:
    return Path(item.path).resolve().is_relative_to(E2E_DIR)


def pytest_collection_modifyitems(config, items):
    skip = pytest.mark.skip(reason=MISSING_CHROMIUM)
    for item in items:
        if not _in_e2e(item):
            continue
        item.add_marker(pytest.mark.e2e)
        if not CHROMIUM.exists() and not IN_CI:
            item.add_marker(skip)


def pytest_report_header(config):
    if not CHROMIUM.exists():
        return f"e2e: {MISSING_CHROMIUM}; " + ("failing (CI)" if IN_CI else "skipping")
    return None


# --- browser --------------------------------------------------------------


@pytest.fixture(scope="session", autouse=True)
def _chromium_required():
    """In CI a missing browser is an error (elsewhere the tests were marked to skip)."""
    if not CHROMIUM.exists():
        pytest.fail(MISSING_CHROMIUM, pytrace=False)


@pytest.fixture(scope="session")
def browser_type_launch_args():
    """Launch the system Chromium; Playwright's own browser builds are never used."""
    return {"executable_path": str(CHROMIUM), "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def base_url():
    """Each test has its own server, so there is no session-wide base URL.

    Defining it here also replaces pytest-playwright's fallback fixture, which
    pytest 9 reports as deprecated (an error under ``filterwarnings = error``).
    """
    return None


# --- the app on a real port -----------------------------------------------


@dataclass
class LiveServer:
    url: str
    app: object

    def __call__(self, path: str = "/") -> str:
        return self.url + path


@pytest.fixture
def summit_values() -> dict:
    """Extra values for the live server's summit 2027; override it in a module to change them."""
    return {}


def open_call_values(at: datetime | None = None) -> dict:
    """Summit values with the call for proposals open around ``at`` (default: now, UTC)."""
    at = at or datetime.now(UTC)
    return {"cfp_opens_at": at - timedelta(days=7), "cfp_closes_at": at + timedelta(days=30)}


@pytest.fixture
def live_server(make_app, make_summit, summit_values):
    """The app with real CSRF, mail sent to the loopback SMTP server after each request."""
    app = make_app(WTF_CSRF_ENABLED=True, MAIL_SEND_AFTER_REQUEST=True)
    make_summit(**summit_values)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --- pages that report what went wrong ------------------------------------


@dataclass
class ConsoleLog:
    """Console messages and uncaught errors of one page."""

    messages: list[str] = field(default_factory=list)

    def csp_violations(self) -> list[str]:
        return [m for m in self.messages if any(marker in m for marker in CSP_MARKERS)]

    def page_errors(self) -> list[str]:
        return [m for m in self.messages if m.startswith("pageerror: ")]


def watch_console(page) -> ConsoleLog:
    """Record the page's console messages and uncaught errors as ``page.console_log``."""
    log = ConsoleLog()
    page.on("console", lambda message: log.messages.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: log.messages.append(f"pageerror: {error}"))
    page.console_log = log
    return log


@pytest.fixture
def browse(new_context):
    """Open a page at a viewport; at teardown fail on any CSP violation or uncaught error."""
    logs: list[ConsoleLog] = []

    def factory(viewport):
        # English by default; no animations, so the collapsed menu opens at once.
        context = new_context(viewport=viewport, locale="en-US", reduced_motion="reduce")
        page = context.new_page()
        logs.append(watch_console(page))
        return page

    yield factory
    problems = [line for log in logs for line in (*log.csp_violations(), *log.page_errors())]
    assert not problems, "CSP violations or uncaught errors:\n" + "\n".join(problems)


def assert_no_csp_violation(page) -> None:
    violations = page.console_log.csp_violations()
    assert not violations, f"CSP violations on {page.url}:\n" + "\n".join(violations)


_axe = Axe()


def check_a11y(page) -> None:
    """Run axe (WCAG 2.1 A and AA) on the page and fail on any violation."""
    results = _axe.run(
        page,
        options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]},
    )
    violations = results.response["violations"]
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:160]}")
    size = page.viewport_size or {}
    where = f"{page.url} at {size.get('width')}x{size.get('height')}"
    assert not violations, f"axe found {len(violations)} violation(s) on {where}:\n" + "\n".join(
        lines
    )
    assert_no_csp_violation(page)


# --- small flows ----------------------------------------------------------


def open_menu_if_collapsed(page) -> None:
    """On phone widths the header nav hides behind the toggler: open it."""
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
        toggler.click()
        page.locator("#main-nav.show").wait_for()


def switch_language(page, label: str) -> None:
    """Press the header language button ("Español" or "English")."""
    open_menu_if_collapsed(page)
    with page.expect_navigation():
        page.locator("header form.lang-switch button").filter(has_text=label).click()


def log_in(page, server: LiveServer, email: str, password: str = PASSWORD) -> None:
    page.goto(server("/account/login"))
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "/account/login" not in page.url, f"logging in as {email} failed"


def wait_for_mail(mailbox, address: str, timeout: float = 10.0):
    """The newest message to ``address``, polling the SMTP server for a bounded time."""
    messages = wait_for(lambda: mailbox.to(address), timeout=timeout)
    assert messages, f"no mail reached {address} within {timeout}s"
    return messages[-1]


# --- the Spanish catalog --------------------------------------------------


@cache
def _spanish_catalog():
    with CATALOG.open("rb") as po:
        return read_po(po, locale="es")


def es(msgid: str, **values) -> str:
    """What the Spanish site shows for ``msgid``: its translation, or the English fallback.

    Read from the .po file at test time, so tests follow the translators' wording.
    """
    message = _spanish_catalog().get(msgid)
    text = msgid if message is None or not message.string or message.fuzzy else message.string
    if isinstance(text, tuple):  # a plural entry: the singular form, as for a count of one
        text = text[0]
    return text % values if values else text
