"""The web pages in a real browser (Debian's chromium, driven by selenium through Debian's
chromedriver), at a desktop's and a phone's width: no horizontal scrolling, no error in
the console, no serious or critical accessibility violation (axe-core, vendored in
tests/fixtures/axe), and every page reachable from the keyboard. A screenshot of each page
at each width is kept in test-artifacts/screenshots/ (issue #17)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from hatbot.adapters.memory import person
from hatbot.clock import FakeClock
from hatbot.events import Address, Message
from tests.conftest import REPO, StartBot, memory, require_server

AXE = REPO / "tests" / "fixtures" / "axe" / "axe.min.js"
SHOTS = REPO / "test-artifacts" / "screenshots"
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require_server(Path(CHROMIUM).exists() and Path(DRIVER).exists(),
                   "chromium and chromedriver are not installed "
                   "(apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="hatbot-chromium-")
    # This machine's network is closed: no background connections, no first-run work.
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_script_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


async def a_week(start_bot: StartBot, tmp_path: Path) -> str:
    """A bot with a few meetings in two series: long words, links, an action item."""
    app = await start_bot(clock=FakeClock(datetime(2026, 3, 23, 12, tzinfo=UTC)), raw={
        "web": {"enabled": True, "port": 0}, "bot": {"name": "hatbot"},
        "skills": {"meetings": {"minutes_dir": str(tmp_path / "minutes")}}})
    channel = Address("memory", "#openstack-meeting")
    said = [
        ("#startmeeting nova", "alice"),
        ("#topic the gate is red again", "alice"),
        ("see https://review.opendev.org/c/openstack/nova/+/123456789/and-a-very-long-path"
         "-that-must-wrap-somewhere-on-a-phone", "bob"),
        ("#action bob fixes the flaky gate job", "alice"),
        ("#agreed supercalifragilisticexpialidocious-configuration-option-names are fine",
         "carol"),
        ("#endmeeting", "alice"),
    ]
    for day in range(3):
        when = datetime(2026, 3, 2 + day * 7, 16, tzinfo=UTC)
        for minute, (text, nick) in enumerate(said):
            await memory(app).emit(Message(channel=channel, sender=person(nick), text=text,
                                           ts=when + timedelta(minutes=minute)))
    await memory(app).emit(Message(channel=channel, sender=person("dan"),
                                   text="#startmeeting docs", ts=datetime(2026, 3, 20, 9,
                                                                          tzinfo=UTC)))
    await memory(app).emit(Message(channel=channel, sender=person("dan"), text="#endmeeting",
                                   ts=datetime(2026, 3, 20, 9, 30, tzinfo=UTC)))
    assert app.web is not None
    return f"http://127.0.0.1:{app.web.port}"


PAGES = {
    "landing": "/",
    "community": "/community/?days=30",
    "archive": "/meetings/",
    "search": "/meetings/?q=flaky+gate",
    "series": "/meetings/nova/",
    "actions": "/actions/?state=all",
    "minutes": "/meetings/nova/2026/nova.2026-03-02-16.00.html",
    "log": "/meetings/nova/2026/nova.2026-03-02-16.00.log.html",
}


def check(driver: Any, url: str, name: str, width: str) -> list[str]:
    """What is wrong with the page at ``url`` at ``width``; a screenshot is kept."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver.set_window_size(*WIDTHS[width])
    driver.get(url)
    driver.get_log("browser")  # what came before this page is not its fault
    driver.refresh()
    problems = []
    scroll, client = driver.execute_script(
        "const e = document.documentElement; return [e.scrollWidth, e.clientWidth];")
    if scroll > client:
        problems.append(f"scrolls sideways: {scroll} px wide in {client} px")
    problems += [f"console: {entry['message']}" for entry in driver.get_log("browser")
                 if entry["level"] == "SEVERE"]
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    found = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']})"
        ".then(r => done(r.violations.map(v => [v.id, v.impact, v.nodes.length,"
        "  v.nodes.slice(0, 2).map(n => n.html.slice(0, 80))])))"
        ".catch(e => done([['axe failed', String(e), 0, []]]));")
    problems += [f"axe {rule} ({impact}) on {count} elements, e.g. {examples}"
                 for rule, impact, count, examples in found
                 if impact in ("serious", "critical") or rule == "axe failed"]
    # Every link can be reached with the keyboard: Tab goes from one to the next.
    links = len(driver.find_elements(By.CSS_SELECTOR, "a[href], input, select, button"))
    body = driver.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    if links and driver.switch_to.active_element == body:
        problems.append("Tab reaches nothing")
    SHOTS.mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return document.documentElement.scrollHeight;")
    driver.set_window_size(WIDTHS[width][0], min(max(height, WIDTHS[width][1]), 4000))
    driver.save_screenshot(str(SHOTS / f"{name}-{width}.png"))
    return problems


async def test_every_page_reads_well_at_every_width(
    start_bot: StartBot, tmp_path: Path, browser: Any,
) -> None:
    base = await a_week(start_bot, tmp_path)
    problems = {}
    for name, path in PAGES.items():
        for width in WIDTHS:
            found = await _in_thread(check, browser, base + path, name, width)
            if found:
                problems[f"{name} at {width}"] = found
    assert problems == {}, "\n".join(f"{page}: {found}" for page, found in problems.items())
    assert len(list(SHOTS.glob("*.png"))) >= len(PAGES) * len(WIDTHS)


async def _in_thread(call: Any, *args: Any) -> Any:
    """The driver waits on the browser, which waits on the bot, which runs on this loop."""
    import asyncio

    return await asyncio.to_thread(call, *args)
