"""The web pages in a real browser (Debian's chromium, driven by selenium through Debian's
chromedriver), from a small phone's width (360 px) to a wide screen's (1920 px), and in
the dark colour scheme: no horizontal scrolling, no error in
the console, no serious or critical accessibility violation (axe-core, vendored in
tests/fixtures/axe), and every page reachable from the keyboard. A screenshot of each page
at each width is kept in test-artifacts/screenshots/ (issue #17)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, StartBot, memory, require_server
from tests.integration.week import indexed, play_week

AXE = REPO / "tests" / "fixtures" / "axe" / "axe.min.js"
SHOTS = REPO / "test-artifacts" / "screenshots"
# Each page is checked at each of these: (width, height, colour scheme).
WIDTHS = {"desktop": (1280, 900, "light"), "phone": (390, 844, "light"),
          "narrow-phone": (360, 740, "light"), "wide": (1920, 1080, "light"),
          "phone-dark": (390, 844, "dark")}
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


async def a_week(start_bot: StartBot, tmp_path: Path) -> tuple[str, str]:
    """The pages of a scripted week: ``tests/fixtures/week/week.console`` piped into
    ``hatbot run`` as a user would, then served by a bot on the same data. Returns the
    web address and the nova meeting's file name (it bears the day and time of the run)."""
    data, _ = play_week(tmp_path)
    app = await start_bot(data_dir=data, raw={
        "web": {"enabled": True, "port": 0},
        "skills": {"meetings": {"minutes_dir": str(data / "meetings")}, "ci": CI}})
    assert app.web is not None
    await indexed(app)
    # The week's CI break, as GitHub tells it (webhooks do not come through the console):
    # red, someone on it, green again.
    from tests.integration.test_ci_hooks import github, run

    assert (await github(app, run("failure"), "week-1")).status_code in (200, 202)
    await memory(app).say("!ci ack octo-org/octo-repo", nick="dan", channel="#ci")
    assert (await github(app, run("success"), "week-2")).status_code in (200, 202)
    (minutes,) = (data / "meetings" / "nova").glob("*/nova.*[0-9].html")
    return f"http://127.0.0.1:{app.web.port}", f"{minutes.parent.name}/{minutes.stem}"


CI = {"github_secret": "It's a Secret to Everybody",
      "watch": [{"repo": "octo-org/octo-repo", "branches": ["main"],
                 "channels": ["memory:#ci"]}]}

PAGES = {
    "landing": "/",
    "community": "/community/?days=30",
    "archive": "/meetings/",
    "search": "/meetings/?q=flaky+gate",
    "series": "/meetings/nova/",
    "actions": "/actions/?state=all",
    "person": "/people/dan",
    "knowledge": "/kb/",
    "kb-search": "/kb/?q=build+docs",
    "kb-entry": "/kb/1",
    "decisions": "/kb/decisions/nova",
    "minutes": "/meetings/nova/{nova}.html",
    "log": "/meetings/nova/{nova}.log.html",
}


def check(driver: Any, url: str, name: str, width: str) -> list[str]:
    """What is wrong with the page at ``url`` at ``width``; a screenshot is kept."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    wide, high, scheme = WIDTHS[width]
    driver.set_window_size(wide, high)
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {
        "features": [{"name": "prefers-color-scheme", "value": scheme}]})
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
    # A link (one word: no space in it) split over two lines though it fits on one.
    broken = driver.execute_script(
        "const pen = document.createElement('canvas').getContext('2d');"
        "return [...document.querySelectorAll('a')].filter(a => !/\\s/.test(a.textContent)"
        "  && a.getClientRects().length > 1).filter(a => {"
        "  const style = getComputedStyle(a);"
        "  pen.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} "
        "${style.fontFamily}`;"
        "  return pen.measureText(a.textContent).width"
        "    <= a.parentElement.getBoundingClientRect().width; })"
        ".map(a => a.textContent.slice(0, 60));")
    problems += [f"link broken mid-word: {text}" for text in broken]
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
    driver.set_window_size(wide, min(max(height, high), 4000))
    driver.save_screenshot(str(SHOTS / f"{name}-{width}.png"))
    return problems


async def test_every_page_reads_well_at_every_width(
    start_bot: StartBot, tmp_path: Path, browser: Any,
) -> None:
    base, nova = await a_week(start_bot, tmp_path)
    problems = {}
    for name, path in PAGES.items():
        for width in WIDTHS:
            found = await _in_thread(check, browser, base + path.format(nova=nova), name,
                                     width)
            if found:
                problems[f"{name} at {width}"] = found
    assert problems == {}, "\n".join(f"{page}: {found}" for page, found in problems.items())
    # The pages show the week.
    import httpx

    async with httpx.AsyncClient() as client:
        figures = (await client.get(base + "/api/community.json?days=30")).json()["skills"]
        actions = (await client.get(base + "/api/actions.json?state=all")).json()["items"]
        search = (await client.get(base + "/meetings/?q=flaky+gate")).text
        dan = (await client.get(base + "/people/dan")).text
    newcomers = {f["key"]: f["value"] for f in figures["welcome"]}
    assert newcomers["newcomers"] == 2 and newcomers["unanswered"] == 1
    assert {f["key"]: f["value"] for f in figures["mentoring"]}["mentees_matched"] == 1
    assert sorted(item["text"] for item in actions) == [
        "bob fixes the flaky gate job", "carol writes the release notes for 2026.1",
        "erin updates the install guide"]
    assert "<mark>flaky</mark> <mark>gate</mark>" in search
    ci = {f["key"]: f for f in figures["ci"]}
    assert [row["label"] for row in ci["red_hours"]["rows"]] == ["octo-org/octo-repo"]
    assert ci["recovery_hours"]["value"] is not None
    assert '<td>CI breaks fixed</td><td class="n">1</td>' in dan
    assert '<td>Meetings chaired</td><td class="n">1</td>' in dan
    assert len(list(SHOTS.glob("*.png"))) >= len(PAGES) * len(WIDTHS)


async def _in_thread(call: Any, *args: Any) -> Any:
    """The driver waits on the browser, which waits on the bot, which runs on this loop."""
    import asyncio

    return await asyncio.to_thread(call, *args)
