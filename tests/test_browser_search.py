"""The search page in headless Chromium: search, narrow by a facet, page through, see the
highlights; axe-core clean at laptop and tablet widths; works without JavaScript."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from caselearn.services import CaseLearn
from tests.browser import SCREENSHOTS, axe_violations, chrome, wait
from tests.test_search import build_hub

pytestmark = pytest.mark.browser


@pytest.fixture
def service(settings):  # type: ignore[no-untyped-def]
    instance = CaseLearn.open(settings.model_copy(update={"page_size": 2, "code_on_ingest": False}))
    yield instance
    instance.close()


def test_search_narrow_by_facet_and_page_through(live, driver, service):
    ids = build_hub(service)
    driver.get(f"{live.url}/search")
    box = driver.find_element(By.ID, "q")
    box.send_keys("child")
    box.submit()
    wait(driver).until(lambda d: "q=child" in d.current_url)
    status = driver.find_element(By.CSS_SELECTOR, "[role=status]").text
    assert "3 reviews" in status and "Page 1 of 2" in status
    assert driver.find_elements(By.CSS_SELECTOR, ".passage mark")

    driver.find_element(By.CSS_SELECTOR, ".pagination a[rel=next]").click()
    wait(driver).until(lambda d: "page=2" in d.current_url)
    assert len(driver.find_elements(By.CSS_SELECTOR, ".result")) == 1

    driver.find_element(By.PARTIAL_LINK_TEXT, "Accident").click()
    wait(driver).until(lambda d: "facet=harm%3Aaccident" in d.current_url)
    titles = [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".result-title")]
    assert titles == ["Initial Case Review: Child E"]
    assert "page=" not in driver.current_url
    driver.find_element(By.LINK_TEXT, "Initial Case Review: Child E").click()
    wait(driver).until(lambda d: f"/reviews/{ids['window']}" in d.current_url)
    assert "Similar reviews" in driver.page_source


def test_search_works_without_javascript(live, service):
    build_hub(service)
    for driver in chrome():
        driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
        driver.get(f"{live.url}/search?q=insulin")
        marks = [m.text.lower() for m in driver.find_elements(By.CSS_SELECTOR, ".passage mark")]
        assert "insulin" in marks
        driver.find_element(By.PARTIAL_LINK_TEXT, "More like this passage").click()
        wait(driver).until(lambda d: "like=" in d.current_url)
        assert driver.find_element(By.CSS_SELECTOR, "[role=status]").text.startswith("Reviews")


@pytest.mark.parametrize("width,height", [(1280, 900), (768, 1024)], ids=["laptop", "tablet"])
def test_search_pages_meet_wcag_21_aa(live, service, width, height):
    ids = build_hub(service)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    failures = {}
    paths = [
        "/search",
        "/search?q=father+health+visitor&facet=theme%3Amale_carers",
        "/search?q=child&page=2",
        "/search?q=x&facet=colour%3Ared",
        f"/reviews/{ids['father']}/similar",
    ]
    for driver in chrome(width, height):
        for path in paths:
            driver.get(f"{live.url}{path}")
            violations = axe_violations(driver)
            if violations:
                failures[path] = violations
            name = "search" + path.replace("/", "_").replace("?", "_").replace("&", "_")[:60]
            driver.save_screenshot(str(SCREENSHOTS / f"{name}-{width}.png"))
            overflow = driver.execute_script(
                "return document.documentElement.scrollWidth > window.innerWidth + 1"
            )
            assert not overflow, f"{path} scrolls sideways at {width}px"
    assert failures == {}
