"""Drives Debian's headless Chromium through jwtd's admin console (see console_browser.rs).

Arguments: jwtd's base URL (http://localhost:<port>), the screenshot directory, then attacker
page URLs (forms posting to the admin API from another site and from another origin of the
same site). Environment: ADMIN_PASSWORD. Every step is checked in the page and, where it
matters, over the API; prints one JSON report, exits non-zero on the first failed check.
"""
import json
import os
import sys
import time
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

os.environ.setdefault("SE_OFFLINE", "true")  # never download a browser or a driver

jwtd, shots, attackers = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3:]
console = jwtd + "/admin/"
os.makedirs(shots, exist_ok=True)
options = webdriver.ChromeOptions()
options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--no-first-run", "--window-size=1280,900", "--lang=en-US"):
    options.add_argument(flag)
options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
driver = webdriver.Chrome(
    service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options
)
report = {"screenshots": [], "requests": []}


def check(condition, what):
    if not condition:
        report["failed"] = what
        report["page"] = driver.find_element(By.TAG_NAME, "body").text[:2000]
        print(json.dumps(report, indent=2, ensure_ascii=False))
        raise SystemExit(f"failed: {what}")


def wait(predicate, what, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if predicate():
                return
        except Exception:  # the page is being redrawn
            pass
        time.sleep(0.05)
    check(False, f"timed out waiting for {what}")


def screen():
    return driver.execute_script("return document.body.dataset.screen")


def text(css):
    return driver.find_element(By.CSS_SELECTOR, css).text


def shot(name):
    path = os.path.join(shots, f"{name}.png")
    driver.save_screenshot(path)
    report["screenshots"].append(path)


def fill(css, value):
    el = driver.find_element(By.CSS_SELECTOR, css)
    el.clear()
    el.send_keys(value)


def api(method, path, body=None, agent="console-test"):
    """A plain API client (no cookies): (status, JSON body)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(jwtd + path, data=data, method=method, headers={
        "Content-Type": "application/json", "User-Agent": agent})
    try:
        with urllib.request.urlopen(request) as answer:
            return answer.status, json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def request_urls():
    """URLs the browser requested since the last call (from its performance log)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def flash():
    wait(lambda: driver.find_element(By.CSS_SELECTOR, ".flash").text, "a confirmation")
    return text(".flash")


try:
    # Not signed in: the console sends the browser to the sign-in page.
    driver.get(console)
    wait(lambda: screen() == "signin", "the sign-in page")
    check(driver.current_url == console + "signin/", "redirected to sign-in")
    shot("signin")

    # A wrong password is refused in the form; then sign in with the keyboard alone.
    fill("#signin-username", "root")
    fill("#signin-password", "not the password")
    driver.find_element(By.CSS_SELECTOR, "#signin-password").send_keys(Keys.ENTER)
    wait(lambda: "No active account" in text("#signin .alert"), "the 401 message")
    login = driver.find_element(By.CSS_SELECTOR, "#signin-username")
    login.clear()
    login.send_keys("root", Keys.TAB, Keys.CONTROL, "a")
    driver.switch_to.active_element.send_keys(os.environ["ADMIN_PASSWORD"], Keys.ENTER)
    wait(lambda: screen() == "users", "the users screen")
    cookies = driver.execute_script("return document.cookie")
    check("jwtd_console_csrf=" in cookies and "eyJ" not in cookies, "no token readable by script")

    # Create a user: the password rules answer next to the password field first.
    fill("#new-username", "carol")
    fill("#new-email", "carol@example.com")
    fill("#new-roles", "staff")
    fill("#new-password", "12345678")
    driver.find_element(By.CSS_SELECTOR, "#new-user button[type=submit]").click()
    wait(lambda: text("#new-password-error"), "the password rules' messages")
    report["rules"] = text("#new-password-error")
    check("too common" in report["rules"] and "entirely numeric" in report["rules"],
          "password rules shown next to the field")
    shot("users-new-user-errors")
    fill("#new-password", "Carol's first password 7")
    driver.find_element(By.CSS_SELECTOR, "#new-user button[type=submit]").click()
    wait(lambda: screen() == "users" and driver.find_elements(By.ID, "edit-user"), "the new user's page")
    check("carol" in flash(), "user created")

    # Find it by search.
    driver.get(console + "#/users")
    wait(lambda: driver.find_elements(By.ID, "filter-search"), "the user list")
    fill("#filter-search", "caro")
    driver.find_element(By.CSS_SELECTOR, "form[role=search] button").click()
    wait(lambda: "carol@example.com" in text("main table") and "root" not in text("main tbody"),
         "the search result")
    shot("users")
    driver.find_element(By.LINK_TEXT, "carol").click()
    wait(lambda: driver.find_elements(By.ID, "edit-roles"), "carol's page")
    carol_url = driver.current_url

    # Change its roles.
    fill("#edit-roles", "staff, support")
    driver.find_element(By.CSS_SELECTOR, "#edit-user button[type=submit]").click()
    wait(lambda: flash() and driver.find_element(By.ID, "edit-roles").get_attribute("value")
         == "staff, support", "the roles saved")

    # Set its password (a rule broken first, shown by the field).
    fill("#password-password", "carol")
    driver.find_element(By.CSS_SELECTOR, "#set-password button[type=submit]").click()
    wait(lambda: text("#password-password-error"), "the rules' message")
    fill("#password-password", "Carol's second password 8")
    driver.find_element(By.CSS_SELECTOR, "#set-password button[type=submit]").click()
    # The "Saved." of the roles change is still on the page: wait for this answer's own words,
    # or the logins below would race the password change (and lose to its "log out everywhere").
    wait(lambda: "Password set." in flash(), "the password set")

    # Two API logins: two sessions on carol's page.
    refresh_tokens = []
    for agent in ("Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36",
                  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Safari/604.1"):
        status, body = api("POST", "/token/", {"username": "carol",
                                               "password": "Carol's second password 8"}, agent)
        check(status == 200, f"API login as carol: {status} {body}")
        refresh_tokens.append(body["refresh"])
    driver.get(carol_url)
    driver.refresh()
    wait(lambda: len(driver.find_elements(By.CSS_SELECTOR, "button[data-session]")) == 2,
         "two sessions")
    report["sessions"] = text("section table")
    check("Chrome on Linux" in report["sessions"] and "Safari on iOS" in report["sessions"],
          "devices from the User-Agent")
    shot("user")

    # Revoke one: its refresh token is refused over the API, the other still works.
    driver.find_elements(By.CSS_SELECTOR, "button[data-session]")[0].click()
    wait(lambda: len(driver.find_elements(By.CSS_SELECTOR, "button[data-session]")) == 1,
         "one session left")
    answers = [api("POST", "/token/refresh/", {"refresh": r})[0] for r in refresh_tokens]
    report["refresh_after_revoke"] = answers
    check(sorted(answers) == [200, 401], "the revoked session's refresh token is refused")

    # Delete a user (made over the API), after a confirmation that names it.
    status, tokens = api("POST", "/token/", {"username": "root",
                                             "password": os.environ["ADMIN_PASSWORD"]})
    request = urllib.request.Request(
        jwtd + "/admin/users/", method="POST",
        data=json.dumps({"username": "dave", "password": "Dave's password 10"}).encode(),
        headers={"Content-Type": "application/json",
                 "Authorization": "Bearer " + tokens["access"]})
    with urllib.request.urlopen(request) as answer:
        dave = json.loads(answer.read())
    driver.get(f"{console}#/users/{dave['id']}")
    driver.refresh()
    wait(lambda: driver.find_elements(By.ID, "delete-user"), "dave's page")
    driver.find_element(By.ID, "delete-user").click()
    wait(lambda: driver.find_element(By.CSS_SELECTOR, "dialog[open]"), "the confirmation")
    report["delete_question"] = text("dialog[open] p")
    check("“dave”" in report["delete_question"], "the confirmation names the user")
    shot("user-delete-confirmation")
    driver.find_element(By.CSS_SELECTOR, "dialog[open] button.danger").click()
    wait(lambda: "dave deleted" in flash(), "the deletion")
    check(api("POST", "/token/", {"username": "dave", "password": "Dave's password 10"})[0] == 401,
          "the deleted user cannot log in")

    # Keys: generate a next key, rotate (too early: confirm "rotate now").
    driver.find_element(By.LINK_TEXT, "Keys").click()
    wait(lambda: screen() == "keys" and driver.find_elements(By.ID, "generate-key"), "the keys")
    current_before = text("tr[data-state=current] code")
    driver.find_element(By.CSS_SELECTOR, "#generate-key button[type=submit]").click()
    wait(lambda: driver.find_elements(By.CSS_SELECTOR, "tr[data-state=next]"), "a next key")
    check("may sign in" in text("#rotate-state"), "the publish delay left is shown")
    shot("keys")
    driver.find_element(By.ID, "rotate").click()
    wait(lambda: driver.find_element(By.CSS_SELECTOR, "dialog[open]"), "the too-early question")
    report["rotate_question"] = text("dialog[open] p")
    check("publish delay" in report["rotate_question"], "why it is too early")
    driver.find_element(By.CSS_SELECTOR, "dialog[open] button.danger").click()
    wait(lambda: "signs new tokens now" in flash(), "the rotation")
    check(text("tr[data-state=current] code") != current_before, "a new current key")
    check(driver.find_elements(By.CSS_SELECTOR, "tr[data-state=retired]"), "the old key retired")
    status, body = api("POST", "/token/", {"username": "carol",
                                           "password": "Carol's second password 8"})
    check(status == 200, "logins still work after the rotation")

    # Activity: the chart and the audit entries of all of the above.
    driver.find_element(By.LINK_TEXT, "Activity").click()
    wait(lambda: screen() == "activity" and driver.find_elements(By.CSS_SELECTOR, "svg.chart"),
         "the activity screen")
    logins = int(text("[data-total=logins]"))
    failed = int(text("[data-total=failed_logins]"))
    report["activity"] = {"logins": logins, "failed_logins": failed}
    check(logins >= 4 and failed >= 1, "the counters count the logins above")
    log = text("main table")
    report["audit_actions"] = [a for a in ("console.signed_in", "user.created", "user.updated",
                                           "password.set", "session.revoked",
                                           "key.generated", "key.rotated") if a in log]
    check(len(report["audit_actions"]) == 7, f"every action audited: {log}")
    shot("activity")
    fill("#audit-action", "key.rotated")
    driver.find_element(By.CSS_SELECTOR, "#audit-filters button").click()
    wait(lambda: "key.generated" not in text("main table") and "key.rotated" in text("main table"),
         "the audit filter")

    # Russian, by the switch; readable at phone width.
    driver.find_element(By.ID, "language").send_keys("Р")
    wait(lambda: driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ru",
         "the Russian page")
    wait(lambda: "Журнал аудита" in text("main"), "Russian words")
    driver.set_window_size(390, 844)
    driver.get(console + "#/users")
    wait(lambda: screen() == "users", "the users screen on a phone")
    width = driver.execute_script("return document.documentElement.scrollWidth")
    check(width <= 400, f"no sideways scrolling at phone width: {width}px")
    shot("users-phone-ru")
    driver.set_window_size(1280, 900)
    driver.find_element(By.ID, "language").send_keys("E")
    wait(lambda: driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en", "English")

    # Nothing the console loaded left jwtd's origin.
    urls = request_urls()
    report["requests"] = sorted({u.split("?")[0] for u in urls})
    foreign = [u for u in urls if not u.startswith(jwtd + "/") and not u.startswith("data:")]
    check(not foreign, f"requests outside jwtd's origin: {foreign}")

    # Forged form POSTs from another site and from another origin of this site: refused.
    report["attacks"] = []
    for attacker in attackers:
        driver.get(attacker)
        driver.find_element(By.ID, "attack").submit()
        answer = ""
        deadline = time.time() + 10
        while "detail" not in answer and time.time() < deadline:
            time.sleep(0.05)
            try:
                answer = driver.find_element(By.TAG_NAME, "body").text
            except Exception:
                answer = ""
        report["attacks"].append({"page": attacker, "answer": answer})
        check("detail" in answer and "mallory" not in answer, f"the forged POST from {attacker}")

    # Sign out: back to the sign-in page, and the console is closed again.
    driver.get(console)
    wait(lambda: screen() == "users", "the console")
    driver.find_element(By.ID, "sign-out").click()
    wait(lambda: screen() == "signin", "signed out")
    driver.get(console)
    wait(lambda: screen() == "signin", "the sign-in page again")
    check(driver.current_url == console + "signin/", "signed out for good")
except Exception:
    report["page"] = driver.find_element(By.TAG_NAME, "body").text[:2000]
    report["console_log"] = [e for e in driver.get_log("browser")][-10:]
    shot("failure")
    raise
finally:
    print(json.dumps(report, indent=2, ensure_ascii=False))
    driver.quit()
