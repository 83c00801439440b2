"""A lead officer's briefing in real headless Chromium: draft it from the review page, edit a
section, keep a redaction, publish, record where it was shared; the pages pass axe-core's
WCAG 2.1 AA rules at laptop and tablet widths."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.browser import SCREENSHOTS, axe_violations, chrome, wait
from tests.test_briefing_library import NAMED

pytestmark = pytest.mark.browser


def test_draft_edit_redact_publish_and_record(live, driver, service):
    review_id = service.ingest_bytes(
        "child-p.txt", NAMED.encode(), committee="Glenbrae CPC", review_type="learning_review"
    ).review_id
    driver.get(f"{live.url}/reviews/{review_id}")
    driver.find_element(
        By.XPATH, "//button[starts-with(normalize-space(.), 'Draft a 7-minute briefing')]"
    ).click()
    wait(driver).until(lambda d: "/briefings/" in d.current_url)
    preview = driver.find_element(By.CSS_SELECTOR, "article.briefing").text
    assert "What was found" in preview and "Fenwick" not in preview
    link = driver.find_element(By.CSS_SELECTOR, "article.briefing .refs a[href*='document=']")
    assert f"/reviews/{review_id}?document=" in link.get_attribute("href")

    box = driver.find_element(By.ID, "text-1")
    box.clear()
    box.send_keys("Our committee asks every team to read this review together.")
    driver.find_element(By.CSS_SELECTOR, "#edit-1 button[type=submit]").click()
    wait(driver).until(
        lambda d: "every team to read this review" in d.find_element(By.ID, "section-1").text
    )

    row = driver.find_element(
        By.XPATH, "//table[@class='redactions']//tr[td[contains(., 'Fenwick')]]"
    )
    row.find_element(By.XPATH, ".//button[starts-with(normalize-space(.), 'Keep')]").click()
    wait(driver).until(
        lambda d: "Fenwick" in d.find_element(By.CSS_SELECTOR, "article.briefing").text
    )

    driver.find_element(
        By.XPATH, "//button[starts-with(normalize-space(.), 'Publish version')]"
    ).click()
    wait(driver).until(
        lambda d: "published: version 3" in d.find_element(By.CSS_SELECTOR, ".meta").text
    )

    Select(driver.find_element(By.ID, "diss-kind")).select_by_value("team_meeting")
    driver.execute_script("document.getElementById('diss-on').value = '2025-03-04'")
    driver.find_element(By.ID, "diss-audience").send_keys("14")
    driver.find_element(By.CSS_SELECTOR, "#dissemination button[type=submit]").click()
    wait(driver).until(lambda d: "14 people" in d.find_element(By.ID, "dissemination").text)

    view = service.get_briefing(1)
    assert view.status == "published" and view.published_version == 3
    assert view.overrides[0]["action"] == "keep" and "Fenwick" in view.overrides[0]["text"]
    assert view.content["sections"][0]["statements"][0]["sources"][0]["kind"] == "person"
    assert [(d.kind, d.audience) for d in service.dissemination_records()] == [("team_meeting", 14)]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SCREENSHOTS / "briefing-1280.png"))
    assert axe_violations(driver) == []
    driver.get(f"{live.url}/briefings")
    assert axe_violations(driver) == []


def test_briefing_pages_pass_axe_at_tablet_width(live, service):
    review_id = service.ingest_bytes(
        "child-p.txt", NAMED.encode(), committee="Glenbrae CPC", review_type="learning_review"
    ).review_id
    service.create_briefing(
        __import__("caselearn.services.briefings", fromlist=["x"]).BriefingRequest(
            kind="review", review_id=review_id
        )
    )
    for driver in chrome(768, 1000):
        for path in ("/briefings", "/briefings/1", "/briefings/1?version=1"):
            driver.get(f"{live.url}{path}")
            assert axe_violations(driver) == [], path
        driver.save_screenshot(str(SCREENSHOTS / "briefing-768.png"))
