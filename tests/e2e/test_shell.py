"""The shell around the window, end to end: the log file, the window's size
and place remembered, and `--disable-dmabuf` (scripts/e2e.sh runs the app
with TASKTALK_DATA_DIR, so the log and the window state are in that folder).
"""

import json
import os
import stat
import subprocess
import time
from pathlib import Path

from test_desktop import data_dir, launch, wait  # noqa: F401 (data_dir: the fixture)
from test_tray_reminders import app_processes, close_window_like_the_window_manager, map_state, xdotool

TITLE = "Tasktalk"


def geometry(window):
    """(x, y, width, height) of an X window, as the X server has it."""
    out = subprocess.run(["xwininfo", "-id", str(window)], capture_output=True, text=True, check=True).stdout
    fields = dict(line.strip().split(":", 1) for line in out.splitlines() if ":" in line)
    return tuple(int(fields[name].strip()) for name in
                 ["Absolute upper-left X", "Absolute upper-left Y", "Width", "Height"])


def main_window():
    found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", f"^{TITLE}$"],
                           capture_output=True, text=True).stdout.split()
    return int(found[0]) if found else None


def started(driver):
    wait(driver, lambda d: d.find_elements("css selector", '[data-testid="auth-page"], [data-testid="chat-page"]'),
         timeout=30, message="the app's first screen")
    return wait(driver, lambda d: main_window(), message="the main window is shown")


def test_a_start_writes_the_log_file_in_a_private_folder(data_dir):
    driver = launch()
    try:
        started(driver)
        log = Path(data_dir) / "logs" / "tasktalk.log"
        wait(driver, lambda d: log.is_file(), timeout=10, message=f"{log} exists")
        mode = stat.S_IMODE(log.parent.stat().st_mode)
        assert mode & 0o077 == 0, f"the logs folder is {oct(mode)}: other accounts could read it"
    finally:
        driver.quit()


def test_the_window_keeps_its_size_and_place_across_starts(data_dir):
    driver = launch()
    try:
        window = started(driver)
        xdotool("windowsize", str(window), "900", "640")
        xdotool("windowmove", str(window), "150", "90")
        wait(driver, lambda d: geometry(window) == (150, 90, 900, 640), timeout=10,
             message="the window is moved and resized")
        # Closing it to the tray saves where it is.
        close_window_like_the_window_manager(TITLE)
        wait(driver, lambda d: map_state(window) != "IsViewable", timeout=10, message="the window hides")
        saved = json.loads((Path(data_dir) / "window-state.json").read_text())
        assert list(saved) == ["main"], "the quick-add window is not remembered"
        assert (saved["main"]["x"], saved["main"]["y"], saved["main"]["width"], saved["main"]["height"]) \
            == (150, 90, 900, 640), saved
    finally:
        driver.quit()

    driver = launch()
    try:
        window = started(driver)
        wait(driver, lambda d: geometry(window) == (150, 90, 900, 640), timeout=10,
             message=f"the window opens where it was, as big as it was (it is at {geometry(window)})")
    finally:
        driver.quit()


def test_a_second_start_with_disable_dmabuf_hands_over_at_once(data_dir):
    driver = launch()
    try:
        started(driver)
        running = app_processes()
        # Without the variable the flag starts the program again with it
        # set, which then finds the running app and exits.
        env = {k: v for k, v in os.environ.items() if k != "WEBKIT_DISABLE_DMABUF_RENDERER"}
        begun = time.monotonic()
        second = subprocess.run([os.environ["TASKTALK_APP"], "--disable-dmabuf"], env=env,
                                capture_output=True, text=True, timeout=30)
        took = time.monotonic() - begun
        assert second.returncode == 0, second.stderr
        assert took < 1.0, f"the second start took {took:.2f} s to exit"
        assert app_processes() == running
    finally:
        driver.quit()
