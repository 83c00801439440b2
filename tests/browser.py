"""A live server and headless Chromium (Debian's chromium and chromium-driver) for browser tests."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
AXE = Path(os.environ.get("AXE_CORE_JS", ROOT / ".cache/npm/node_modules/axe-core/axe.min.js"))
SCREENSHOTS = Path(os.environ.get("CASELEARN_SCREENSHOTS", ROOT / ".cache/screenshots"))


def require_browser() -> None:
    missing = [p for p in (CHROMEDRIVER, CHROMIUM) if not shutil.which(p) and not Path(p).exists()]
    if not AXE.exists():
        missing.append(str(AXE))
    if missing:
        message = f"browser tests need {', '.join(missing)} (scripts/test.sh installs them)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# The server of the running test (set by the ``live`` fixture): chrome() signs in to it.
ACTIVE_SERVER: LiveServer | None = None


class LiveServer:
    def __init__(self, app, credentials: tuple[str, str] | None = None) -> None:  # type: ignore[no-untyped-def]
        import uvicorn

        self.credentials = credentials
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def sign_in(self, driver, name: str, password: str) -> None:  # type: ignore[no-untyped-def]
        from selenium.webdriver.common.by import By

        driver.get(f"{self.url}/login")
        driver.find_element(By.ID, "name").send_keys(name)
        driver.find_element(By.ID, "password").send_keys(password)
        driver.find_element(By.CSS_SELECTOR, "form[action='/login'] button").click()
        wait(driver).until(lambda d: "/login" not in d.current_url)


def chrome(width: int = 1280, height: int = 900) -> Iterator:  # type: ignore[type-arg]
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--window-size={width},{height}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    driver.implicitly_wait(5)
    if ACTIVE_SERVER is not None and ACTIVE_SERVER.credentials:
        # Every page needs a signed-in person: sign in as the test's administrator first.
        ACTIVE_SERVER.sign_in(driver, *ACTIVE_SERVER.credentials)
    try:
        yield driver
    finally:
        driver.quit()


def axe_violations(driver) -> list[dict]:  # type: ignore[no-untyped-def]
    """Run axe-core's WCAG 2.1 A and AA rules on the current page."""
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', "
        "'wcag21aa']}}).then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, "
        "help: v.help, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))));"
    )
    return result


def wait(driver, seconds: float = 10):  # type: ignore[no-untyped-def]
    """Wait for a condition across a page load: the old page's elements go stale meanwhile."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException

    return _AcrossLoads(
        driver, seconds, ignored_exceptions=(StaleElementReferenceException, NoSuchElementException)
    )


class _AcrossLoads:
    """WebDriverWait, also riding out Chromium's other word for a stale element: read while
    the page is being replaced, an element can fail with "unhandled inspector error: Node with
    given id does not belong to the document" instead of StaleElementReferenceException."""

    def __init__(self, driver, seconds: float, ignored_exceptions) -> None:  # type: ignore[no-untyped-def]
        from selenium.webdriver.support.ui import WebDriverWait

        self._wait = WebDriverWait(driver, seconds, ignored_exceptions=ignored_exceptions)

    def until(self, condition, message: str = ""):  # type: ignore[no-untyped-def]
        from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

        def checked(driver):  # type: ignore[no-untyped-def]
            try:
                return condition(driver)
            except StaleElementReferenceException:
                raise
            except WebDriverException as exc:
                if "does not belong to the document" in str(exc):
                    raise StaleElementReferenceException(str(exc)) from exc
                raise

        return self._wait.until(checked, message)

    def until_not(self, condition, message: str = ""):  # type: ignore[no-untyped-def]
        return self._wait.until_not(condition, message)
