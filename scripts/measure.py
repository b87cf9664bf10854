"""Start time and idle memory of Tasktalk beside an empty Tauri window.

Run by scripts/measure.sh (which builds both binaries, starts Xvfb and
tauri-driver). For each app, several launches through WebDriver: the time from
asking for a session (which starts the binary) until the first screen is
interactive. Memory: PSS summed over the app and every process it started
(WebKit's web and network processes), read from /proc/PID/smaps_rollup after
5 s of idling — for Tasktalk after signing in with 100 tasks and a
200-message thread open, whose replies are plain sentences; then again after
opening an older thread whose reply is a Markdown list. Prints a Markdown
table.
"""

import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.options import ArgOptions
from selenium.webdriver.support.ui import WebDriverWait

DRIVER = os.environ["TAURI_DRIVER_URL"]
APP = os.environ["TASKTALK_APP"]
BLANK = os.environ["TASKTALK_BLANK"]
SERVER = os.environ["TASKTALK_SERVER"]
DATA = Path(os.environ["TASKTALK_DATA_DIR"])
RUNS = int(os.environ.get("MEASURE_RUNS", "5"))
EMAIL, PASSWORD = "measure@example.com", "measure-password-1"


def session(binary):
    options = ArgOptions()
    options.set_capability("browserName", "wry")
    options.set_capability("tauri:options", {"application": binary})
    return webdriver.Remote(command_executor=DRIVER, options=options)


def shown(driver, test_id, timeout=60):
    return WebDriverWait(driver, timeout).until(
        lambda d: next((e for e in d.find_elements(By.CSS_SELECTOR, f'[data-testid="{test_id}"]') if e.is_displayed()), None))


def launch_time(binary, ready_id):
    start = time.perf_counter()
    driver = session(binary)
    shown(driver, ready_id)
    elapsed = time.perf_counter() - start
    return elapsed, driver


def processes(binary):
    real = os.path.realpath(binary)
    parents, roots = {}, []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            parents[int(entry.name)] = int(stat[stat.rindex(")") + 2:].split()[1])
            if os.path.realpath(entry / "exe") == real:
                roots.append(int(entry.name))
        except OSError:
            continue
    tree = set(roots)
    grew = True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                grew = True
    return tree


def pss_mib(pids):
    """PSS in MiB of each process by name (the app, WebKit's web and network processes)."""
    each = {}
    for pid in pids:
        try:
            name = Path(f"/proc/{pid}/comm").read_text().strip()
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    each[name] = each.get(name, 0) + int(line.split()[1]) / 1024
        except OSError:
            continue
    return each


def server_env():
    """The environment for `tasktalk-server`, as admin CLI and as the seeding server."""
    return {**os.environ, "DATABASE_URL": str(DATA / "tasktalk.db"), "BETTER_AUTH_SECRET": "measure-secret-0123456789abcdefghijklmnop"}


def cli(*args, stdin=""):
    return subprocess.run([SERVER, *args], input=stdin, capture_output=True, text=True, env=server_env(), check=True).stdout


def seed():
    """100 tasks and a 200-message thread, written through the same core."""
    cli("user", "create", "--email", EMAIL, "--name", "Measure", stdin=PASSWORD + "\n")
    for n in range(100):
        cli("task", "add", "--email", EMAIL, f"task number {n}: water the plants, call the bank")
    token = json.loads(cli("sign-in", "--email", EMAIL, stdin=PASSWORD + "\n"))["token"]
    server = subprocess.Popen([SERVER, "serve", "--bind", "127.0.0.1:0"], stdout=subprocess.PIPE, text=True, env=server_env())
    try:
        url = server.stdout.readline().strip().removeprefix("listening on ") + "/chatkit"

        def say(text, thread=None):
            """One turn, in a new thread unless `thread` is given; returns the thread's id."""
            message = {"content": [{"type": "input_text", "text": text}], "attachments": [], "inference_options": {}}
            body = ({"type": "threads.create", "params": {"input": message}} if thread is None else
                    {"type": "threads.add_user_message", "params": {"thread_id": thread, "input": message}})
            request = urllib.request.Request(url, json.dumps(body).encode(), {"content-type": "application/json", "authorization": f"Bearer {token}"})
            with urllib.request.urlopen(request) as response:
                events = response.read().decode()
            return thread or json.loads(events.split("\n\n")[0].removeprefix("data: "))["thread"]["id"]

        # The older thread: answered with a numbered list, which is Markdown.
        say("what is still open?")
        thread = say("hello number 0")
        for n in range(1, 100):
            say(f"hello number {n}", thread)
    finally:
        server.terminate()
        server.wait()


def sign_in(driver):
    shown(driver, "signin-email").send_keys(EMAIL)
    driver.find_element(By.CSS_SELECTOR, '[data-testid="signin-password"]').send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, '[data-testid="signin-submit"]').click()
    shown(driver, "chat-page")


def idle_pss(binary):
    time.sleep(5)
    pids = processes(binary)
    each = pss_mib(pids)
    return (sum(each.values()), len(pids), each)


def main():
    DATA.mkdir(parents=True, exist_ok=True)
    seed()
    # First launch: sign in, so later launches open straight into the chat.
    driver = session(APP)
    sign_in(driver)
    driver.quit()

    rows = {}
    for name, binary, ready in [("empty Tauri window", BLANK, "blank-ready"), ("Tasktalk", APP, "chat-page")]:
        times, memory = [], None
        for run in range(RUNS):
            elapsed, driver = launch_time(binary, ready)
            times.append(elapsed)
            if run == RUNS - 1:
                if binary == APP:
                    shown(driver, "thread-item").click()
                    # The message list is virtualised: the thread is open when its newest message shows.
                    WebDriverWait(driver, 60).until(
                        lambda d: any("hello number 99" in e.text
                                      for e in d.find_elements(By.CSS_SELECTOR, '[data-testid="message-user"]')))
                    # The task list is virtualised too: the rows say how many tasks there are.
                    WebDriverWait(driver, 60).until(
                        lambda d: any(e.get_attribute("aria-setsize") == "100"
                                      for e in d.find_elements(By.CSS_SELECTOR, '[data-testid="task-row"]')))
                memory = idle_pss(binary)
                if binary == APP:
                    driver.find_elements(By.CSS_SELECTOR, '[data-testid="thread-item"]')[-1].click()
                    WebDriverWait(driver, 60).until(
                        lambda d: d.find_elements(By.CSS_SELECTOR, '[data-testid="message-assistant"] li'))
                    markdown = idle_pss(binary)
            driver.quit()
            time.sleep(1)
        rows[name] = (statistics.median(times), min(times), memory)
    rows["Tasktalk, after a Markdown reply"] = (rows["Tasktalk"][0], rows["Tasktalk"][1], markdown)
    floor = rows["empty Tauri window"]
    print("| app | start to interactive, median (min) | idle PSS (processes) |")
    print("|---|---|---|")
    for name, (median, fastest, (pss, count, _)) in rows.items():
        print(f"| {name} | {median:.2f} s ({fastest:.2f} s) | {pss:.0f} MiB ({count}) |")
    for name, (_, _, (_, _, each)) in rows.items():
        print(f"{name}: " + ", ".join(f"{process} {mib:.0f} MiB" for process, mib in sorted(each.items())))
    app = rows["Tasktalk"]
    after = rows["Tasktalk, after a Markdown reply"][2][0]
    print(f"\nratios: start {app[0] / floor[0]:.2f}×, memory {app[2][0] / floor[2][0]:.2f}× "
          f"({after / floor[2][0]:.2f}× after a Markdown reply)")


if __name__ == "__main__":
    sys.exit(main())
