#!/usr/bin/env python3
"""Drives the gateway's web console in headless Chromium (Debian `chromium` + `chromium-driver`)
through Selenium (PyPI `selenium`) on a live fleet whose gateway has LAKEHOUSE_API_KEYS set.

Checks, in order: a fill without a key shows the key form and an error in words; a wrong key shows
an error; the right key fills (candidates and e-mail on the page); the fleet view shows every
daemon, then shows the one whose pid is --kill-pid as down after this script SIGKILLs it; the
journal finds the fill's events and verifies; the audit view takes a baseline. A screenshot of each
page goes to --screenshots. Exit 0 when everything held, 1 with the first failure, 2 when a tool
is missing.

usage: console_browser.py --url http://127.0.0.1:PORT --key KEY --kill-pid PID --kill-name DAEMON --screenshots DIR
"""
import argparse
import importlib.util
import os
import shutil
import signal
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--kill-pid", type=int, required=True)
    parser.add_argument("--kill-name", required=True)
    parser.add_argument("--screenshots", required=True)
    args = parser.parse_args()
    if importlib.util.find_spec("selenium") is None:
        print("selenium is not installed: pip install -r Tests/Python/requirements.txt", file=sys.stderr)
        return 2
    driver_path = shutil.which("chromedriver")
    browser_path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not driver_path or not browser_path:
        print("chromium and chromedriver are needed: apt-get install chromium chromium-driver", file=sys.stderr)
        return 2

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = browser_path
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1200,1000"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    os.makedirs(args.screenshots, exist_ok=True)
    step = "start"

    def wait(condition, seconds=30):
        # The fleet view re-renders its table every 2 s: an element found just before a refresh is
        # stale when read, which means "look again", not a failure.
        ignored = (StaleElementReferenceException, NoSuchElementException)
        return WebDriverWait(driver, seconds, poll_frequency=0.1, ignored_exceptions=ignored).until(lambda d: condition())

    def visible_error():
        box = driver.find_element(By.ID, "error")
        return box.text if box.is_displayed() else ""

    def submit_fill():
        driver.find_element(By.ID, "fill-submit").click()

    def use_key(key):
        field = driver.find_element(By.ID, "api-key")
        field.clear()
        field.send_keys(key)
        driver.find_element(By.CSS_SELECTOR, "#key-form button").click()

    try:
        step = "open the console"
        driver.get(args.url.rstrip("/") + "/")
        wait(lambda: driver.find_element(By.ID, "fill-query").is_displayed())

        step = "fill without a key"
        submit_fill()
        wait(lambda: "API key" in visible_error() and driver.find_element(By.ID, "key-form").is_displayed())

        step = "fill with a wrong key"
        use_key("not-the-key")
        wait(lambda: visible_error() == "")
        submit_fill()
        wait(lambda: "API key" in visible_error())
        driver.save_screenshot(os.path.join(args.screenshots, "wrong-key.png"))

        step = "fill with the right key"
        driver.find_element(By.ID, "key-form").is_displayed() or driver.execute_script("document.getElementById('key-form').hidden = false")
        use_key(args.key)
        submit_fill()
        wait(lambda: len(driver.find_elements(By.CSS_SELECTOR, "#candidates tr.candidate")) > 0 and driver.find_elements(By.ID, "email"), 60)
        if visible_error():
            raise AssertionError("an error is shown after a good fill: " + visible_error())
        email = driver.find_element(By.ID, "email").text
        if "Subject:" not in email:
            raise AssertionError("no e-mail subject on the page: " + email)
        run_id = driver.find_element(By.ID, "run-id").text
        candidates = len(driver.find_elements(By.CSS_SELECTOR, "#candidates tr.candidate"))
        driver.save_screenshot(os.path.join(args.screenshots, "fill.png"))

        step = "fleet view"
        driver.find_element(By.CSS_SELECTOR, "nav button[data-view=fleet]").click()
        row = f"#fleet-table tr[data-daemon={args.kill_name}] td:nth-child(2)"
        wait(lambda: driver.find_elements(By.CSS_SELECTOR, row) and driver.find_element(By.CSS_SELECTOR, row).text == "up")
        rows = len(driver.find_elements(By.CSS_SELECTOR, "#fleet-table tbody tr"))
        os.kill(args.kill_pid, signal.SIGKILL)
        wait(lambda: driver.find_element(By.CSS_SELECTOR, row).text.startswith("down"), 20)
        driver.save_screenshot(os.path.join(args.screenshots, "fleet.png"))

        step = "journal view"
        driver.find_element(By.CSS_SELECTOR, "nav button[data-view=journal]").click()
        driver.find_element(By.ID, "journal-trace").send_keys(run_id)
        driver.find_element(By.CSS_SELECTOR, "#journal-form button[type=submit]").click()
        wait(lambda: "Checkpoint" in driver.find_element(By.ID, "journal-status").text)
        events = [row.text for row in driver.find_elements(By.CSS_SELECTOR, "#journal-table tbody tr")]
        if not any("fill.requested" in text for text in events):
            raise AssertionError(f"no fill.requested event of run {run_id}: {events}")
        driver.find_element(By.ID, "journal-verify").click()
        wait(lambda: driver.find_element(By.ID, "journal-status").text.startswith("Verified"))
        driver.save_screenshot(os.path.join(args.screenshots, "journal.png"))

        step = "audit view"
        driver.find_element(By.CSS_SELECTOR, "nav button[data-view=audit]").click()
        driver.find_element(By.CSS_SELECTOR, "button[data-post='/v1/audit/baselines']").click()
        wait(lambda: driver.find_elements(By.CSS_SELECTOR, "#audit-result .card") or visible_error())
        if visible_error():
            raise AssertionError("baseline: " + visible_error())
        driver.save_screenshot(os.path.join(args.screenshots, "audit.png"))

        step = "phone width"
        driver.set_window_size(390, 844)
        driver.find_element(By.CSS_SELECTOR, "nav button[data-view=fill]").click()
        width = driver.execute_script("return document.documentElement.scrollWidth")
        if width > 400:
            raise AssertionError(f"the page scrolls sideways at phone width: {width} px")
        driver.save_screenshot(os.path.join(args.screenshots, "phone.png"))
        print(f"ok: run {run_id}, {candidates} candidates, {rows} daemons in the fleet view, {len(events)} journal events")
        return 0
    except Exception as failure:  # noqa: BLE001 - any failure is the test's failure, with the step
        try:
            driver.save_screenshot(os.path.join(args.screenshots, "failure.png"))
        except Exception:  # noqa: BLE001
            pass
        print(f"FAILED at '{step}': {type(failure).__name__}: {failure}", file=sys.stderr)
        print(f"page error box: {driver.find_element(By.ID, 'error').text!r}", file=sys.stderr)
        return 1
    finally:
        driver.quit()


if __name__ == "__main__":
    sys.exit(main())
