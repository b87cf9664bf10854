"""Reminders and the tray, end to end: the real app under Xvfb with a private
D-Bus session bus, which scripts/e2e.sh starts with `dbus-monitor` recording
every `org.freedesktop.Notifications.Notify` call to TASKTALK_NOTIFY_LOG.

No notification server runs: the call is what the test looks for, as a
desktop's notification daemon would receive it.
"""

import ctypes
import os
import re
import sqlite3
import subprocess
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from selenium.webdriver.common.keys import Keys

from test_desktop import by_id, data_dir, launch, task_rows, visible, wait  # noqa: F401 (data_dir: the fixture)

NOTIFY_LOG = os.environ.get("TASKTALK_NOTIFY_LOG", "")
TITLE = "Tasktalk"


def notifications():
    """Each Notify call seen so far: (epoch seconds, summary, body)."""
    found = []
    text = Path(NOTIFY_LOG).read_text(errors="replace") if NOTIFY_LOG else ""
    # A call's header line, then its arguments: app_name, replaces_id,
    # app_icon, summary, body, ...
    for call in text.split("method call ")[1:]:
        if "member=Notify" not in call.splitlines()[0]:
            continue
        stamp = float(re.search(r"time=([0-9.]+)", call).group(1))
        strings = re.findall(r'^\s+string "(.*)"$', call, re.M)
        found.append((stamp, strings[2] if len(strings) > 2 else "", strings[3] if len(strings) > 3 else ""))
    return found


def shown(title):
    return [n for n in notifications() if n[1] == title]


def iso(moment):
    # As the app stores instants in SQLite (tasktalk_core::Timestamp::to_iso).
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def set_reminder(data_dir, title, at):
    with sqlite3.connect(Path(data_dir) / "tasktalk.db") as db:
        changed = db.execute("UPDATE tasks_phaseiii SET remind_at = ?, reminded_at = NULL WHERE title = ?",
                             (iso(at), title)).rowcount
    assert changed == 1, f"no task {title!r}"


class _ClientMessage(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("serial", ctypes.c_ulong), ("send_event", ctypes.c_int),
                ("display", ctypes.c_void_p), ("window", ctypes.c_ulong), ("message_type", ctypes.c_ulong),
                ("format", ctypes.c_int), ("data", ctypes.c_long * 5), ("pad", ctypes.c_long * 12)]


def close_window_like_the_window_manager(title):
    """Sends the window `title` WM_DELETE_WINDOW, which is what clicking a
    window's close button does (no window manager runs under Xvfb)."""
    x11 = ctypes.cdll.LoadLibrary("libX11.so.6")
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XDefaultRootWindow.restype = ctypes.c_ulong
    x11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
    x11.XInternAtom.restype = ctypes.c_ulong
    x11.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    x11.XQueryTree.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(ctypes.c_ulong),
                               ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.POINTER(ctypes.c_ulong)),
                               ctypes.POINTER(ctypes.c_uint)]
    x11.XFetchName.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(ctypes.c_char_p)]
    x11.XSendEvent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_long, ctypes.c_void_p]
    x11.XFlush.argtypes = [ctypes.c_void_p]
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
    display = x11.XOpenDisplay(None)
    assert display, "no X display"
    try:
        root, parent = ctypes.c_ulong(), ctypes.c_ulong()
        children, count = ctypes.POINTER(ctypes.c_ulong)(), ctypes.c_uint()
        x11.XQueryTree(display, x11.XDefaultRootWindow(display), ctypes.byref(root), ctypes.byref(parent),
                       ctypes.byref(children), ctypes.byref(count))
        target = None
        for i in range(count.value):
            name = ctypes.c_char_p()
            if x11.XFetchName(display, children[i], ctypes.byref(name)) and name.value == title.encode():
                target = children[i]
        assert target, f"no window named {title!r}"
        event = _ClientMessage(type=33, window=target, format=32,  # 33: ClientMessage
                               message_type=x11.XInternAtom(display, b"WM_PROTOCOLS", 0))
        event.data[0] = x11.XInternAtom(display, b"WM_DELETE_WINDOW", 0)
        x11.XSendEvent(display, target, 0, 0, ctypes.byref(event))
        x11.XFlush(display)
        return target
    finally:
        x11.XCloseDisplay(display)


def map_state(window):
    out = subprocess.run(["xwininfo", "-id", str(window)], capture_output=True, text=True, check=True).stdout
    return re.search(r"Map State: (\w+)", out).group(1)


def app_processes():
    app = os.path.realpath(os.environ["TASKTALK_APP"])
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and os.path.realpath(entry / "exe") == app:
                pids.append(int(entry.name))
        except OSError:
            continue
    return pids


def test_reminders_fire_once_missed_ones_at_start_and_from_the_tray(data_dir):
    assert NOTIFY_LOG, "scripts/e2e.sh records the session bus's Notify calls in TASKTALK_NOTIFY_LOG"
    driver = launch()
    try:
        visible(driver, "auth-page")
        driver.find_element(*by_id("goto-signup")).click()
        for test_id, value in [("signup-name", "Rita Reminder"), ("signup-email", "rita@example.com"),
                               ("signup-password", "correct horse battery")]:
            visible(driver, test_id).send_keys(value)
        driver.find_element(*by_id("signup-submit")).click()
        visible(driver, "composer-input", timeout=30)
        for title in ["stretch", "water the plants"]:
            composer = visible(driver, "composer-input")
            composer.send_keys(f"add a task to {title}")
            composer.send_keys(Keys.ENTER)
            wait(driver, lambda d, title=title: title in task_rows(d), message=f"{title!r} is added")
    finally:
        driver.quit()

    # While the app is off: one reminder was missed an hour ago, one is due
    # a few seconds after the next start.
    now = datetime.now(timezone.utc)
    set_reminder(data_dir, "water the plants", now - timedelta(hours=1))
    due = now + timedelta(seconds=15)
    set_reminder(data_dir, "stretch", due)
    assert shown("water the plants") == [] and shown("stretch") == []

    driver = launch()
    try:
        visible(driver, "chat-page", timeout=30)
        wait(driver, lambda d: shown("water the plants"), timeout=10, message="the missed reminder is shown at start")
        assert shown("stretch") == [], "not before its time"

        # Closing the window leaves the app in the tray: still running, its
        # web view still answering, the window only hidden.
        window = close_window_like_the_window_manager(TITLE)
        wait(driver, lambda d: map_state(window) != "IsViewable", timeout=10, message="the window hides")
        assert app_processes(), "the app keeps running after its window is closed"
        assert driver.execute_script("return document.title") == TITLE

        # ...and the reminder due now fires from there, at its time.
        wait(driver, lambda d: shown("stretch"), timeout=40, message="the reminder is sent to the notification server")
        (stamp, summary, body), = shown("stretch")
        assert stamp >= due.timestamp() - 0.5, f"shown {due.timestamp() - stamp:.1f} s early"
        assert (summary, body) == ("stretch", "Reminder from Tasktalk")
        time.sleep(2)
        assert len(shown("stretch")) == 1 and len(shown("water the plants")) == 1, "each reminder is shown once"
        assert app_processes() and map_state(window) != "IsViewable"

        # Starting Tasktalk again (the launcher) shows the running app's
        # window; the second process exits instead of running twice.
        running = app_processes()
        begun = time.monotonic()
        second = subprocess.run([os.environ["TASKTALK_APP"]], capture_output=True, text=True, timeout=30)
        took = time.monotonic() - begun
        assert second.returncode == 0, second.stderr
        assert took < 1.0, f"the second start took {took:.2f} s to exit"
        wait(driver, lambda d: map_state(window) == "IsViewable", timeout=10, message="the window is back")
        wait(driver, lambda d: int(xdotool("getwindowfocus").strip()) == window, timeout=10,
             message="the window comes forward with the keyboard focus")
        assert app_processes() == running
    finally:
        driver.quit()


def xdotool(*args):
    return subprocess.run(["xdotool", *args], capture_output=True, text=True, check=True).stdout


def viewable_window(name):
    """The id of the mapped window named `name`, or None."""
    found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", f"^{name}$"],
                           capture_output=True, text=True).stdout.split()
    return found[0] if found else None


def test_the_global_shortcut_opens_quick_add_which_adds_a_task(data_dir):
    driver = launch()
    try:
        visible(driver, "chat-page", timeout=30)
        main = driver.current_window_handle
        assert viewable_window("Tasktalk quick add") is None
        # The default shortcut, pressed on the X server: the app holds it
        # globally, whichever window has the focus.
        xdotool("key", "ctrl+alt+n")
        wait(driver, lambda d: viewable_window("Tasktalk quick add"), timeout=15,
             message="the shortcut opens the quick-add window")
        quick_add = wait(driver, lambda d: next((h for h in d.window_handles if h != main), None),
                         message="the quick-add window's web view")
        driver.switch_to.window(quick_add)
        field = visible(driver, "quick-add-input")
        assert driver.switch_to.active_element == field, "the cursor is in the field"
        # The chat's reading: the date words leave the title.
        field.send_keys("buy bread tomorrow at 5pm")
        field.send_keys(Keys.ENTER)
        status = wait(driver, lambda d: next((e for e in d.find_elements(*by_id("quick-add-status"))
                                             if "buy bread" in e.text), None),
                      message="the assistant's answer shows")
        assert "tomorrow" in status.text.lower() or "17:00" in status.text, status.text
        wait(driver, lambda d: viewable_window("Tasktalk quick add") is None, timeout=10,
             message="the quick-add window hides after adding")
        driver.switch_to.window(main)
        wait(driver, lambda d: task_rows(d).get("buy bread") == "false", timeout=15,
             message="the task is added and the main window's panel shows it")
    finally:
        driver.quit()
