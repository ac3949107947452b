"""End-to-end: `foedus serve` on a free loopback port, driven by Debian's headless Chromium.

Playwright drives /usr/bin/chromium (installed by .ci/install-browser); nothing is downloaded.
Screenshots go to artifacts/ at the repository root.
"""

from __future__ import annotations

import os
import shutil
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("FOEDUS_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
    pytest.skip(
        f"chromium is not installed at {CHROMIUM}: run .ci/install-browser", allow_module_level=True
    )
playwright_api = pytest.importorskip(
    "playwright.sync_api",
    reason="playwright is not installed: pip install playwright (no browser download needed)",
)


@pytest.fixture(scope="module")
def server():
    """`foedus serve` in a subprocess on a free loopback port; yields its base URL."""
    from foedus.cli.web import serving

    with serving() as base:
        # Warm the caches the first map request fills (registry, state lists), outside the
        # browser's timeouts.
        urllib.request.urlopen(f"{base}/api/map?date=2025-06-01", timeout=60).read()
        yield base


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, device_scale_factor=1)
    page = context.new_page()
    page.problems = []  # console errors, CSP violations, uncaught exceptions
    page.on(
        "console",
        lambda m: m.type in ("error", "warning") and page.problems.append(f"{m.type}: {m.text}"),
    )
    page.on("pageerror", lambda e: page.problems.append(f"uncaught: {e}"))
    yield page
    context.close()


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


def _ally_kind(page, ccode: int) -> str:
    return page.eval_on_selector(
        f'#map path.country[data-ccode="{ccode}"]',
        "el => [...el.classList].find(c => c.startsWith('ally-')) || ''",
    )


def test_click_north_korea_on_2025_06_01_shows_russia_and_china_as_defense_allies(server, page):
    page.goto(f"{server}/map?date=2025-06-01")
    page.wait_for_selector('#map[data-ready="1"]', timeout=30_000)
    page.click('#map path.country[data-iso3="PRK"]')
    page.wait_for_selector('#map[data-loaded="731@2025-06-01"]', timeout=30_000)

    assert _ally_kind(page, 365) == "ally-defense"  # Russia, 2024 treaty
    assert _ally_kind(page, 710) == "ally-defense"  # China, 1961 treaty
    assert "selected" in page.get_attribute('#map path.country[data-iso3="PRK"]', "class")
    panel = page.inner_text("#panel")
    assert "North Korea" in panel
    assert "Russia" in panel
    assert "China" in panel
    russia = page.locator('#panel li.ally[data-ccode="365"]')
    china = page.locator('#panel li.ally[data-ccode="710"]')
    assert russia.get_attribute("data-kind") == "defense"
    assert china.get_attribute("data-kind") == "defense"
    # The URL now holds the state and the date, so the view can be shared.
    assert "state=731" in page.url
    assert "date=2025-06-01" in page.url
    path = shot(page, "map-prk-2025-06-01.png")
    assert path.stat().st_size > 10_000
    assert page.problems == []


def test_moving_the_date_to_2023_shows_russia_for_consultation_only(server, page):
    page.goto(f"{server}/map?date=2025-06-01&state=PRK")
    page.wait_for_selector('#map[data-loaded="731@2025-06-01"]', timeout=30_000)
    page.fill("#date", "2023-06-01")
    page.dispatch_event("#date", "change")
    page.wait_for_selector('#map[data-loaded="731@2023-06-01"]', timeout=30_000)
    assert _ally_kind(page, 710) == "ally-defense"
    # Russia: the 2000 treaty gives consultation only.
    assert _ally_kind(page, 365) == "ally-consultation"
    russia = page.locator('#panel li.ally[data-ccode="365"]')
    assert "consultation" in russia.inner_text()
    assert "defense" not in russia.inner_text()
    assert page.input_value("#year") == "2023"
    assert "date=2023-06-01" in page.url
    shot(page, "map-prk-2023-06-01.png")
    assert page.problems == []


def test_shared_map_link_reopens_the_same_view(server, page):
    page.goto(f"{server}/map?date=2025-06-01&state=PRK")
    page.wait_for_selector('#map[data-loaded="731@2025-06-01"]', timeout=30_000)
    assert _ally_kind(page, 365) == "ally-defense"
    assert "Russia" in page.inner_text("#panel")


def test_scenario_usa_attacks_prk_2025_shows_russia_and_china_obligated_with_articles(server, page):
    page.goto(f"{server}/scenario")
    page.fill('input[name="attacker"]', "USA")
    page.fill('input[name="target"]', "PRK")
    page.fill('input[name="date"]', "2025-01-01")
    page.click('button[type="submit"]')
    page.wait_for_selector("#verdicts", timeout=30_000)

    obligated = page.locator("ul.verdict-obligated li.response")
    names = {obligated.nth(i).get_attribute("data-ccode") for i in range(obligated.count())}
    assert {"365", "710"} <= names
    russia = page.locator('ul.verdict-obligated li.response[data-ccode="365"]')
    china = page.locator('ul.verdict-obligated li.response[data-ccode="710"]')
    assert "Art. 4" in russia.inner_text()
    assert "Art. II" in china.inner_text()
    # Each verdict expands to its trace: the clause and every condition checked.
    for state in (russia, china):
        state.locator("summary .responder").click()  # not the treaty link inside the summary
        assert state.locator("details").get_attribute("open") is not None
        assert state.locator("table.checks").first.is_visible()
    assert "all means" in russia.locator(".trace").inner_text()  # Art. 4's clause
    assert "attacker=USA" in page.url
    assert "target=PRK" in page.url
    path = shot(page, "scenario-usa-prk-2025-01-01.png")
    assert path.stat().st_size > 10_000
    page.click("button.expand-all")
    assert page.locator("#verdicts details:not([open])").count() == 0
    assert page.problems == []


def test_network_1914_shows_pole_blocs_and_the_year_slider_opens_another_year(server, page):
    response = page.goto(f"{server}/network?year=1914", timeout=60_000)
    assert response is not None
    assert response.status == 200
    assert page.locator("table.blocs tr.bloc.pole").count() == 3
    assert "France" in page.inner_text("table.blocs")
    assert page.locator("figure.polarity a rect.year-hit").count() > 200
    assert page.input_value("#network-year") == "1914"
    path = shot(page, "page-network-1914.png")
    assert path.stat().st_size > 10_000
    # The slider shows the year while dragging and opens it when released; the URL keeps it.
    with page.expect_navigation(timeout=60_000):
        page.fill("#network-year", "1946")
    assert "year=1946" in page.url
    assert page.inner_text("h1") == "The alliance network on 1946-01-01"
    page.click('a[rel="prev"]')
    page.wait_for_url("**/network?year=1945", timeout=60_000)
    assert page.problems == []


@pytest.mark.parametrize(
    "url",
    [
        "/treaty/rus_prk_2024",
        "/pair?a=RUS&b=PRK",
        "/search?q=korea",
        "/treaties?state=PRK&date=2025-06-01",
        "/docs",
        "/atop/3440",
        "/network",
    ],
)
def test_other_pages_load_without_errors_or_csp_violations(server, page, url):
    response = page.goto(f"{server}{url}")
    assert response is not None
    assert response.status == 200
    page.wait_for_load_state("networkidle")
    name = (
        url.strip("/").replace("/", "-").replace("?", "-").replace("&", "-").replace("=", "-")
        or "home"
    )
    shot(page, f"page-{name}.png")
    assert page.problems == []
