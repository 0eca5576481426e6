"""Drives Debian's headless Chromium through jwtd's cookie mode (see browser.rs).

Arguments: the app page URL, the jwtd base URL, then attacker page URLs (each with `?target=`
naming the route to post to). Prints one JSON report; exits non-zero on the first failed check.
"""
import json
import os
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

os.environ.setdefault("SE_OFFLINE", "true")  # never download a browser or a driver

app, jwtd, attackers = sys.argv[1], sys.argv[2], sys.argv[3:]
options = webdriver.ChromeOptions()
options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
    options.add_argument(flag)
driver = webdriver.Chrome(
    service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options
)
report = {}


def state():
    return driver.execute_script("return window.state")


def wait_for(predicate, what, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        current = state()
        if current is not None and predicate(current):
            return current
        time.sleep(0.05)
    raise SystemExit(f"timed out waiting for {what}: {state()!r}")


def check(condition, what):
    if not condition:
        print(json.dumps(report, indent=2))
        raise SystemExit(f"failed: {what}")


try:
    driver.get(app)
    wait_for(lambda s: "firstRefresh" in s, "the first refresh")
    driver.find_element(By.ID, "password").send_keys(os.environ["APP_PASSWORD"])
    driver.find_element(By.CSS_SELECTOR, "#login button").click()
    logged_in = wait_for(lambda s: s["me"] is not None, "the login")
    report["login"] = {"me": logged_in["me"], "refresh_in_body": logged_in["refreshInBody"]}
    check(logged_in["me"] == "alice" and not logged_in["refreshInBody"], "login")
    cookies = driver.execute_script("return document.cookie")
    report["document.cookie"] = cookies
    check("jwtd_refresh" not in cookies and "csrftoken=" in cookies, "no refresh token in JS")

    driver.refresh()
    reloaded = wait_for(lambda s: "firstRefresh" in s and (s["me"] or s["firstRefresh"] != 200), "the reload")
    report["reload"] = {"refresh": reloaded["firstRefresh"], "me": reloaded["me"]}
    check(reloaded["firstRefresh"] == 200 and reloaded["me"] == "alice", "stays logged in")

    report["attacks"] = []
    for attacker in attackers:
        driver.get(attacker)
        driver.find_element(By.ID, "attack").submit()
        answer = ""
        deadline = time.time() + 10
        while "detail" not in answer and time.time() < deadline:  # the navigation to jwtd's answer
            time.sleep(0.05)
            try:
                answer = driver.find_element(By.TAG_NAME, "body").text
            except Exception:  # the page is being replaced
                answer = ""
        report["attacks"].append({"page": attacker, "answer": answer})
        check("CSRF Failed" in answer, f"the attack from {attacker} is refused")

    driver.get(app)
    survived = wait_for(lambda s: "firstRefresh" in s and (s["me"] or s["firstRefresh"] != 200), "the reload after the attacks")
    report["after_attacks"] = {"refresh": survived["firstRefresh"], "me": survived["me"]}
    check(survived["firstRefresh"] == 200, "the session survives the attacks")

    driver.find_element(By.ID, "logout").click()
    out = wait_for(lambda s: "loggedOut" in s, "the logout")
    report["logout"] = {"status": out["loggedOut"], "body": out.get("logoutBody")}
    check(out["loggedOut"] == 200, "logout")
    driver.refresh()
    after = wait_for(lambda s: "firstRefresh" in s, "the reload after logout")
    report["after_logout"] = after["firstRefresh"]
    check(after["firstRefresh"] != 200, "logged out for good")
    print(json.dumps(report, indent=2))
finally:
    driver.quit()
