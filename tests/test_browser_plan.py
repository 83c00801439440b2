"""Action plans in the browser: add an action, record progress and impact, close it; the SMART
checker; the portfolio."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from caselearn.schemas import RecommendationCreate
from tests.browser import axe_violations, wait

pytestmark = pytest.mark.browser


def test_plan_action_from_creation_to_evidenced_close(live, driver, service):
    review = service.register_review(
        __import__("caselearn.schemas", fromlist=["ReviewCreate"]).ReviewCreate(
            title="SCR: Child Y", committee="Riverside CPC", review_type="scr"
        )
    )
    rec = service.add_recommendation(
        review.id,
        RecommendationCreate(
            text="Riverside CPC should audit 20 case files for chronologies by March 2026.",
            number="1",
        ),
    )
    driver.get(f"{live.url}/reviews/{review.id}/plan")
    driver.find_element(
        By.XPATH, "//summary[starts-with(normalize-space(.), 'Add an action')]"
    ).click()
    driver.find_element(By.ID, f"ad-{rec.id}").send_keys("Audit 20 case files")
    driver.find_element(By.ID, f"ao-{rec.id}").send_keys("QA lead")
    driver.find_element(
        By.CSS_SELECTOR, f"form[action='/recommendations/{rec.id}/actions'] button"
    ).click()
    wait(driver).until(lambda d: "#action-" in d.current_url)
    action = service.recommendations(review.id)[0].actions[0]
    assert driver.find_element(By.ID, f"action-{action.id}").text.startswith("Audit 20 case files")

    driver.find_element(
        By.XPATH, f"//summary[normalize-space(.)='Update action {action.id}']"
    ).click()
    driver.find_element(By.ID, f"id-{action.id}").send_keys("18 of 20 files now hold a chronology")
    Select(driver.find_element(By.ID, f"ik-{action.id}")).select_by_value("audit")
    driver.find_element(
        By.CSS_SELECTOR, f"form[action='/actions/{action.id}/impact'] button"
    ).click()
    wait(driver).until(lambda d: service.recommendations(review.id)[0].actions[0].evidence)
    driver.get(f"{live.url}/reviews/{review.id}/plan")
    driver.find_element(
        By.XPATH, f"//summary[normalize-space(.)='Update action {action.id}']"
    ).click()
    Select(driver.find_element(By.ID, f"st-{action.id}")).select_by_value("completed")
    driver.find_element(By.XPATH, f"//button[normalize-space(.)='Save action {action.id}']").click()
    wait(driver).until(
        lambda d: service.recommendations(review.id)[0].actions[0].status == "completed"
    )
    assert "GREEN" in driver.find_element(By.ID, f"action-{action.id}").text
    assert axe_violations(driver) == []


def test_smart_checker_and_portfolio(live, driver):
    driver.get(f"{live.url}/smart")
    driver.find_element(By.ID, "smart-text").send_keys(
        "1. Improve practice.\n2. The CPC should audit 20 case files by March 2026 and report."
    )
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait(driver).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".smart-result"))
    results = driver.find_elements(By.CSS_SELECTOR, ".smart-result")
    assert len(results) == 2 and "Missing" in results[0].text
    assert axe_violations(driver) == []
    driver.get(f"{live.url}/portfolio")
    assert "Improvement actions across reviews" in driver.find_element(By.TAG_NAME, "h1").text
