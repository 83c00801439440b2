"""The overview report and the records import in a real browser: filters, charts beside their
tables, downloads, a dry run listing bad rows; WCAG 2.1 AA at laptop and tablet widths."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.browser import SCREENSHOTS, axe_violations, chrome, wait
from tests.test_reports import GOOD, csv_of

pytestmark = pytest.mark.browser


def test_report_filters_by_committee_and_shows_charts_with_tables(live, driver, service):
    service.import_records("r.csv", GOOD)
    driver.get(f"{live.url}/reports")
    Select(driver.find_element(By.ID, "committee")).select_by_visible_text("Northshire CPC")
    # The date widget's typing order follows the browser's locale; set the value directly.
    driver.execute_script("arguments[0].value = '2019-04-01'", driver.find_element(By.ID, "from"))
    driver.find_element(By.CSS_SELECTOR, "form.report-filters button").click()
    wait(driver).until(lambda d: "committee=Northshire+CPC" in d.current_url)
    meta = driver.find_element(By.CSS_SELECTOR, ".report-meta").text
    assert "Northshire CPC" in meta and "1 April 2019" in meta
    section = driver.find_element(By.ID, "table-age_bands")
    assert section.find_element(By.CSS_SELECTOR, "figure.chart svg")
    header = [th.text for th in section.find_elements(By.CSS_SELECTOR, "thead th")]
    assert header == ["category", "SCR", "ICR", "Total"]
    total = section.find_element(By.CSS_SELECTOR, "tr.total").text.split()
    assert total == ["Total", "1", "2", "3"]
    link = driver.find_element(By.LINK_TEXT, "Excel").get_attribute("href")
    assert "/reports/export.xlsx?" in link and "committee=Northshire+CPC" in link


def test_records_dry_run_lists_bad_rows_in_the_browser(live, driver, service, tmp_path):
    bad = tmp_path / "records.csv"
    bad.write_bytes(csv_of("X,icr,A,2019-02-30,no,,1,3,,,home,no,neglect,,"))
    driver.get(f"{live.url}/reports/import")
    driver.find_element(By.ID, "file").send_keys(str(bad))
    driver.find_element(By.CSS_SELECTOR, "form button").click()
    wait(driver).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".problems li"))
    problems = [li.text for li in driver.find_elements(By.CSS_SELECTOR, ".problems li")]
    assert problems == ["records.csv: row 2, notification_date: '2019-02-30' is an impossible date"]
    assert service.report_committees() == []


@pytest.mark.parametrize("width,height", [(1280, 900), (768, 1024)], ids=["laptop", "tablet"])
def test_report_pages_meet_wcag_21_aa(live, service, width, height):
    service.import_records("r.csv", GOOD)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    failures = {}
    for driver in chrome(width, height):
        for path in ("/reports", "/reports?from=2001-01-01&to=2001-12-31", "/reports/import"):
            driver.get(f"{live.url}{path}")
            violations = axe_violations(driver)
            if violations:
                failures[path] = violations
            name = path.strip("/").replace("/", "_").replace("?", "_").replace("&", "_")
            driver.save_screenshot(str(SCREENSHOTS / f"{name}-{width}.png"))
            overflow = driver.execute_script(
                "return document.documentElement.scrollWidth > window.innerWidth + 1"
            )
            assert not overflow, f"{path} scrolls sideways at {width}px"
    assert failures == {}
