"""The desktop app end to end: the real binary in a real WebKit web view under
Xvfb, driven through tauri-driver and WebKitWebDriver.

Needs TASKTALK_APP (the binary built with the `custom-protocol` feature), a
display (scripts/e2e.sh starts Xvfb and tauri-driver) and TAURI_DRIVER_URL.
OpenAI's CDN is unreachable here, so the built-in chat view takes over.
"""

import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.common.options import ArgOptions
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parents[2]
DRIVER = os.environ.get("TAURI_DRIVER_URL", "http://127.0.0.1:4444")
SCREENSHOT = os.environ.get("TASKTALK_SCREENSHOT", str(ROOT / "docs" / "screenshot.png"))


def launch():
    app = os.environ.get("TASKTALK_APP")
    assert app and Path(app).exists(), "set TASKTALK_APP to the built tasktalk binary"
    options = ArgOptions()
    options.set_capability("browserName", "wry")
    options.set_capability("tauri:options", {"application": app})
    return webdriver.Remote(command_executor=DRIVER, options=options)


def by_id(test_id):
    return (By.CSS_SELECTOR, f'[data-testid="{test_id}"]')


def wait(driver, condition, timeout=20, message=""):
    return WebDriverWait(driver, timeout, ignored_exceptions=(StaleElementReferenceException,)).until(
        condition, message
    )


def visible(driver, test_id, timeout=20):
    return wait(driver, lambda d: next((e for e in d.find_elements(*by_id(test_id)) if e.is_displayed()), None),
                timeout, f"{test_id} did not appear")


def texts(driver, test_id):
    return [e.text for e in driver.find_elements(*by_id(test_id))]


def task_rows(driver):
    return {e.find_element(*by_id("task-title")).text: e.get_attribute("data-completed")
            for e in driver.find_elements(*by_id("task-row"))}


@pytest.fixture(scope="module")
def data_dir():
    # tauri-driver starts the app with its own environment: scripts/e2e.sh
    # points TASKTALK_DATA_DIR at a fresh folder for the whole run.
    path = os.environ.get("TASKTALK_DATA_DIR")
    assert path, "scripts/e2e.sh sets TASKTALK_DATA_DIR"
    yield path


def test_sign_up_chat_check_off_restart_and_sign_out(data_dir):
    driver = launch()
    try:
        visible(driver, "auth-page")
        driver.find_element(*by_id("goto-signup")).click()
        # Inline validation blocks a bad form before anything is sent.
        visible(driver, "signup-email").send_keys("not-an-email")
        driver.find_element(*by_id("signup-submit")).click()
        assert driver.find_elements(*by_id("chat-page")) == []
        for test_id, value in [("signup-name", "Ann Example"), ("signup-email", "ann@example.com"),
                               ("signup-password", "correct horse battery")]:
            field = driver.find_element(*by_id(test_id))
            field.clear()
            field.send_keys(value)
        driver.find_element(*by_id("signup-submit")).click()

        visible(driver, "chat-page")
        # Chat view Automatic: the built-in chat at once; offline, a quiet status line.
        visible(driver, "builtin-chat")
        visible(driver, "chat-fallback-status", timeout=30)
        composer = visible(driver, "composer-input")
        composer.send_keys("add a task to buy milk")
        composer.send_keys(Keys.ENTER)

        wait(driver, lambda d: "add a task to buy milk" in texts(d, "message-user"), message="the message shows")
        reply = wait(driver, lambda d: next((e for e in d.find_elements(*by_id("message-assistant"))
                                             if "buy milk" in e.text and e.get_attribute("data-streaming") != "true"),
                                            None), message="the assistant's reply streams in")
        assert "added" in reply.text.lower(), reply.text
        wait(driver, lambda d: task_rows(d).get("buy milk") == "false", message="the task appears in the panel")

        row = next(e for e in driver.find_elements(*by_id("task-row"))
                   if e.find_element(*by_id("task-title")).text == "buy milk")
        row.find_element(*by_id("task-checkbox")).click()
        wait(driver, lambda d: task_rows(d).get("buy milk") == "true", message="the task is checked off")
        time.sleep(0.5)  # let the panel settle for the picture
        Path(SCREENSHOT).parent.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(SCREENSHOT)
    finally:
        driver.quit()

    # Start again: still signed in, the thread and the completed task are there.
    driver = launch()
    try:
        visible(driver, "chat-page", timeout=30)
        wait(driver, lambda d: task_rows(d).get("buy milk") == "true", message="the completed task is kept")
        thread = visible(driver, "thread-item")
        thread.click()
        wait(driver, lambda d: "add a task to buy milk" in texts(d, "message-user"), message="the thread is kept")
        assert any("buy milk" in t for t in texts(driver, "message-assistant"))
        driver.find_element(*by_id("sign-out")).click()
        visible(driver, "auth-page")
        visible(driver, "signin-email")
    finally:
        driver.quit()
