"""Settings → Data and a conversation's "Export as Markdown" end to end: the
files are picked in the real GTK file dialogs the app opens, driven here with
xdotool (typed into the dialog like a person would), then read from disk."""

import json
import subprocess
from pathlib import Path

from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.keys import Keys

from test_desktop import data_dir, launch, row_action, texts, visible, wait  # noqa: F401 (data_dir: the fixture)
from test_tray_reminders import xdotool

EMAIL = "exa@example.com"


def sign_up(driver, name, email):
    visible(driver, "auth-page", timeout=30)
    driver.find_element("css selector", '[data-testid="goto-signup"]').click()
    for test_id, value in [("signup-name", name), ("signup-email", email), ("signup-password", "correct horse battery")]:
        visible(driver, test_id).send_keys(value)
    driver.find_element("css selector", '[data-testid="signup-submit"]').click()
    visible(driver, "chat-page")


def dialog_windows(title):
    return subprocess.run(["xdotool", "search", "--onlyvisible", "--name", f"^{title}$"],
                          capture_output=True, text=True).stdout.split()


def answer_dialog(driver, title, keys, path):
    """Focuses the app's file dialog titled `title` once it shows, presses
    `keys` (to reach the name or location field), types `path` and presses
    Enter, as a person would. GTK reads a typed location asynchronously (it
    lists the folder to complete the name), so an Enter that comes before
    that is ignored: Enter again until the dialog closes."""
    window = wait(driver, lambda _: next(iter(dialog_windows(title)), None), timeout=20,
                  message=f"the file dialog “{title}” opens")
    xdotool("windowfocus", "--sync", window)
    xdotool("key", "--clearmodifiers", keys)
    xdotool("type", "--delay", "20", str(path))
    for _ in range(10):
        xdotool("key", "Return")
        try:
            wait(driver, lambda _: not dialog_windows(title), timeout=2)
            return
        except TimeoutException:
            continue
    raise AssertionError(f"the file dialog “{title}” did not take {path}")


def answer_save_dialog(driver, title, path):
    """Replaces the suggested name with a full path and saves."""
    answer_dialog(driver, title, "ctrl+a", path)


def answer_open_dialog(driver, title, path):
    """Types the file's location (Ctrl+L opens the location field) and opens it."""
    answer_dialog(driver, title, "ctrl+l", path)


def status(driver):
    """The Data section's status line, or its error when it shows one."""
    errors = driver.find_elements("css selector", '[data-testid="data-error"]')
    return errors[0].text if errors else driver.find_element("css selector", '[data-testid="data-status"]').text


def test_export_through_the_dialogs_and_import_back(data_dir, tmp_path):
    driver = launch()
    try:
        sign_up(driver, "Exa Example", EMAIL)
        composer = visible(driver, "composer-input")
        composer.send_keys("add a task to pack the tent")
        composer.send_keys(Keys.ENTER)
        wait(driver, lambda d: any("pack the tent" in t for t in texts(d, "message-assistant")), message="the reply")

        # The conversation as Markdown, from its row in the thread list.
        markdown = tmp_path / "tent.md"
        row_action(driver, "add a task to pack the tent", "thread-export")
        answer_save_dialog(driver, "Export the conversation as Markdown", markdown)
        wait(driver, lambda d: markdown.is_file(), message=f"{markdown} is written")
        text = markdown.read_text()
        assert text.startswith("# add a task to pack the tent"), text
        assert "**You:**" in text and "**Assistant:**" in text, text
        visible(driver, "thread-exported")

        # Everything as JSON from Settings → Data.
        driver.find_element("css selector", '[data-testid="open-settings"]').click()
        visible(driver, "data-export-json").click()
        export = tmp_path / "backup.json"
        answer_save_dialog(driver, "Export your Tasktalk data", export)
        wait(driver, lambda d: status(d) == f"Saved to {export}", message="the export is reported")
        document = json.loads(export.read_text())
        assert document["format"] == "tasktalk-export" and document["version"] == 1
        assert [t["title"] for t in document["tasks"]] == ["pack the tent"], document["tasks"]
        assert len(document["conversations"]) == 1
        assert export.stat().st_mode & 0o077 == 0, "an export is private to its owner"

        # An import adds what the account lacks: a task from another export.
        document["tasks"][0]["title"] = "check the stove"
        document["conversations"] = []
        other = tmp_path / "from-elsewhere.json"
        other.write_text(json.dumps(document))
        driver.find_element("css selector", '[data-testid="data-import"]').click()
        answer_open_dialog(driver, "Import a Tasktalk export", other)
        wait(driver, lambda d: status(d).startswith("Imported 1 task and 0 conversations"),
             message=f"the import is reported (status: {status(driver)!r})")

        driver.find_element("css selector", '[data-testid="back-to-chat"]').click()
        wait(driver, lambda d: "check the stove" in texts(d, "task-title"), message="the imported task is listed")
        driver.find_element("css selector", '[data-testid="sign-out"]').click()
        visible(driver, "auth-page")
    finally:
        driver.quit()
