"""The web app in real headless Chromium: upload through the form, see it listed, open it;
every page passes axe-core's WCAG 2.1 AA rules, works by keyboard and without JavaScript."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests import samples
from tests.browser import SCREENSHOTS, axe_violations, chrome, wait

pytestmark = pytest.mark.browser


def test_upload_through_the_form_then_list_and_open(live, driver, tmp_path):
    report = tmp_path / "child-k.pdf"
    report.write_bytes(
        samples.text_pdf(
            (
                "Significant Case Review: Child K\n\nGlenbrae Child Protection Committee, 2022.",
                "Findings: information was not shared between agencies.",
            )
        )
    )
    briefing = tmp_path / "briefing.pptx"
    briefing.write_bytes(samples.pptx_bytes())
    driver.get(f"{live.url}/upload")
    driver.find_element(By.ID, "files").send_keys(f"{report}\n{briefing}")
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    assert "2 of 2 files stored" in driver.find_element(By.CSS_SELECTOR, "[role=status]").text

    driver.get(f"{live.url}/reviews")
    rows = driver.find_elements(By.CSS_SELECTOR, "table.reviews tbody tr")
    assert len(rows) == 2
    driver.find_element(By.LINK_TEXT, "Significant Case Review: Child K").click()
    assert driver.find_element(By.TAG_NAME, "h1").text == "Significant Case Review: Child K"
    page_two = driver.find_element(By.ID, "page-2").text
    assert "information was not shared" in page_two
    assert (
        "Glenbrae Child Protection Committee" in driver.find_element(By.CSS_SELECTOR, ".facts").text
    )


def test_filter_by_type_narrows_the_list(live, driver, service):
    service.ingest_bytes(
        "a.txt", b"Initial case review of Child A.", review_type="icr", committee="A CPC"
    )
    service.ingest_bytes(
        "b.txt", b"Learning review of Child B.", review_type="learning_review", committee="A CPC"
    )
    driver.get(f"{live.url}/reviews")
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element(By.ID, "type")).select_by_value("icr")
    driver.find_element(By.CSS_SELECTOR, ".filters button").click()

    wait(driver).until(lambda d: "type=icr" in d.current_url)
    assert "1 review matches" in driver.find_element(By.CSS_SELECTOR, "[role=status]").text


def test_register_and_edit_a_review_by_keyboard(live, driver):
    driver.get(f"{live.url}/reviews/new")
    driver.find_element(By.ID, "title").send_keys("Initial Case Review: Child M")
    committee = driver.find_element(By.ID, "committee")
    committee.send_keys("Riverside Child Protection Committee")
    committee.send_keys(Keys.ENTER)

    wait(driver).until(lambda d: not d.current_url.endswith("/reviews/new"))
    assert driver.find_element(By.TAG_NAME, "h1").text == "Initial Case Review: Child M"
    driver.find_element(By.PARTIAL_LINK_TEXT, "Edit the record").click()
    year = driver.find_element(By.ID, "year")
    year.clear()
    year.send_keys("2025")
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait(driver).until(lambda d: not d.current_url.endswith("/edit"))
    assert "2025" in driver.find_element(By.CSS_SELECTOR, ".facts").text


def test_edit_errors_are_announced(live, driver, service):
    result = service.ingest_bytes("a.txt", b"Initial case review of Child A.", review_type="icr")
    driver.get(f"{live.url}/reviews/{result.review_id}/edit")
    year = driver.find_element(By.ID, "year")
    year.clear()
    year.send_keys("12")
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    assert "There is a problem" in driver.find_element(By.CSS_SELECTOR, "[role=alert]").text


def _pages(service):
    result = service.ingest_bytes(
        "k.pdf", samples.text_pdf(("Significant Case Review: Child K", "Page two."))
    )
    for n in range(30):
        service.ingest_bytes(f"{n}.txt", f"Initial case review {n}.".encode(), review_type="icr")
    from caselearn.schemas import ActionCreate, RecommendationCreate

    recommendation = service.add_recommendation(
        result.review_id, RecommendationCreate(text="The CPC should audit 20 files by May 2026.")
    )
    service.add_action(recommendation.id, ActionCreate(description="Audit 20 files"))
    return [
        "/",
        "/reviews",
        "/reviews?page=2",
        f"/reviews/{result.review_id}",
        f"/reviews/{result.review_id}/edit",
        f"/reviews/{result.review_id}/plan",
        "/reviews/new",
        "/upload",
        "/portfolio",
        "/smart",
        "/codebook",
        "/reviews/99999",
    ]


@pytest.mark.parametrize("width,height", [(1280, 900), (768, 1024)], ids=["laptop", "tablet"])
def test_every_page_meets_wcag_21_aa_and_is_screenshotted(live, service, width, height):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    failures = {}
    for driver in chrome(width, height):
        for path in _pages(service):
            driver.get(f"{live.url}{path}")
            violations = axe_violations(driver)
            if violations:
                failures[path] = violations
            name = path.strip("/").replace("/", "_").replace("?", "_") or "home"
            driver.save_screenshot(str(SCREENSHOTS / f"{name}-{width}.png"))
            # Nothing may overflow sideways on a tablet.
            overflow = driver.execute_script(
                "return document.documentElement.scrollWidth > window.innerWidth + 1"
            )
            assert not overflow, f"{path} scrolls sideways at {width}px"
    assert failures == {}


def test_skip_link_is_first_and_reaches_main(live, driver):
    driver.get(f"{live.url}/reviews")
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    active = driver.switch_to.active_element
    assert active.text == "Skip to main content"
    active.send_keys(Keys.ENTER)
    assert driver.switch_to.active_element.get_attribute("id") == "content"


def test_pages_work_without_javascript(live, service):
    from selenium import webdriver  # noqa: F401 - options come from chrome()

    result = service.ingest_bytes("a.txt", b"Initial case review of Child A.", review_type="icr")
    for driver in chrome():
        driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
        driver.get(f"{live.url}/reviews")
        driver.find_element(By.LINK_TEXT, "Initial case review of Child A.").click()
        assert f"/reviews/{result.review_id}" in driver.current_url
