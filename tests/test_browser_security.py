"""Sign-in, lock-out message and CSRF refusal in a real browser."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from tests.browser import axe_violations, chrome, wait

pytestmark = pytest.mark.browser


def test_sign_in_csrf_and_sign_out_in_the_browser(live, service):
    service.add_user("Ann Lee", "lead", committee="Riverside CPC", password="long enough pass")
    live.credentials = None  # this test signs in by hand
    for driver in chrome(1280, 900):
        driver.get(f"{live.url}/reviews/new")
        wait(driver).until(lambda d: "/login" in d.current_url)
        assert axe_violations(driver) == []
        driver.find_element(By.ID, "name").send_keys("Ann Lee")
        driver.find_element(By.ID, "password").send_keys("wrong password")
        driver.find_element(By.CSS_SELECTOR, "form[action='/login'] button").click()
        wait(driver).until(lambda d: d.find_elements(By.CSS_SELECTOR, "[role=alert]"))
        assert "not right" in driver.find_element(By.CSS_SELECTOR, "[role=alert]").text
        driver.find_element(By.ID, "password").send_keys("long enough pass")
        driver.find_element(By.CSS_SELECTOR, "form[action='/login'] button").click()
        wait(driver).until(lambda d: "/reviews/new" in d.current_url)
        assert "Ann Lee (lead, Riverside CPC)" in driver.find_element(By.TAG_NAME, "header").text

        # A form whose token was tampered with (as a forged cross-site post would be) is refused.
        form = driver.find_element(By.CSS_SELECTOR, "form[action='/reviews/new']")
        token = form.find_element(By.NAME, "csrf_token")
        driver.execute_script("arguments[0].value = 'forged'", token)
        driver.find_element(By.ID, "title").send_keys("Forged review")
        driver.find_element(By.ID, "committee").send_keys("Riverside CPC")
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait(driver).until(lambda d: "did not come from caselearn" in d.page_source)
        assert service.list_reviews().total == 0

        driver.get(f"{live.url}/reviews/new")
        driver.find_element(By.ID, "title").send_keys("Real review")
        driver.find_element(By.ID, "committee").send_keys("Riverside CPC")
        driver.find_element(
            By.CSS_SELECTOR, "form[action='/reviews/new'] button[type=submit]"
        ).click()
        wait(driver).until(lambda d: service.list_reviews().total == 1)

        driver.get(f"{live.url}/logout")
        driver.find_element(By.CSS_SELECTOR, "form[action='/logout'] button").click()
        wait(driver).until(lambda d: "/login" in d.current_url)
        driver.get(f"{live.url}/reviews")
        wait(driver).until(lambda d: "/login" in d.current_url)
