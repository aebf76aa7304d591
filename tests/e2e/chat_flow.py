#!/usr/bin/python3
"""End-to-end: one chat from a customer's website to two agents and the wallboard,
in headless Chromium against a real `moked serve` (run it with `scripts/e2e`).

1. A customer opens a shop page that embeds the widget with one script tag (by
   default the page is on another origin than Moked, as on a real customer's
   site), fills the pre-chat form, picks the billing queue (חיובים), writes in
   Hebrew, and sends `<script>alert(1)</script> שלום`, which must show as text.
2. Agent A (billing skill) logs in at /login, goes available, gets the offer
   (agent B, available but with the retention skill only, must not), accepts,
   sees the customer-360, replies in Hebrew; the customer sees the reply, reloads
   the page, and finds the conversation again.
3. Agent A transfers the chat to the retention queue (שימור) and ends her
   wrap-up from the top bar; agent B gets the chat, sees the history, accepts,
   writes, ends it and wraps up with a code.
4. The customer rates 5 with a Hebrew comment.
5. The supervisor's /wallboard shows offered and answered today for both
   queues, agents A and B available, and agent B's drill-down one chat handled;
   the API's record of the interaction has every timeline step (the transfer,
   the wrap-up code, the rating) and the messages in order.

Screenshots of each step land in the results folder; on failure, every
window's page source, shadow DOM, console log and screenshot, and the server
log's tail.
"""

from __future__ import annotations

import argparse
import json
import secrets
import shutil
import signal
import sys
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from selenium.common.exceptions import (
    NoAlertPresentException,
    TimeoutException,
    NoSuchElementException,
    StaleElementReferenceException,
)
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import (  # noqa: E402
    WAIT_S,
    E2EFailure,
    Moked,
    configure_with_api,
    create_org_with_cli,
    PostgresDatabase,
    make_results_dir,
    new_browser,
    plan_org,
    say,
    wait,
)

CUSTOMER_NAME = "ישראל ישראלי"
CUSTOMER_PHONE = "050-1234567"
FIRST_MESSAGE = "שלום, חויבתי פעמיים על החבילה החודשית"
XSS_MESSAGE = "<script>alert(1)</script> שלום"
REPLY_A = "שלום ישראל, אני בודקת את החשבון שלך עכשיו"
REPLY_B = "היי, אני מצוות השימור. ביטלנו את החיוב הכפול וזיכינו אותך"
RATING_COMMENT = "שירות מצוין, תודה רבה!"
WHO = {"customer": "customer", "agent_a": "agent A", "agent_b": "agent B", "supervisor": "supervisor"}


# ------------------------------------------------------------------ the shop page


def shop_page(moked_base: str, slug: str) -> bytes:
    """A customer's website on another origin: its own content and the one tag."""
    return f"""<!doctype html>
<html lang="he" dir="rtl"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>סלולר הדגמה — חשבון וחבילות</title>
<style>
 body {{ font-family: system-ui, sans-serif; margin: 0; background: #f4f6f9; color: #1d2733; }}
 header {{ background: #5b2a86; color: #fff; padding-block: 18px; padding-inline: 32px; font-size: 22px; font-weight: 700; }}
 main {{ max-width: 760px; margin-inline: auto; padding: 32px; }}
 .card {{ background: #fff; border-radius: 12px; padding: 24px; margin-block-end: 16px; box-shadow: 0 1px 3px #0002; }}
 .price {{ font-size: 28px; color: #5b2a86; font-weight: 700; }}
</style></head>
<body>
<header>סלולר הדגמה</header>
<main>
 <div class="card"><h1>החשבון שלי</h1><p>החבילה שלך: <strong>גלישה ללא הגבלה</strong></p>
 <p class="price">₪49.90 לחודש</p></div>
 <div class="card"><h2>צריכים עזרה?</h2><p>הנציגים שלנו זמינים בצ'אט, בפינת המסך.</p></div>
</main>
<script src="{moked_base}/widget.js" data-org="{slug}" data-lang="he" async></script>
</body></html>""".encode("utf-8")


def serve_shop(moked_base: str, slug: str) -> tuple[ThreadingHTTPServer, str]:
    body = shop_page(moked_base, slug)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the http.server API)
            if self.path.split("?")[0] not in ("/", "/index.html"):
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    # "localhost" rather than 127.0.0.1: another origin even apart from the port.
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://localhost:{server.server_address[1]}/"


# ------------------------------------------------------------------ the scenario


class Scenario:
    def __init__(self, moked: Moked, org, results: Path, customer_page: str):
        self.moked = moked
        self.org = org
        self.results = results
        self.customer_page = customer_page
        self.browsers: dict = {}
        self.shop = None
        self.staff = moked.get_json("/locales/he/staff.json")
        self.widget_text = moked.get_json("/locales/he/widget.json")
        self.chat_id: str | None = None
        self.steps_done: list[str] = []

    # ---------------------------------------------------------- helpers

    def step(self, name: str) -> None:
        self.steps_done.append(name)
        say(f"ok: {name}")

    def shot(self, who: str, name: str) -> Path:
        path = self.results / f"{name}.png"
        driver = self.browsers[who]
        if who != "customer":
            # Notices fade after 5 s; a picture of the page is clearer without them.
            driver.execute_script("document.querySelectorAll('.toast').forEach(t => t.remove())")
        self.browsers[who].save_screenshot(str(path))
        return path

    def s(self, key: str, **vars) -> str:
        """A staff string as the page shows it."""
        text = self.staff[key]
        for k, v in vars.items():
            text = text.replace("{" + k + "}", str(v))
        return text

    def w(self, key: str, **vars) -> str:
        """A widget string as the widget shows it."""
        text = self.widget_text[key]
        for k, v in vars.items():
            text = text.replace("{" + k + "}", str(v))
        return text

    def click(self, who: str, what: str, css: str) -> None:
        """Clicks `css` once it is there; again if the page redrew it meanwhile."""

        def attempt(d):
            try:
                d.find_element(By.CSS_SELECTOR, css).click()
                return True
            except (StaleElementReferenceException, NoSuchElementException):
                return False

        wait(self.browsers[who], f"{who}: {what} ({css})", attempt)

    def no_alert(self, who: str) -> None:
        try:
            alert = self.browsers[who].switch_to.alert
            text = alert.text
        except NoAlertPresentException:
            return
        raise E2EFailure(f"{who}: a JavaScript alert opened ({text!r}): user text ran as HTML")

    # ---------------------------------------------------------- browsers

    def open_browsers(self) -> None:
        sizes = {
            "customer": (1100, 820),
            "agent_a": (1440, 900),
            "agent_b": (1440, 900),
            "supervisor": (1440, 1000),
        }
        profiles = self.results / "profiles"
        with ThreadPoolExecutor(max_workers=4) as pool:
            started = {
                who: pool.submit(new_browser, w, h, profiles, who) for who, (w, h) in sizes.items()
            }
            for who, future in started.items():
                self.browsers[who] = future.result()
        self.step("four headless Chromium windows (customer, agent A, agent B, supervisor)")

    def close_browsers(self) -> None:
        for driver in self.browsers.values():
            try:
                driver.quit()
            except Exception:  # a dead browser must not hide the test's own error
                pass
        if self.shop is not None:
            self.shop.shutdown()
        shutil.rmtree(self.results / "profiles", ignore_errors=True)

    def dump(self) -> None:
        """Every window's state, for the post-mortem."""
        for who, driver in self.browsers.items():
            base = self.results / f"fail-{who}"
            try:
                driver.save_screenshot(str(base) + ".png")
                Path(str(base) + ".html").write_text(driver.page_source, encoding="utf-8")
                shadow = driver.execute_script(
                    "const h = document.getElementById('moked-chat-widget');"
                    "return h && h.shadowRoot ? h.shadowRoot.innerHTML : null;"
                )
                if shadow:
                    Path(str(base) + "-widget.html").write_text(shadow, encoding="utf-8")
                logs = driver.get_log("browser")
                Path(str(base) + "-console.txt").write_text(
                    "\n".join(f"{e['level']} {e['message']}" for e in logs), encoding="utf-8"
                )
                say(f"{who} was at {driver.current_url}; dumped to {base}.*")
            except Exception as error:
                first = (str(error).splitlines() or [""])[0][:160]
                say(f"{who}: could not dump the window ({error.__class__.__name__}: {first})")

    # ---------------------------------------------------------- staff login

    def login(self, who: str, person) -> None:
        driver = self.browsers[who]
        driver.get(self.moked.base + "/login")
        org_input = wait(driver, f"{who}: the login form", lambda d: d.find_element(By.ID, "login-org"))
        org_input.clear()
        org_input.send_keys(self.org.slug)
        driver.find_element(By.ID, "login-login").send_keys(person.login)
        driver.find_element(By.ID, "login-password").send_keys(person.password)
        driver.find_element(By.CSS_SELECTOR, "form.login-card button[type=submit]").click()
        home = {"agent": "/desktop", "supervisor": "/wallboard", "admin": "/admin"}[person.role]
        wait(driver, f"{who}: landing on {home} after login", lambda d: d.current_url.endswith(home))
        wait(
            driver,
            f"{who}: {home} drawn (#app no longer aria-busy)",
            lambda d: d.find_element(By.ID, "app").get_attribute("aria-busy") is None,
        )
        who_text = driver.find_element(By.CSS_SELECTOR, "header.topbar .who").text
        if who_text != person.name:
            raise E2EFailure(f"{who}: the top bar names {who_text!r}, not {person.name!r}")
        html = driver.find_element(By.TAG_NAME, "html")
        page_lang = (html.get_attribute("lang"), html.get_attribute("dir"))
        wanted = (person.lang, "rtl" if person.lang == "he" else "ltr")
        if page_lang != wanted:
            raise E2EFailure(f"{who}: {home} is in {page_lang}, the user's language is {wanted}")

    def go_available(self, who: str) -> None:
        driver = self.browsers[who]
        select = wait(driver, f"{who}: the status selector #presence", lambda d: d.find_element(By.ID, "presence"))
        Select(select).select_by_value("available")
        # The selector changes at once; the server has it once PUT /agent/presence
        # is answered. An available agent may be offered a waiting chat at once.
        seen = []

        def server_has_it(_):
            if driver.find_elements(By.CSS_SELECTOR, ".toast-error"):
                raise E2EFailure(f"{who}: an error toast after choosing available: "
                                 + driver.find_element(By.CSS_SELECTOR, ".toast-error").text)
            seen.append(self.desk_presence(who))
            return seen[-1] in ("available", "offered", "busy")

        try:
            wait(driver, f"{who}: GET /agent/desk says available after choosing it", server_has_it)
        except E2EFailure as error:
            raise E2EFailure(f"{error} (it said {seen[-1:]})") from None

    def desk_presence(self, who: str) -> object:
        """The agent's presence as the server has it (the page's own session)."""
        desk = self.browsers[who].execute_async_script(
            "const done = arguments[0];"
            "fetch('/api/v1/agent/desk', {credentials: 'same-origin'})"
            ".then(r => r.json()).then(done, e => done({error: String(e)}));"
        )
        presence = desk.get("presence") if isinstance(desk, dict) else None
        if isinstance(presence, dict):
            presence = presence.get("state")
        return presence

    # ---------------------------------------------------------- the customer

    def widget(self):
        """The widget's shadow root on the customer's page."""
        driver = self.browsers["customer"]
        host = wait(driver, "the widget's host element #moked-chat-widget", lambda d: d.find_element(By.ID, "moked-chat-widget"))
        return host.shadow_root

    def in_widget(self, what: str, css: str, timeout: float | None = None):
        driver = self.browsers["customer"]

        def find(_):
            found = self.widget().find_elements(By.CSS_SELECTOR, css)
            return found[0] if found and found[0].is_displayed() else None

        return wait(driver, f"customer: {what} ({css} in the widget)", find, **({"timeout": timeout} if timeout else {}))

    def widget_texts(self, css: str) -> list[str]:
        try:
            return [n.get_attribute("textContent") for n in self.widget().find_elements(By.CSS_SELECTOR, css)]
        except StaleElementReferenceException:
            return []

    def customer_opens_chat(self) -> None:
        driver = self.browsers["customer"]
        if self.customer_page == "cross-origin":
            self.shop, url = serve_shop(self.moked.base, self.org.slug)
        else:
            url = self.moked.base + "/demo-site"
        driver.get(url)
        self.in_widget("the launcher button", ".mk-launcher").click()
        name = self.in_widget("the pre-chat name field", "#mk-f-name")
        name.send_keys(CUSTOMER_NAME)
        phones = self.widget().find_elements(By.CSS_SELECTOR, "#mk-f-phone")
        if phones:
            phones[0].send_keys(CUSTOMER_PHONE)
        queue = self.widget().find_elements(By.CSS_SELECTOR, "#mk-f-queue")
        if not queue:
            raise E2EFailure("customer: the pre-chat form offers no queue choice (two chat queues exist)")
        choices = [o.get_attribute("textContent") for o in Select(queue[0]).options]
        if sorted(choices) != sorted(q["name"] for q in self.org.queues.values()):
            raise E2EFailure(f"customer: the queue choice lists {choices}, expected חיובים and שימור")
        Select(queue[0]).select_by_visible_text(self.org.queues["billing"]["name"])
        self.widget().find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        self.in_widget("the message box after the pre-chat form", "#mk-compose")
        queued = {self.w("status.queued_first")} | {self.w("status.queued", position=n) for n in range(1, 4)}
        wait(
            driver,
            "customer: the place in line (no agent is available yet)",
            lambda d: any(q in t for t in self.widget_texts(".mk-status strong") for q in queued),
        )
        self.step("customer: widget on a page, pre-chat form (name, phone, queue חיובים), queued")

    def customer_writes(self) -> None:
        driver = self.browsers["customer"]
        for body in (FIRST_MESSAGE, XSS_MESSAGE):
            box = self.in_widget("the message box", "#mk-compose")
            box.send_keys(body)
            self.widget().find_element(By.CSS_SELECTOR, ".mk-send").click()
        wait(
            driver,
            "customer: both messages acknowledged (✓✓ ticks) by the server",
            lambda d: len(self.widget().find_elements(By.CSS_SELECTOR, ".mk-msg-own .mk-tick-delivered")) == 2,
        )
        bubbles = self.widget().find_elements(By.CSS_SELECTOR, ".mk-msg-own .mk-bubble")
        texts = [b.get_attribute("textContent") for b in bubbles]
        if texts != [FIRST_MESSAGE, XSS_MESSAGE]:
            raise E2EFailure(f"customer: own bubbles read {texts}")
        if bubbles[1].find_elements(By.CSS_SELECTOR, "*"):
            raise E2EFailure("customer: the <script> message became elements, not text")
        self.no_alert("customer")
        self.shot("customer", "01-widget-queued")
        self.step("customer: two Hebrew messages, the <script> one shown as text, no alert")

    # ---------------------------------------------------------- agent A

    def offer_for(self, who: str):
        driver = self.browsers[who]
        return wait(
            driver,
            f"{who}: an offer in the offers list (li.offer)",
            lambda d: (d.find_elements(By.CSS_SELECTOR, ".offers-list li.offer") or [None])[0],
        )

    def accept_offer(self, who: str, keyboard: bool = False) -> str:
        driver = self.browsers[who]
        offer = self.offer_for(who)
        chat = offer.get_attribute("data-chat")
        if self.chat_id is not None and chat != self.chat_id:
            raise E2EFailure(f"{who}: offered chat {chat}, expected the customer's chat {self.chat_id}")
        wait(
            driver,
            f"{who}: the offer names the customer {CUSTOMER_NAME}",
            lambda d: any(CUSTOMER_NAME in o.text for o in d.find_elements(By.CSS_SELECTOR, f'li.offer[data-chat="{chat}"]')),
        )
        if keyboard:
            # Alt+A accepts the first offer (the desktop's shortcut).
            ActionChains(driver).key_down(Keys.ALT).send_keys("a").key_up(Keys.ALT).perform()
        else:
            self.click(who, "the offer's accept button", f'li.offer[data-chat="{chat}"] button.ok')
        how = "Alt+A" if keyboard else "the accept button"
        wait(
            driver,
            f"{who}: the chat panel #chat-{chat} shown after {how}",
            lambda d: any(e.is_displayed() for e in d.find_elements(By.ID, f"chat-{chat}")),
        )
        return chat

    def chat_bodies(self, who: str, kind: str) -> list[str]:
        driver = self.browsers[who]
        try:
            return [
                n.get_attribute("textContent")
                for n in driver.find_elements(By.CSS_SELECTOR, f"#chat-{self.chat_id} .messages .msg.{kind} .body")
            ]
        except StaleElementReferenceException:
            return []

    def agent_a_takes_the_chat(self) -> None:
        self.go_available("agent_a")
        self.chat_id = self.accept_offer("agent_a")
        if self.browsers["agent_b"].find_elements(By.CSS_SELECTOR, ".offers-list li.offer"):
            raise E2EFailure("agent_b (retention skill only) was offered the billing chat")
        driver = self.browsers["agent_a"]
        wait(
            driver,
            "agent_a: the customer's two messages in the chat, the <script> one as text",
            lambda d: self.chat_bodies("agent_a", "customer") == [FIRST_MESSAGE, XSS_MESSAGE],
        )
        self.no_alert("agent_a")
        if driver.find_elements(By.CSS_SELECTOR, f"#chat-{self.chat_id} .messages script"):
            raise E2EFailure("agent_a: the <script> message became a script element")
        wait(
            driver,
            "agent_a: the customer-360 panel names the customer (#c360-name)",
            lambda d: d.find_element(By.ID, "c360-name").text == CUSTOMER_NAME,
        )
        self.step("agent A: logged in, available, offered (not agent B), accepted, customer-360 shown")
        status = self.w("status.connected", agent=self.org.agent_a.name)
        wait(
            self.browsers["customer"],
            f"customer: status {status!r}",
            lambda d: status in " ".join(self.widget_texts(".mk-status")),
        )

    def typing_both_ways(self) -> None:
        """Each side sees the other typing (agent A's reply is left typed, unsent).

        Both pages tell the server at most once every few seconds, so the text goes
        in a character per poll, as a person types, until the other side shows it."""
        draft_box = self.in_widget("the message box", "#mk-compose")
        shown = self.s("desk.customer_typing", name=CUSTOMER_NAME)
        self.type_until(
            "agent_a",
            f"{shown!r} while the customer types",
            draft_box,
            "רגע, אני מחפש את החשבונית של החודש שעבר",
            lambda: any(
                n.get_attribute("textContent") == shown
                for n in self.browsers["agent_a"].find_elements(By.CSS_SELECTOR, f"#chat-{self.chat_id} .typing")
            ),
        )
        draft_box.send_keys(Keys.CONTROL, "a")
        draft_box.send_keys(Keys.DELETE)
        reply_box = self.browsers["agent_a"].find_element(By.ID, f"reply-{self.chat_id}")
        shown = self.w("typing.agent", agent=self.org.agent_a.name)
        typed = self.type_until(
            "customer",
            f"{shown!r} while agent A types",
            reply_box,
            REPLY_A,
            lambda: shown in self.widget_texts(".mk-typing"),
        )
        reply_box.send_keys(REPLY_A[typed:])
        self.step("typing: agent A saw the customer typing, the customer saw agent A typing")

    def type_until(self, watcher: str, what: str, box, text: str, seen) -> int:
        """Types `text` into `box` a character per poll until `seen()`; returns how many."""
        typed = 0

        def one_more(_):
            nonlocal typed
            if seen():
                return True
            if typed < len(text):
                box.send_keys(text[typed])
                typed += 1
            return False

        try:
            WebDriverWait(self.browsers[watcher], WAIT_S, poll_frequency=0.25).until(one_more)
        except TimeoutException:
            raise E2EFailure(f"timed out after {WAIT_S} s waiting for {watcher}: {what}") from None
        return typed

    def agent_replies(self, who: str, body: str) -> None:
        driver = self.browsers[who]
        box = driver.find_element(By.ID, f"reply-{self.chat_id}")
        if box.get_attribute("value") != body:
            box.send_keys(body)
        box.send_keys(Keys.ENTER)
        wait(driver, f"{who}: own reply shown in the chat", lambda d: body in self.chat_bodies(who, "agent"))
        wait(
            self.browsers["customer"],
            f"customer: the reply of {who} ({body!r})",
            lambda d: body in self.widget_texts(".mk-msg-agent .mk-bubble"),
        )
        self.step(f"{WHO[who]}: replied in Hebrew, the customer saw it")

    def agent_a_transfers(self) -> None:
        driver = self.browsers["agent_a"]
        section = f"#chat-{self.chat_id}"
        buttons = driver.find_elements(By.CSS_SELECTOR, f"{section} .chat-head button")
        transfer = next((b for b in buttons if b.text == self.s("desk.transfer")), None)
        if transfer is None:
            raise E2EFailure(f"agent_a: no {self.s('desk.transfer')!r} button in the chat head")
        transfer.click()
        target = wait(driver, "agent_a: the transfer target select", lambda d: d.find_element(By.ID, f"transfer-{self.chat_id}"))
        Select(target).select_by_value(f"queue:{self.org.queues['retention']['id']}")
        go = next(
            b
            for b in driver.find_elements(By.CSS_SELECTOR, f"{section} .inline-form button.primary")
            if b.text == self.s("desk.transfer_go")
        )
        lines_before = len(self.widget_texts(".mk-system"))
        go.click()
        wait(
            driver,
            "agent_a: the chat leaves the desk after the transfer",
            lambda d: not d.find_elements(By.ID, f"chat-{self.chat_id}"),
        )
        wait(
            self.browsers["customer"],
            "customer: a system line about the transfer",
            lambda d: len(self.widget_texts(".mk-system")) > lines_before,
        )
        self.step("agent A: transferred the chat to שימור, the customer was told")

    def agent_a_ends_her_wrap_up(self) -> None:
        """After the transfer agent A wraps up with no conversation to close:
        the top bar's button ends the wrap-up before the queue's 60 s."""
        driver = self.browsers["agent_a"]
        button = wait(
            driver,
            "agent_a: the end-wrap-up button after the transfer",
            lambda d: next((b for b in d.find_elements(By.ID, "end-wrap-up") if b.is_displayed()), None),
        )
        if button.text != self.s("presence.ready"):
            raise E2EFailure(f"agent_a: the button reads {button.text!r}, not {self.s('presence.ready')!r}")
        self.shot("agent_a", "03-desktop-agent-a-wrap-up")
        button.click()
        wait(
            driver,
            "agent_a: available again, the button gone",
            lambda d: not d.find_element(By.ID, "end-wrap-up").is_displayed()
            and d.find_element(By.CSS_SELECTOR, ".presence .activity").text == "",
        )
        self.step("agent A: ended her wrap-up after the transfer from the top bar, available again")

    def customer_reloads(self) -> None:
        """The conversation survives a page reload (the widget resumes its chat)."""
        driver = self.browsers["customer"]
        driver.refresh()
        expected = [FIRST_MESSAGE, XSS_MESSAGE]
        wait(
            driver,
            "customer: after a reload, the conversation is back (own messages and the reply)",
            lambda d: self.widget_texts(".mk-msg-own .mk-bubble") == expected
            and REPLY_A in self.widget_texts(".mk-msg-agent .mk-bubble"),
        )
        launcher = self.in_widget("the launcher", ".mk-launcher")
        if launcher.get_attribute("aria-expanded") != "true":
            launcher.click()
        self.in_widget("the message box after the reload", "#mk-compose")
        status = self.w("status.connected", agent=self.org.agent_a.name)
        wait(
            driver,
            f"customer: after a reload, status {status!r}",
            lambda d: status in " ".join(self.widget_texts(".mk-status")),
        )
        self.no_alert("customer")
        self.step("customer: reloaded the page, the conversation resumed")

    # ---------------------------------------------------------- agent B

    def agent_b_finishes(self) -> None:
        driver = self.browsers["agent_b"]
        self.accept_offer("agent_b", keyboard=True)
        wait(
            driver,
            "agent_b: the chat's history (customer's messages and agent A's reply)",
            lambda d: self.chat_bodies("agent_b", "customer") == [FIRST_MESSAGE, XSS_MESSAGE]
            and REPLY_A in self.chat_bodies("agent_b", "agent"),
        )
        self.no_alert("agent_b")
        wait(
            driver,
            f"agent_b: agent A's reply signed with her name {self.org.agent_a.name!r}",
            lambda d: any(
                self.org.agent_a.name in m.get_attribute("textContent")
                for m in d.find_elements(By.CSS_SELECTOR, f"#chat-{self.chat_id} .msg.agent .meta")
            ),
            timeout=5,
        )
        status = self.w("status.connected", agent=self.org.agent_b.name)
        wait(
            self.browsers["customer"],
            f"customer: status {status!r}",
            lambda d: status in " ".join(self.widget_texts(".mk-status")),
        )
        self.step("agent B (English desktop): offered the transferred chat, Alt+A, saw the history with agent A's name")
        self.agent_replies("agent_b", REPLY_B)
        self.shot("customer", "03-widget-conversation")
        self.shot("agent_b", "04-desktop-agent-b")
        driver.find_element(By.CSS_SELECTOR, f"#chat-{self.chat_id} .chat-head button.danger").click()
        code = wait(driver, "agent_b: the wrap-up code select", lambda d: d.find_element(By.ID, f"wrap-{self.chat_id}"))
        wait(driver, "agent_b: the wrap-up form shown", lambda d: code.is_displayed())
        Select(code).select_by_value(str(self.org.codes["RETAINED"]["id"]))
        driver.find_element(By.CSS_SELECTOR, f"#chat-{self.chat_id} .wrapup button.primary").click()
        wait(
            driver,
            "agent_b: the chat leaves the desk after the wrap-up",
            lambda d: not d.find_elements(By.ID, f"chat-{self.chat_id}"),
        )
        self.step("agent B: ended the chat and wrapped up with RETAINED")

    # ---------------------------------------------------------- the rating

    def customer_rates(self) -> None:
        wait(
            self.browsers["customer"],
            "customer: the agent ended the chat (system line)",
            lambda d: self.w("system.ended_by_agent") in self.widget_texts(".mk-system"),
        )
        scores = wait(
            self.browsers["customer"],
            "customer: the five rating buttons",
            lambda d: (lambda b: b if len(b) == 5 else None)(self.widget().find_elements(By.CSS_SELECTOR, ".mk-score")),
        )
        scores[4].click()
        self.widget().find_element(By.ID, "mk-rating-comment").send_keys(RATING_COMMENT)
        self.widget().find_element(By.CSS_SELECTOR, ".mk-rating button[type=submit]").click()
        self.in_widget("the thanks after rating", ".mk-thanks")
        self.shot("customer", "05-widget-rated")
        self.step("customer: rated 5 with a Hebrew comment")

    # ---------------------------------------------------------- the wallboard

    def wallboard_numbers(self) -> dict:
        return self.browsers["supervisor"].execute_script(
            """
            const tiles = {};
            for (const a of document.querySelectorAll('article.tile')) {
              const rows = {};
              for (const dt of a.querySelectorAll('dt')) rows[dt.textContent] = dt.nextElementSibling.textContent;
              tiles[a.querySelector('h2').textContent] = rows;
            }
            const agents = {};
            for (const tr of document.querySelectorAll('table.grid tbody tr')) {
              const cells = tr.querySelectorAll('td');
              agents[cells[0].textContent] = cells[1].querySelector('.state-pill').textContent;
            }
            return {tiles, agents};
            """
        )

    def wallboard_counts(self) -> None:
        driver = self.browsers["supervisor"]
        offered, answered = self.s("wall.offered"), self.s("wall.answered")
        available = self.s("agent_state.available")
        expected_tiles = {
            q["name"]: {offered: "1", answered: "1"} for q in self.org.queues.values()
        }
        # Agent A ended her wrap-up after the transfer herself.
        expected_agents = {
            self.org.agent_a.name: {available},
            self.org.agent_b.name: {available},
        }
        seen = {}

        def settled(_):
            seen.update(self.wallboard_numbers())
            tiles_ok = all(
                all(seen["tiles"].get(name, {}).get(k) == v for k, v in rows.items())
                for name, rows in expected_tiles.items()
            )
            agents_ok = all(seen["agents"].get(n) in s for n, s in expected_agents.items())
            return tiles_ok and agents_ok

        try:
            # The page re-reads on live events and every 5 s.
            wait(driver, "supervisor: the wallboard counts", settled)
        except E2EFailure as error:
            raise E2EFailure(
                f"{error}: expected tiles {expected_tiles} and agents {expected_agents}; "
                f"the wallboard shows {json.dumps(seen, ensure_ascii=False)}"
            ) from None
        self.shot("supervisor", "06-wallboard")
        self.step("supervisor: wallboard shows offered 1 / answered 1 in both queues, agents A and B available")
        self.drill_into_agent_b()

    def drill_into_agent_b(self) -> None:
        """The supervisor opens agent B's row: B handled one chat today."""
        driver = self.browsers["supervisor"]
        name = self.org.agent_b.name
        rows = [r for r in driver.find_elements(By.CSS_SELECTOR, "table.grid tbody tr") if name in r.text]
        if not rows:
            raise E2EFailure(f"supervisor: no wallboard row for {name}")
        rows[0].click()
        handled = self.s("wall.handled_today")
        seen = {}

        def detail(d):
            if d.find_element(By.ID, "detail-title").text != name:
                return False
            seen.update(
                d.execute_script(
                    "const rows = {};"
                    "for (const dt of document.querySelectorAll('aside.detail dt'))"
                    "  rows[dt.textContent] = dt.nextElementSibling.textContent;"
                    "return rows;"
                )
            )
            return seen.get(handled) == "1"

        try:
            wait(driver, f"supervisor: {name}'s drill-down with {handled!r} 1", detail)
        except E2EFailure as error:
            raise E2EFailure(f"{error}; it shows {json.dumps(seen, ensure_ascii=False)}") from None
        self.step("supervisor: drilled into agent B (handled today: 1)")

    # ---------------------------------------------------------- the record

    def interaction_record(self) -> None:
        """What the server kept: each step of the timeline, the messages in order."""
        record = self.moked.api("GET", f"/interactions/{self.chat_id}")
        (self.results / "interaction.json").write_text(
            json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        a, b = self.org.agent_a.id, self.org.agent_b.id
        billing, retention = self.org.queues["billing"]["id"], self.org.queues["retention"]["id"]
        expected_steps = [
            ("queued", {"queue": billing}),
            ("offered", {"agent": a}),
            ("accepted", {"agent": a}),
            ("transferred", {"to_queue": retention}),
            ("offered", {"agent": b}),
            ("accepted", {"agent": b}),
            ("ended", {}),
            ("wrapped_up", {"agent": b, "code": self.org.codes["RETAINED"]["id"]}),
            ("rated", {"score": 5, "comment": RATING_COMMENT}),
        ]
        steps = [entry.get("step", entry) for entry in record.get("timeline", [])]
        shown = [(st.get("kind"), {k: v for k, v in st.items() if k != "kind"}) for st in steps]
        fits = len(steps) == len(expected_steps) and all(
            st.get("kind") == kind and all(st.get(k) == v for k, v in fields.items())
            for st, (kind, fields) in zip(steps, expected_steps)
        )
        if not fits:
            raise E2EFailure(
                f"GET /interactions/{self.chat_id}: timeline {shown}, expected {expected_steps}"
            )
        said = [
            (m["sender"].get("kind"), m["sender"].get("user"), m["body"])
            for m in record.get("messages", [])
            if m["sender"].get("kind") != "system"
        ]
        expected_said = [
            ("customer", None, FIRST_MESSAGE),
            ("customer", None, XSS_MESSAGE),
            ("agent", a, REPLY_A),
            ("agent", b, REPLY_B),
        ]
        if said != expected_said:
            raise E2EFailure(f"GET /interactions/{self.chat_id}: messages {said}, expected {expected_said}")
        self.step("API: the interaction's timeline (queued … transferred … wrapped up, rated) and messages")

    # ---------------------------------------------------------- the whole story

    def run(self) -> None:
        self.open_browsers()
        self.login("supervisor", self.org.supervisor)
        self.login("agent_b", self.org.agent_b)
        self.go_available("agent_b")
        self.login("agent_a", self.org.agent_a)
        self.step("staff: supervisor on /wallboard, agent B available, agent A logged in")
        self.customer_opens_chat()
        self.customer_writes()
        self.agent_a_takes_the_chat()
        self.typing_both_ways()
        self.agent_replies("agent_a", REPLY_A)
        self.shot("agent_a", "02-desktop-agent-a")
        self.shot("customer", "02-widget-connected")
        self.customer_reloads()
        self.agent_a_transfers()
        self.agent_a_ends_her_wrap_up()
        self.agent_b_finishes()
        self.customer_rates()
        self.wallboard_counts()
        self.interaction_record()


# ------------------------------------------------------------------ main


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--moked", required=True, help="the moked binary")
    p.add_argument("--results", help="folder for screenshots, logs and failure dumps")
    p.add_argument("--database-url", help="run on this PostgreSQL server (a fresh database in it)")
    p.add_argument(
        "--customer-page",
        choices=["cross-origin", "demo-site"],
        default="cross-origin",
        help="the widget on a shop page of another origin (default), or Moked's own /demo-site",
    )
    p.add_argument("--screenshots", help="copy the key screenshots here as e2e-*.png")
    return p.parse_args()


KEY_SHOTS = {
    "03-widget-conversation": "e2e-widget.png",
    "02-desktop-agent-a": "e2e-desktop.png",
    "06-wallboard": "e2e-wallboard.png",
    "05-widget-rated": "e2e-widget-rated.png",
}


def stopped(*_) -> None:
    raise E2EFailure("stopped by SIGTERM (the time limit of scripts/e2e?)")


def main() -> int:
    args = parse_args()
    # `timeout` (scripts/e2e) stops us with SIGTERM: fail like any step, so the
    # windows are dumped and the server and the browsers stopped below.
    signal.signal(signal.SIGTERM, stopped)
    started = time.monotonic()
    results = make_results_dir(args.results)
    data_dir = results / "data"
    data_dir.mkdir(exist_ok=True)
    database = PostgresDatabase.fresh(args.database_url) if args.database_url else None
    database_url = database.url if database else None
    # /demo-site embeds the widget for the organization `demo`.
    slug = "demo" if args.customer_page == "demo-site" else f"e2e-{secrets.token_hex(3)}"
    moked = Moked(Path(args.moked).resolve(), data_dir, results / "server.log", database_url)
    org = plan_org(slug)
    scenario = None
    backend = "PostgreSQL" if database_url else "SQLite"
    say(f"results in {results} ({backend})")
    try:
        create_org_with_cli(moked, org)
        moked.start()
        configure_with_api(moked, org)
        say(f"organization {slug}: queues {org.queues}, agents {org.agent_a.id} and {org.agent_b.id}")
        scenario = Scenario(moked, org, results, args.customer_page)
        scenario.run()
    except Exception as error:  # report every kind of failure the same way
        say(f"FAILED ({backend}) after {time.monotonic() - started:.1f} s: {error}")
        if not isinstance(error, E2EFailure):
            traceback.print_exc()
        if scenario is not None:
            say("steps that passed: " + "; ".join(scenario.steps_done))
            scenario.dump()
        say("server log (tail):\n" + moked.log_tail())
        return 1
    finally:
        if scenario is not None:
            scenario.close_browsers()
        moked.stop()
        if database is not None:
            database.drop()
    if args.screenshots:
        out = Path(args.screenshots)
        out.mkdir(parents=True, exist_ok=True)
        for src, dst in KEY_SHOTS.items():
            shutil.copyfile(results / f"{src}.png", out / dst)
        say(f"screenshots copied to {out}")
    say(f"PASSED ({backend}) in {time.monotonic() - started:.1f} s; screenshots in {results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
