"""The desktop app end to end: the real binary in a real WebKit web view under
Xvfb, driven through tauri-driver and WebKitWebDriver.

Needs TASKTALK_APP (the binary built with the `custom-protocol` feature), a
display (scripts/e2e.sh starts Xvfb and tauri-driver) and TAURI_DRIVER_URL.
OpenAI's CDN is unreachable here, so the built-in chat view takes over.
"""

import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.common.action_chains import ActionChains
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


def thread_titles(driver):
    """The list's titles (textContent: WebKitWebDriver reads an ellipsised
    span's rendered text as empty); the imported long conversation (see
    import_long_thread) is left out, and so is a row being renamed."""
    titles = driver.execute_script(
        "return [...document.querySelectorAll('[data-testid=\"thread-item\"] .thread-title')].map(e => e.textContent)")
    return [title for title in titles if title != LONG_TITLE]


def wait_titles(driver, expected, message):
    """Waits for the thread list to read `expected`; a timeout says what it read."""
    try:
        wait(driver, lambda d: thread_titles(d) == expected, message=message)
    except TimeoutException:
        raise AssertionError(f"{message}: the list reads {thread_titles(driver)}, not {expected}") from None


def thread_row(driver, title):
    return next(e for e in driver.find_elements(*by_id("thread-item"))
                if any(t.get_attribute("textContent") == title for t in e.find_elements(By.CSS_SELECTOR, ".thread-title")))


def row_action(driver, title, action):
    """Focuses the thread's row (its actions show on focus) and clicks one of them."""
    row = thread_row(driver, title)
    row.find_element(By.CSS_SELECTOR, ".thread-btn").click()
    row.find_element(*by_id(action)).click()


def manage_threads(driver):
    """A second thread, then search, rename and delete in the thread list."""
    driver.find_element(*by_id("new-thread")).click()
    composer = visible(driver, "composer-input")
    composer.send_keys("add a task to call the bank")
    composer.send_keys(Keys.ENTER)
    wait(driver, lambda d: any("call the bank" in t for t in texts(d, "message-assistant")), message="second reply")
    wait_titles(driver, ["add a task to call the bank", "add a task to buy milk"], "the newest thread first")
    # The first group is today's (its header is upper-cased by CSS).
    assert texts(driver, "thread-group")[0].upper().startswith("TODAY"), texts(driver, "thread-group")

    search = driver.find_element(*by_id("thread-search"))
    ActionChains(driver).key_down(Keys.CONTROL).send_keys("k").key_up(Keys.CONTROL).perform()
    wait(driver, lambda d: d.switch_to.active_element == search, message="Ctrl+K focuses search")
    search.send_keys("MILK")
    wait_titles(driver, ["add a task to buy milk"], "search finds by message text")
    search.send_keys(Keys.ESCAPE)
    wait(driver, lambda d: len(thread_titles(d)) == 2, message="Esc returns to the list")

    row_action(driver, "add a task to call the bank", "thread-rename")
    field = visible(driver, "thread-rename-input")
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys("Bank errands", Keys.ENTER)
    wait(driver, lambda d: "Bank errands" in thread_titles(d), message="the thread is renamed")

    row_action(driver, "Bank errands", "thread-delete")
    visible(driver, "thread-confirm-delete").click()
    wait_titles(driver, ["add a task to buy milk"], "the thread is deleted")


LONG_TITLE = "A long conversation"
LONG_MESSAGES = 2000


def import_long_thread(data_dir, email):
    """A conversation of LONG_MESSAGES messages, put in the app's database with
    `tasktalk-server import`; its answers are Markdown."""
    server = os.environ.get("TASKTALK_SERVER")
    assert server, "scripts/e2e.sh sets TASKTALK_SERVER"
    items = []
    for i in range(LONG_MESSAGES):
        at = f"2026-11-03T10:{i // 60 % 60:02}:{i % 60:02}Z"
        if i % 2 == 0:
            items.append({"id": "m", "thread_id": "t", "created_at": at, "type": "user_message",
                          "content": [{"type": "input_text", "text": f"question {i}"}],
                          "attachments": [], "inference_options": {}})
        else:
            items.append({"id": "m", "thread_id": "t", "created_at": at, "type": "assistant_message",
                          "content": [{"type": "output_text", "annotations": [],
                                       "text": f"answer {i} in **bold**\n\n- a listed point\n- [a link](https://example.com/{i})"}]})
    document = {"format": "tasktalk-export", "version": 1, "exported_at": "2026-12-01T08:00:00Z", "tasks": [],
                "conversations": [{"id": "thr_long", "title": LONG_TITLE, "created_at": "2026-11-03T10:00:00Z",
                                   "updated_at": "2026-11-03T11:00:00Z", "items": items}]}
    path = Path(data_dir) / "long-thread.json"
    path.write_text(json.dumps(document))
    done = subprocess.run([server, "import", "--email", email, str(path)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "DATABASE_URL": str(Path(data_dir) / "tasktalk.db")})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["items_added"] == LONG_MESSAGES, done.stdout


def open_long_thread(driver):
    """The imported thread opens at its newest message with its Markdown
    rendered (never as raw HTML), and its time to first paint is recorded."""
    driver.execute_script("performance.clearMeasures('thread-open')")
    wait(driver, lambda d: LONG_TITLE in d.execute_script(
        "return [...document.querySelectorAll('.thread-title')].map(e => e.textContent)"), message="the imported thread is listed")
    thread_row(driver, LONG_TITLE).find_element(By.CSS_SELECTOR, ".thread-btn").click()
    last = f"answer {LONG_MESSAGES - 1}"
    wait(driver, lambda d: any(last in t for t in texts(d, "message-assistant")), timeout=60,
         message="the newest message of the long thread shows")
    measure = wait(driver, lambda d: d.execute_script(
        "const m = performance.getEntriesByName('thread-open', 'measure').at(-1);"
        "return m ? {duration: m.duration, messages: m.detail && m.detail.messages} : null;"),
        timeout=30, message="the thread-open measure")
    assert measure["messages"] == LONG_MESSAGES, measure
    rendered = len(driver.find_elements(*by_id("message-assistant"))) + len(driver.find_elements(*by_id("message-user")))
    assert 0 < rendered < 200, f"{rendered} message rows in the page: the list is not virtualised"
    newest = next(e for e in driver.find_elements(*by_id("message-assistant")) if last in e.text)
    assert newest.find_element(By.TAG_NAME, "strong").text == "bold"
    assert newest.find_element(By.TAG_NAME, "li").text == "a listed point"
    assert newest.find_element(By.TAG_NAME, "a").get_attribute("href") == f"https://example.com/{LONG_MESSAGES - 1}"
    # The figure for docs/benchmarks.md, printed with pytest -s or on failure.
    print(f"thread-open: {measure['duration']:.0f} ms for {LONG_MESSAGES} messages")


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

    import_long_thread(data_dir, "ann@example.com")

    # Start again: still signed in, the thread and the completed task are there.
    driver = launch()
    try:
        visible(driver, "chat-page", timeout=30)
        wait(driver, lambda d: task_rows(d).get("buy milk") == "true", message="the completed task is kept")
        thread = visible(driver, "thread-item")
        thread.click()
        wait(driver, lambda d: "add a task to buy milk" in texts(d, "message-user"), message="the thread is kept")
        assert any("buy milk" in t for t in texts(driver, "message-assistant"))
        manage_threads(driver)
        open_long_thread(driver)
        driver.find_element(*by_id("sign-out")).click()
        visible(driver, "auth-page")
        visible(driver, "signin-email")
    finally:
        driver.quit()
