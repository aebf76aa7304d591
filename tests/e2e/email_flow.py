#!/usr/bin/python3
"""End-to-end: one customer's email through a ticket, the front line, the back
office and back, in headless Chromium against a real `moked serve` with its
SMTP listener and an SMTP relay sink run by this test (run it with `scripts/e2e`).

1. The organization gets an email queue, its receiving address, an SLA policy,
   a canned response, a back-office team, a front-line agent (A, Hebrew) and a
   back-office agent (B, English), through the CLI and the HTTP API.
2. A customer emails the address with smtplib (Hebrew subject and body, and
   `<script>alert(1)</script>`, which must show as text): agent A, available,
   gets the email offer, accepts, and sees the email (subject, sender, body)
   beside its ticket (number, status, SLA).
3. A inserts the canned response (placeholders filled) and replies; the relay
   sink receives the reply with `[#N]` in the subject and In-Reply-To the
   customer's Message-ID. The customer answers that reply (smtplib, In-Reply-To)
   and the answer appears in the same ticket on A's desktop.
4. A takes the ticket and escalates it to the back-office team with a note; B opens the
   back-office view, sees it with its SLA, opens it, adds a note and hands it
   back; A sees it returned in "my tickets", assigned to A and open again.
5. The API's record of the ticket shows the messages of both emails and the
   reply, the notes, and the escalation and hand-back in the history.

Screenshots of each step land in the results folder; on failure, every
window's page source, console log and screenshot, and the server log's tail.
"""

from __future__ import annotations

import argparse
import json
import re
import secrets
import shutil
import signal
import sys
import time
import traceback
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import (  # noqa: E402
    E2EFailure,
    Moked,
    PostgresDatabase,
    SmtpSink,
    StaffWindows,
    create_org_with_cli,
    free_port,
    make_results_dir,
    plan_org,
    say,
    send_mail,
    wait,
)

ADDRESS_LOCAL = "service"
CUSTOMER = "ישראל ישראלי <israel.israeli@customer.example>"
CUSTOMER_EMAIL = "israel.israeli@customer.example"
SUBJECT = "חיוב כפול בחשבונית נובמבר"
BODY = "שלום,\nחויבתי פעמיים על החבילה החודשית בחשבונית של נובמבר.\n<script>alert(1)</script> שלום\nתודה, ישראל"
CANNED_BODY = "שלום {{customer.first_name}}, קיבלנו את פנייתך ({{ticket.number}})."
REPLY_TAIL = "בדקתי את החשבון: החיוב הכפול יבוטל בחשבונית הבאה."
CUSTOMER_ANSWER = "תודה רבה! מתי אראה את הזיכוי?"
TEAM_NOTE = "נא לבדוק מול מערכת החיובים ולזכות"
BACK_OFFICE_NOTE = "בוצע זיכוי של ₪49.90 במערכת החיובים"


def configure(moked: Moked, org, address: str) -> dict:
    """The email queue and address, SLA policy, canned response, back-office team and both agents."""
    made: dict = {}
    made["team"] = moked.api("POST", "/teams", {"name": "בק אופיס חיובים"})
    queue = moked.api(
        "POST",
        "/queues",
        {"name": "דוא\"ל שירות לקוחות", "channel": "email", "service_level_seconds": 3600},
    )
    made["queue"] = queue
    moked.api(
        "POST",
        "/mail/addresses",
        {"address": address, "queue": queue["id"], "display_name": "שירות לקוחות"},
    )
    moked.api(
        "POST",
        "/admin/sla-policies",
        {"name": "פניות רגילות", "first_response_minutes": 240, "resolution_minutes": 2880},
    )
    made["canned"] = moked.api(
        "POST", "/canned-responses", {"name": "פתיחה", "lang": "he", "body": CANNED_BODY, "actions": {}}
    )
    for agent, team in ((org.agent_a, None), (org.agent_b, made["team"]["id"])):
        user = moked.api(
            "POST",
            "/users",
            {
                "login": agent.login,
                "display_name": agent.name,
                "role": "agent",
                "lang": agent.lang,
                "password": agent.password,
                "team": team,
            },
        )
        agent.id = user["id"]
        moked.api("PUT", f"/users/{agent.id}/capacities", [{"channel": "email", "max_concurrent": 5}])
    return made


class EmailScenario(StaffWindows):
    def __init__(self, moked: Moked, org, results: Path, smtp_port: int, sink: SmtpSink, address: str, made: dict):
        super().__init__(moked, org, results)
        self.smtp_port = smtp_port
        self.sink = sink
        self.address = address
        self.made = made
        self.chat_id: str | None = None
        self.ticket: dict | None = None
        self.customer_message_id = ""
        self.reply_message_id = ""

    # ---------------------------------------------------------- the story

    def email_offered(self) -> None:
        self.customer_message_id = send_mail(self.smtp_port, CUSTOMER, self.address, SUBJECT, BODY)
        self.step("customer: the email sent over SMTP (smtplib) was accepted")
        offer = self.find("agent_a", "the email offer", ".offers-list li.offer[data-channel=email]")
        self.chat_id = offer.get_attribute("data-chat")
        wait(
            self.browsers["agent_a"],
            "agent A: the offer shows the sender's address",
            lambda d: CUSTOMER_EMAIL in offer.text,
        )
        self.shot("agent_a", "01-email-offer")
        self.click("agent_a", "accept the email", f'.offers-list li.offer[data-chat="{self.chat_id}"] button.ok')
        self.step(f"agent A: offered the email (interaction {self.chat_id}) with the sender, accepted it")

    def email_and_ticket_shown(self) -> None:
        chat = f"#chat-{self.chat_id}"
        self.find("agent_a", "the email's subject over the conversation", f"{chat} .chat-subline .email-subject")
        wait(
            self.browsers["agent_a"],
            "agent A: the email's subject, sender and body (as text)",
            lambda d: SUBJECT in " ".join(self.text_of("agent_a", f"{chat} .chat-subline .email-subject"))
            and CUSTOMER_EMAIL in " ".join(self.text_of("agent_a", f"{chat} .chat-subline .email-from"))
            and "<script>alert(1)</script> שלום" in " ".join(self.text_of("agent_a", f"{chat} .msg.customer .body")),
        )
        self.no_alert("agent_a")
        title = self.find("agent_a", "the ticket panel", "#side-ticket .ticket-title")
        found = re.search(r"#(\d+)", title.text)
        if not found:
            raise E2EFailure(f"agent A: the ticket panel's title {title.text!r} has no #number")
        listed = self.moked.api("GET", f"/tickets/by-number/{found.group(1)}")
        self.ticket = listed["ticket"]
        if self.ticket["subject"] != SUBJECT:
            raise E2EFailure(f"ticket {self.ticket['display']}: subject {self.ticket['subject']!r}, sent {SUBJECT!r}")
        self.find("agent_a", "the SLA state of the ticket", "#side-ticket .sla-box .sla-badge")
        self.shot("agent_a", "02-email-ticket")
        self.step(f"agent A: the email as email (subject, sender, text body) beside ticket {self.ticket['display']} with its SLA")

    def agent_replies(self) -> None:
        tid = self.ticket["id"]
        Select(self.find("agent_a", "the canned responses", f"#t{tid}-canned")).select_by_value(str(self.made["canned"]["id"]))
        self.click("agent_a", "insert the canned response", f"#side-ticket .canned button")
        box = self.find("agent_a", "the reply box", f"#reply-{self.chat_id}")
        first_name = "ישראל"
        wait(
            self.browsers["agent_a"],
            "agent A: the canned response in the composer with the placeholders filled",
            lambda d: first_name in box.get_attribute("value") and str(self.ticket["number"]) in box.get_attribute("value"),
        )
        box.send_keys(Keys.SHIFT, Keys.ENTER)
        box.send_keys(REPLY_TAIL)
        box.send_keys(Keys.ENTER)
        number_tag = f"[#{self.ticket['number']}]"
        reply = self.sink.wait_for(
            f"the reply with {number_tag} in the subject",
            lambda m: number_tag in str(m["Subject"] or ""),
        )
        if (reply["In-Reply-To"] or "").strip() != self.customer_message_id:
            raise E2EFailure(f"the reply's In-Reply-To is {reply['In-Reply-To']!r}, the customer's Message-ID {self.customer_message_id!r}")
        text = reply.get_body(preferencelist=("plain",)).get_content()
        if REPLY_TAIL not in text or first_name not in text:
            raise E2EFailure(f"the reply's body {text!r} lacks the agent's words")
        self.reply_message_id = (reply["Message-ID"] or "").strip()
        if not self.reply_message_id:
            raise E2EFailure("the reply has no Message-ID")
        self.find("agent_a", "the reply in the conversation", f"#chat-{self.chat_id} .msg.agent")
        self.step(f"agent A: canned response inserted and reply sent; the sink got {reply['Subject']!r} with In-Reply-To")

    def customer_answers(self) -> None:
        send_mail(
            self.smtp_port,
            CUSTOMER,
            self.address,
            f"Re: {SUBJECT} [#{self.ticket['number']}]",
            CUSTOMER_ANSWER,
            In_Reply_To=self.reply_message_id,
            References=f"{self.customer_message_id} {self.reply_message_id}",
        )
        wait(
            self.browsers["agent_a"],
            "agent A: the customer's answer in the same ticket",
            lambda d: any(CUSTOMER_ANSWER in x for x in self.text_of("agent_a", ".msg.customer .body")),
        )
        messages = self.moked.api("GET", f"/tickets/{self.ticket['id']}/messages")
        said = [m["body"].strip() for m in messages if m["party"] == "customer"]
        if len(said) != 2 or CUSTOMER_ANSWER not in said[1]:
            raise E2EFailure(f"ticket {self.ticket['display']}: the customer's messages are {said}")
        self.shot("agent_a", "03-email-thread")
        self.step("customer: the answer (In-Reply-To the reply) threaded into the same ticket on A's desktop")

    def escalate(self) -> None:
        tid = self.ticket["id"]
        # Accepting the email does not assign its ticket: A takes it, so it has a front-line owner.
        Select(self.find("agent_a", "the assignee picker", f"#t{tid}-assignee")).select_by_value(str(self.org.agent_a.id))
        wait(
            self.browsers["agent_a"],
            "agent A: the ticket assigned to A",
            lambda d: (self.moked.api("GET", f"/tickets/{tid}")["ticket"]["assignee"] or {}).get("id") == self.org.agent_a.id,
        )
        escalate = self.s("ticket.escalate")
        wait(
            self.browsers["agent_a"],
            "agent A: the escalate button",
            lambda d: any(b.text == escalate for b in d.find_elements(By.CSS_SELECTOR, "#side-ticket .ticket-actions button")),
        )
        next(b for b in self.browsers["agent_a"].find_elements(By.CSS_SELECTOR, "#side-ticket .ticket-actions button") if b.text == escalate).click()
        Select(self.find("agent_a", "the team picker", f"#t{tid}-escalate-team")).select_by_value(str(self.made["team"]["id"]))
        self.find("agent_a", "the escalation note", f"#t{tid}-escalate-note").send_keys(TEAM_NOTE)
        self.click("agent_a", "escalate", "#side-ticket .ticket-action-form button.primary")
        self.find("agent_a", "the back-office team on the ticket", "#side-ticket .back-office")
        self.shot("agent_a", "04-escalated")
        self.step("agent A: took the ticket and escalated it to the back-office team with a note")

    def back_office_hands_back(self) -> None:
        tid = self.ticket["id"]
        self.click("agent_b", "the back-office view", "#list-tab-backoffice")
        Select(self.find("agent_b", "the back-office team", "#back-office-team")).select_by_value(str(self.made["team"]["id"]))
        item = self.find("agent_b", "the escalated ticket in the back-office list", f'#list-backoffice li.ticket-item[data-ticket="{tid}"]')
        if SUBJECT not in item.text:
            raise E2EFailure(f"agent B: the back-office item reads {item.text!r}")
        self.shot("agent_b", "05-back-office-list")
        item.find_element(By.CSS_SELECTOR, "button").click()
        self.find("agent_b", "the ticket's conversation", f"#ticket-work-{tid} .msg.customer")
        note = self.find("agent_b", "the note box", f"#t{tid}-note")
        note.send_keys(BACK_OFFICE_NOTE)
        self.click("agent_b", "add the note", "#side-ticket .ticket-notes button")
        wait(
            self.browsers["agent_b"],
            "agent B: the note in the ticket",
            lambda d: any(BACK_OFFICE_NOTE in x for x in self.text_of("agent_b", "#side-ticket .ticket-note .body")),
        )
        self.shot("agent_b", "06-back-office-ticket")
        self.click("agent_b", "hand back", "#side-ticket .ticket-actions .buttons button.primary")
        self.click("agent_b", "confirm the hand-back", "#side-ticket .ticket-action-form button.primary")
        wait(
            self.browsers["agent_b"],
            "agent B: the ticket leaves the back-office list",
            lambda d: not d.find_elements(By.CSS_SELECTOR, f'#list-backoffice li.ticket-item[data-ticket="{tid}"]'),
        )
        self.step("agent B: saw the ticket in the back-office view, added a note, handed it back")

    def returned_to_front_line(self) -> None:
        tid = self.ticket["id"]
        self.click("agent_a", "my tickets", "#list-tab-mine")
        self.find("agent_a", "the returned ticket in my tickets", f'#list-mine li.ticket-item.is-returned[data-ticket="{tid}"]')
        view = self.moked.api("GET", f"/tickets/{tid}")
        ticket = view["ticket"]
        if ticket["status"] != "open" or (ticket["assignee"] or {}).get("id") != self.org.agent_a.id or ticket["back_office_team"]:
            raise E2EFailure(f"after the hand-back the ticket is {json.dumps(ticket, ensure_ascii=False)}")
        self.shot("agent_a", "07-returned")
        (self.results / "ticket.json").write_text(json.dumps(view, ensure_ascii=False, indent=1), encoding="utf-8")
        notes = [n["body"] for n in view["notes"]]
        if not any(BACK_OFFICE_NOTE in n for n in notes):
            raise E2EFailure(f"the ticket's notes are {notes}")
        fields = [h["field"] for h in view["history"]]
        if "back_office_team" not in fields:
            raise E2EFailure(f"the ticket's history has no back-office move: {fields}")
        self.step("agent A: the ticket came back (my tickets, marked returned; open, assigned to A; notes and history kept)")

    def run(self) -> None:
        self.open({"agent_a": (1440, 900), "agent_b": (1440, 900)})
        self.step("two headless Chromium windows (front-line agent A, back-office agent B)")
        self.login("agent_a", self.org.agent_a)
        self.login("agent_b", self.org.agent_b)
        self.go_available("agent_a")
        self.find("agent_a", "the phone indicator", "#phone-state")
        self.step("staff: A available (phone indicator shown), B logged in")
        self.email_offered()
        self.email_and_ticket_shown()
        self.agent_replies()
        self.customer_answers()
        self.escalate()
        self.back_office_hands_back()
        self.returned_to_front_line()


# ------------------------------------------------------------------ main


KEY_SHOTS = {
    "02-email-ticket": "e2e-email-ticket.png",
    "03-email-thread": "e2e-email-thread.png",
    "05-back-office-list": "e2e-back-office.png",
    "07-returned": "e2e-ticket-returned.png",
}


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--moked", required=True, help="the moked binary")
    p.add_argument("--results", help="folder for screenshots, logs and failure dumps")
    p.add_argument("--database-url", help="run on this PostgreSQL server (a fresh database in it)")
    p.add_argument("--screenshots", help="copy the key screenshots here as e2e-*.png")
    return p.parse_args()


def stopped(*_) -> None:
    raise E2EFailure("stopped by SIGTERM (the time limit of scripts/e2e?)")


def main() -> int:
    args = parse_args()
    signal.signal(signal.SIGTERM, stopped)
    started = time.monotonic()
    results = make_results_dir(args.results)
    data_dir = results / "data"
    data_dir.mkdir(exist_ok=True)
    database = PostgresDatabase.fresh(args.database_url) if args.database_url else None
    database_url = database.url if database else None
    slug = f"e2e-{secrets.token_hex(3)}"
    address = f"{ADDRESS_LOCAL}@{slug}.example"
    sink = SmtpSink()
    smtp_port = free_port()
    moked = Moked(Path(args.moked).resolve(), data_dir, results / "server.log", database_url)
    moked.serve_flags = ["--smtp-listen", f"127.0.0.1:{smtp_port}", "--smtp-relay", f"127.0.0.1:{sink.port}"]
    org = plan_org(slug)
    scenario = None
    backend = "PostgreSQL" if database_url else "SQLite"
    say(f"results in {results} ({backend}); SMTP in at {smtp_port}, relay sink at {sink.port}")
    try:
        create_org_with_cli(moked, org)
        moked.start()
        made = configure(moked, org, address)
        say(f"organization {slug}: address {address}, queue {made['queue']['id']}, team {made['team']['id']}")
        scenario = EmailScenario(moked, org, results, smtp_port, sink, address, made)
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
            scenario.close()
        moked.stop()
        sink.stop()
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
