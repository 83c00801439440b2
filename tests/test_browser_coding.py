"""Coding in the browser: highlighted evidence, accept and reject, add a code by selecting a
passage, correct a child; the coded page passes WCAG 2.1 AA checks."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.browser import SCREENSHOTS, axe_violations
from tests.test_coding_store import REPORT

pytestmark = pytest.mark.browser


def wait_for_text(driver, element_id: str, text: str) -> None:
    """Wait for the page the form posted to; the old page's elements go stale meanwhile."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(
        driver, 10, ignored_exceptions=(StaleElementReferenceException, NoSuchElementException)
    ).until(lambda d: text in d.find_element(By.ID, element_id).text)


def test_review_page_shows_evidence_and_takes_decisions(live, driver, service):
    review_id = service.ingest_bytes("child-t.txt", REPORT, review_type="scr").review_id
    driver.get(f"{live.url}/reviews/{review_id}")
    marks = driver.find_elements(By.CSS_SELECTOR, ".page-text mark")
    assert marks, "evidence should be highlighted in the text"
    item = driver.find_element(By.ID, "code-family-domestic_abuse")
    assert "suggested" in item.text
    item.find_element(By.TAG_NAME, "summary").click()
    item.find_element(By.XPATH, ".//button[starts-with(normalize-space(.), 'Accept')]").click()
    wait_for_text(driver, "code-family-domestic_abuse", "accepted")

    other = next(c for c in service.review_coding(review_id).codes if c.status == "suggested")
    element = driver.find_element(By.ID, f"code-{other.code.replace('.', '-')}")
    element.find_element(By.TAG_NAME, "summary").click()
    element.find_element(By.XPATH, ".//button[starts-with(normalize-space(.), 'Reject')]").click()
    wait_for_text(driver, f"code-{other.code.replace('.', '-')}", "rejected")
    statuses = {c.code: c.status for c in service.review_coding(review_id).codes}
    assert statuses["family.domestic_abuse"] == "accepted" and statuses[other.code] == "rejected"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SCREENSHOTS / "review-coded-1280.png"))
    assert axe_violations(driver) == []


def test_select_a_passage_to_add_a_code(live, driver, service):
    review_id = service.ingest_bytes("child-t.txt", REPORT, review_type="scr").review_id
    driver.get(f"{live.url}/reviews/{review_id}")
    phrase = "lived at home with his mother"
    # Select the phrase as a person would with the mouse, then release the button.
    driver.execute_script(
        """
        const container = document.querySelector('.page-text');
        const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
        let node;
        while ((node = walker.nextNode())) {
          const at = node.textContent.indexOf(arguments[0]);
          if (at >= 0) {
            const range = document.createRange();
            range.setStart(node, at); range.setEnd(node, at + arguments[0].length);
            const selection = window.getSelection();
            selection.removeAllRanges(); selection.addRange(range);
            document.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
            return;
          }
        }
        throw new Error('phrase not found');
        """,
        phrase,
    )
    assert driver.find_element(By.ID, "add-quote").get_attribute("value") == phrase
    assert driver.find_element(By.ID, "add-start").get_attribute("value")
    Select(driver.find_element(By.ID, "add-code-select")).select_by_value("theme.male_carers")
    driver.find_element(By.CSS_SELECTOR, "#add-code-form button[type=submit]").click()
    wait_for_text(driver, "code-theme-male_carers", "added by a person")
    assert "accepted" in driver.find_element(By.ID, "code-theme-male_carers").text
    coding = service.review_coding(review_id)
    added = next(c for c in coding.codes if c.code == "theme.male_carers")
    assert added.evidence[0].text == phrase


def test_correct_a_child(live, driver, service):
    review_id = service.ingest_bytes("child-t.txt", REPORT, review_type="scr").review_id
    child = service.review_coding(review_id).children[0]
    driver.get(f"{live.url}/reviews/{review_id}")
    Select(driver.find_element(By.ID, f"living-{child.id}")).select_by_value("looked_after")
    driver.find_element(By.CSS_SELECTOR, f"#child-{child.id} button[type=submit]").click()
    wait_for_text(driver, f"child-{child.id}", "corrected")
    assert service.review_coding(review_id).children[0].living == "looked_after"


def test_history_and_codebook_pages_pass_axe(live, driver, service):
    review_id = service.ingest_bytes("child-t.txt", REPORT, review_type="scr").review_id
    for path in (f"/reviews/{review_id}/history", "/codebook"):
        driver.get(f"{live.url}{path}")
        assert axe_violations(driver) == [], path
        driver.save_screenshot(str(SCREENSHOTS / f"{path.strip('/').replace('/', '_')}-1280.png"))
