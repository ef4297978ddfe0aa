"""The web pages in a real browser: Playwright driving Debian's chromium against a server
on the loopback. One walk through the jobs a seller does in a browser: sign in, the
pipeline with its risk flags, a deal (and a change to it), a briefing, a draft checked,
a reply read, the forecast; with the keyboard, at phone width, and with no request to
anywhere but the server."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crossdeal.auth.store import UserStore
from crossdeal.pipeline.db import Database
from crossdeal.pipeline.demo import generate
from crossdeal.pipeline.models import WebSession
from crossdeal.pipeline.store import PipelineStore

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "docs" / "screenshots"
PASSWORD = "correct horse battery"


def _chromium() -> str:
    if os.environ.get("CROSSDEAL_SKIP_BROWSER") == "1":
        pytest.skip("CROSSDEAL_SKIP_BROWSER=1: browser tests switched off on purpose")
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    pytest.fail(
        "no chromium on this machine: install Debian's (apt-get install chromium), as "
        ".ci/run does, or set CROSSDEAL_SKIP_BROWSER=1"
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    import uvicorn

    from crossdeal.server import create_app

    folder = tmp_path_factory.mktemp("site")
    db = Database(f"sqlite:///{folder / 'site.db'}")
    UserStore(db).add_user("ana@example.com", PASSWORD, "demo", "manager")
    PipelineStore(db, team="demo").load_demo(generate(seed=7, deals=120))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(db), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):  # bounded: at most 10 s for the server to come up
        if server.started:
            break
        time.sleep(0.05)
    assert server.started, "the test server did not start"
    yield {"base": f"http://127.0.0.1:{port}", "db": db}
    server.should_exit = True
    thread.join(timeout=10)
    db.dispose()


@pytest.fixture(scope="module")
def browser(site: dict[str, Any]) -> Iterator[Any]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    executable = _chromium()
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=executable, headless=True, args=["--no-sandbox"]
        )
        yield launched
        launched.close()


def _shot(page: Any, name: str) -> None:
    # screenshots for docs/ are written only when asked: a test run leaves the tree alone
    if os.environ.get("CROSSDEAL_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def _sign_in(page: Any, base: str) -> None:
    page.fill("input[name=email]", "ana@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.keyboard.press("Enter")  # the keyboard is enough


def test_a_seller_works_through_every_page(browser: Any, site: dict[str, Any]) -> None:
    base = site["base"]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    elsewhere: list[str] = []
    page.on(
        "request",
        lambda request: None if request.url.startswith(base) else elsewhere.append(request.url),
    )
    failures: list[str] = []
    page.on("console", lambda m: failures.append(m.text) if m.type == "error" else None)

    # signing in: the pipeline sends a stranger to sign in, and back after
    page.goto(f"{base}/deals")
    assert "/sign-in" in page.url
    _shot(page, "sign-in")
    _sign_in(page, base)
    page.wait_for_url(f"{base}/deals")
    assert page.locator("h1").inner_text() == "Pipeline of team demo"
    assert page.locator(".sev-high").count() > 0  # risk flags in the table
    page.check("input[name=at_risk]")
    page.click("text=Show")
    page.wait_for_url("**at_risk=true**")
    _shot(page, "pipeline")

    # a deal: BANT, committee, signals, briefing; then a change, kept in its history
    page.locator("tbody a").first.click()
    page.wait_for_selector("h2#committee")
    for section in ("BANT", "Risk signals", "Buying committee", "Activities"):
        assert page.locator(f"h2:has-text('{section}')").count() == 1, section
    deal_url = page.url
    # a stage other than the one the deal is in: an edit that changes nothing is refused
    current = page.input_value("input[name=stage]")
    page.fill("input[name=stage]", "Contract sent" if current != "Contract sent" else "Proposal")
    page.click("text=Save")
    page.wait_for_selector("text=Saved.")
    assert page.locator("h2#history").count() == 1
    assert "stage" in page.locator("section[aria-labelledby=history]").inner_text()
    _shot(page, "deal")

    # a briefing for any pair
    page.click("nav >> text=Brief")
    page.fill("input[name=seller]", "US")
    page.fill("input[name=buyer]", "Japan")
    page.click("text=Brief me")
    page.wait_for_selector("ol.risks li")
    assert "United States" in page.locator("h2").first.inner_text()
    assert page.locator("svg.chart rect").count() >= 6  # both sides on each dimension
    _shot(page, "brief")

    # a draft checked: findings marked at the words they point at, with rewrites
    page.click("nav >> text=Email coach")
    page.fill("input[name=to]", "Japan")
    page.fill("textarea[name=text]", "We need your decision by Friday. Please confirm ASAP.")
    page.click("text=Check it")
    page.wait_for_selector("ul.findings li")
    assert page.locator(".message mark").count() >= 1
    first_mark = page.locator(".message mark a").first
    target = first_mark.get_attribute("href")
    assert target and page.locator(target).count() == 1  # the mark leads to its finding
    _shot(page, "coach")

    # a reply read: what does its yes commit to?
    page.click("nav >> text=Read a reply")
    page.fill("input[name=sender]", "Japan")
    page.fill("textarea[name=text]", "Yes, we will consider it positively.")
    page.click("text=Read it")
    page.wait_for_selector("text=Verdict")
    # "consider it positively" is agreement and a soft no at once
    assert page.locator("h2").first.inner_text() == "Verdict: mixed"
    assert page.locator("text=a soft no").count() >= 1

    # the forecast
    page.click("nav >> text=Forecast")
    page.wait_for_selector("text=By quarter")
    assert page.locator("svg.chart").count() == 2  # by quarter and by market
    _shot(page, "forecast")

    # the revenue gap of a quarter, and the leads it takes
    page.click("text=The revenue gap of a quarter")
    page.fill("input[name=target]", "9,000,000")
    page.fill("input[name=period]", "2099Q1")
    page.fill("input[name=inbound_leads]", "300")
    page.click("text=Work it out")
    page.wait_for_selector("text=a gap of")
    assert page.locator("svg.chart").count() == 2  # sources against the target; markets
    assert page.locator("td", has_text="JPN").count() >= 1
    _shot(page, "gap")
    # how good the forecast has been
    page.click("nav >> text=Forecast")
    page.click("text=How good the forecast has been")
    page.wait_for_selector("text=Against the baselines")
    assert page.locator("td", has_text="naive Bayes").count() == 1
    assert page.locator("svg.chart").count() == 1

    # a CRM export uploaded: progress, then the per-row report (here the Maven sample's
    # accounts, with its own mapping file and its misspelled country reported)
    page.click("nav >> text=Import")
    page.set_input_files(
        "input[name=file]", str(ROOT / "tests" / "data" / "crm_maven" / "accounts.csv")
    )
    page.set_input_files("input[name=mapping]", str(ROOT / "examples" / "maven" / "accounts.yaml"))
    page.click("text=Upload and import")
    page.wait_for_selector("text=Imported 85 rows", timeout=30_000)
    assert page.locator("li", has_text="'Philipines' read as 'Philippines'").count() == 1
    _shot(page, "import")

    # an expired session sends the user to sign in, then back to the page they were on
    with site["db"].session() as s:
        s.query(WebSession).delete()
    page.goto(deal_url)
    assert "/sign-in" in page.url
    _sign_in(page, base)
    page.wait_for_url(deal_url)

    assert elsewhere == [], f"requests outside the server: {elsewhere}"
    assert failures == [], failures
    context.close()


def test_pages_work_at_phone_width_and_with_the_keyboard(
    browser: Any, site: dict[str, Any]
) -> None:
    base = site["base"]
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    page.goto(f"{base}/sign-in")
    _sign_in(page, base)
    page.wait_for_url(f"{base}/deals")
    # on every page the first Tab reaches the skip link, which leads past the menu
    page.wait_for_load_state("load")
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    for path in (
        "/deals",
        "/brief?seller=US&buyer=IN",
        "/coach",
        "/reply",
        "/forecast",
        "/gap?target=9000000&period=2099Q1&inbound_leads=300",
        "/backtest",
    ):
        page.goto(base + path)
        # nothing wider than the screen but the tables' own scrolling boxes
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, (path, overflow)
    page.goto(base + "/deals")
    page.locator("tbody a").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("h2#committee")
    _shot(page, "deal-phone")
    context.close()
