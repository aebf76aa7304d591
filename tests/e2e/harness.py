"""The end-to-end test's harness: a real `moked serve` on a throwaway database,
set up through the real CLI (`moked admin`) and the HTTP API with an admin
bearer token, and headless Chromium windows driven by Selenium.

Nothing here is a stand-in: the organization, users, queues and codes are
made exactly as an operator would make them, and the browsers load the pages
and the widget the binary serves.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM = "/usr/bin/chromium"

# Every wait is bounded: a step that needs longer than this is a failure.
WAIT_S = 20
# The server prints its URL within this many seconds, or the run fails.
START_S = 30


class E2EFailure(AssertionError):
    """A step of the scenario did not happen as expected."""


def say(message: str) -> None:
    print(f"e2e: {message}", flush=True)


# ------------------------------------------------------------------ the server


@dataclass
class Moked:
    """A `moked` binary and the store it runs on (a data folder, or PostgreSQL)."""

    binary: Path
    data_dir: Path
    log_path: Path
    database_url: str | None = None
    process: subprocess.Popen | None = None
    base: str = ""
    admin_token: str = ""
    # More `moked serve` flags (the email pass adds --smtp-listen and --smtp-relay).
    serve_flags: list = field(default_factory=list)
    _log: object = None

    def store_flags(self) -> list[str]:
        flags = ["--data", str(self.data_dir)]
        if self.database_url:
            flags += ["--database-url", self.database_url]
        return flags

    def admin(self, *args: str, stdin: str | None = None) -> str:
        """Runs `moked admin ARGS` on this store; returns its standard output."""
        command = [str(self.binary), "admin", *self.store_flags(), *args]
        shown = " ".join(a for a in command if not a.startswith("postgres://"))
        done = subprocess.run(
            command, input=stdin, capture_output=True, text=True, timeout=60
        )
        if done.returncode != 0:
            raise E2EFailure(
                f"`{shown}` exited {done.returncode}: {done.stderr.strip()}"
            )
        return done.stdout

    def start(self) -> None:
        """Starts `moked serve` on a free port and waits for /healthz."""
        self._log = open(self.log_path, "w", encoding="utf-8")
        # NO_COLOR: the log is a file, read by people and by this harness.
        env = dict(os.environ, MOKED_LOG=os.environ.get("MOKED_LOG", "info"), NO_COLOR="1")
        self.process = subprocess.Popen(
            [
                str(self.binary),
                "serve",
                *self.store_flags(),
                "--listen",
                "127.0.0.1:0",
                *self.serve_flags,
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            # Its own process group, so stopping it never touches anyone else.
            start_new_session=True,
        )
        deadline = time.monotonic() + START_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise E2EFailure(
                    f"`moked serve` exited {self.process.returncode} at start:\n"
                    + self.log_tail()
                )
            found = re.search(r"serving at (http://\S+)", self.log_text())
            if found:
                self.base = found.group(1).rstrip("/")
                break
            time.sleep(0.1)
        else:
            raise E2EFailure(
                f"`moked serve` printed no URL within {START_S} s:\n" + self.log_tail()
            )
        self.wait_healthy(deadline)
        say(f"server at {self.base} (log: {self.log_path})")

    def wait_healthy(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as res:
                    if res.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.1)
        raise E2EFailure("/healthz did not answer 200:\n" + self.log_tail())

    def stop(self) -> None:
        """Stops the server: SIGTERM to its group, SIGKILL after 5 s."""
        process = self.process
        if process is not None and process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
            except ProcessLookupError:
                pass
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    # -------------------------------------------------------------- the API

    def api(self, method: str, path: str, body: object = None) -> object:
        """Calls `/api/v1{path}` with the admin bearer token; returns the JSON."""
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(
            f"{self.base}/api/v1{path}", data=data, method=method
        )
        request.add_header("Accept", "application/json")
        request.add_header("Authorization", f"Bearer {self.admin_token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=10) as res:
                text = res.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            detail = error.read().decode("utf-8", errors="replace")
            raise E2EFailure(
                f"{method} /api/v1{path} answered {error.code}: {detail}"
            ) from None
        return json.loads(text) if text else None

    def get_json(self, path: str) -> object:
        """GETs a public JSON file of the server (e.g. a locale)."""
        with urllib.request.urlopen(self.base + path, timeout=10) as res:
            return json.loads(res.read().decode("utf-8"))


def psql(url: str, command: str) -> subprocess.CompletedProcess | None:
    """Runs one SQL command with psql on `url`; None when psql is not installed."""
    binary = shutil.which("psql")
    if binary is None:
        return None
    return subprocess.run(
        [binary, url, "-v", "ON_ERROR_STOP=1", "-qc", command],
        capture_output=True,
        text=True,
        timeout=30,
    )


@dataclass
class PostgresDatabase:
    """The database a PostgreSQL pass runs on: a new one made for the run (and
    dropped after it), or, when psql cannot make one, the given database itself
    (the organization's unique slug then keeps the run apart: tenants never mix)."""

    url: str
    server_url: str
    created: str | None = None

    @staticmethod
    def fresh(server_url: str) -> "PostgresDatabase":
        name = f"moked_e2e_{os.getpid()}_{int(time.time())}"
        done = psql(server_url, f"CREATE DATABASE {name}")
        if done is not None and done.returncode == 0:
            parts = urllib.parse.urlsplit(server_url)
            url = urllib.parse.urlunsplit(parts._replace(path="/" + name))
            return PostgresDatabase(url, server_url, name)
        why = "psql is not installed" if done is None else done.stderr.strip()
        say(f"no fresh database ({why}); running in the given one")
        return PostgresDatabase(server_url, server_url)

    def drop(self) -> None:
        if self.created:
            done = psql(self.server_url, f"DROP DATABASE IF EXISTS {self.created}")
            if done is not None and done.returncode != 0:
                say(f"could not drop {self.created}: {done.stderr.strip()}")


# ------------------------------------------------------------------ the organization


@dataclass
class Person:
    login: str
    name: str
    role: str
    password: str
    lang: str = "he"
    id: int | None = None


@dataclass
class Org:
    slug: str
    name: str
    admin: Person
    supervisor: Person
    agent_a: Person
    agent_b: Person
    queues: dict = field(default_factory=dict)  # key → {"id", "name"}
    codes: dict = field(default_factory=dict)  # code → {"id", "label"}


def new_password() -> str:
    # Hebrew letters too: passwords are Unicode and must survive the round trip.
    return "סיסמה-" + secrets.token_urlsafe(12)


def plan_org(slug: str) -> Org:
    return Org(
        slug=slug,
        name="סלולר הדגמה בע\"מ",
        admin=Person("admin", "מנהלת המערכת", "admin", new_password()),
        supervisor=Person("michal", "מיכל אברהם", "supervisor", new_password()),
        agent_a=Person("dana", "דנה כהן", "agent", new_password()),
        # Agent B works in English: the language is per user.
        agent_b=Person("yossi", "יוסי לוי", "agent", new_password(), lang="en"),
    )


def create_org_with_cli(moked: Moked, org: Org) -> None:
    """The organization, its admin and supervisor and the admin's token: `moked admin`."""
    moked.admin("org", "add", "--slug", org.slug, "--name", org.name, "--tz", "Asia/Jerusalem")
    for person in (org.admin, org.supervisor):
        moked.admin(
            "user", "add", "--org", org.slug, "--login", person.login,
            "--name", person.name, "--role", person.role, "--password-stdin",
            stdin=person.password + "\n",
        )
    token = moked.admin("token", "--org", org.slug, "--role", "admin", "--label", "e2e").strip()
    if not token or len(token.split()) != 1:
        raise E2EFailure(f"`moked admin token` printed {token!r}, not one token")
    moked.admin_token = token


def configure_with_api(moked: Moked, org: Org) -> None:
    """Skills, queues, wrap-up codes and the two agents: the HTTP API as admin."""
    billing_skill = moked.api("POST", "/skills", {"name": "חיובים"})
    retention_skill = moked.api("POST", "/skills", {"name": "שימור"})
    for key, name, skill in (
        ("billing", "חיובים", billing_skill),
        ("retention", "שימור", retention_skill),
    ):
        queue = moked.api(
            "POST",
            "/queues",
            {"name": name, "channel": "chat", "skill": skill["id"], "service_level_seconds": 30},
        )
        org.queues[key] = {"id": queue["id"], "name": queue["name"]}
    for code, label in (("RESOLVED", "טופל בהצלחה"), ("RETAINED", "הלקוח נשאר"), ("CALLBACK", "חזרה ללקוח")):
        made = moked.api("POST", "/wrap-up-codes", {"code": code, "label": label})
        org.codes[code] = {"id": made["id"], "label": label}
    for agent, skill in ((org.agent_a, billing_skill), (org.agent_b, retention_skill)):
        user = moked.api(
            "POST",
            "/users",
            {"login": agent.login, "display_name": agent.name, "role": "agent", "lang": agent.lang, "password": agent.password},
        )
        agent.id = user["id"]
        moked.api("PUT", f"/users/{agent.id}/skills", [{"skill": skill["id"], "level": 5}])
        moked.api("PUT", f"/users/{agent.id}/capacities", [{"channel": "chat", "max_concurrent": 3}])
    for person in (org.admin, org.supervisor):
        listed = moked.api("GET", "/users")
        person.id = next(u["id"] for u in listed if u["login"] == person.login)


# ------------------------------------------------------------------ browsers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def new_browser(width: int, height: int, profile_root: Path, name: str) -> webdriver.Chrome:
    """A headless Chromium with its own profile (its own cookies: one person each)."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = profile_root / name
    profile.mkdir(parents=True, exist_ok=True)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        f"--window-size={width},{height}",
        "--lang=he",
        "--force-device-scale-factor=1",
    ):
        options.add_argument(flag)
    # Alerts are left open so the test can look for them (an XSS would raise one).
    options.set_capability("unhandledPromptBehavior", "ignore")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(WAIT_S)
    driver.set_script_timeout(WAIT_S)
    return driver


def wait(driver, what: str, condition, timeout: float = WAIT_S):
    """Waits for `condition(driver)` to be truthy; fails naming `what`."""
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.1).until(condition)
    except E2EFailure:
        raise
    except Exception as error:  # TimeoutException and stale elements alike
        raise E2EFailure(f"timed out after {timeout} s waiting for: {what}") from error


def make_results_dir(path: str | None) -> Path:
    if path:
        out = Path(path)
        out.mkdir(parents=True, exist_ok=True)
        return out
    return Path(tempfile.mkdtemp(prefix="moked-e2e-"))


# ------------------------------------------------------------------ email


class SmtpSink:
    """A minimal SMTP server on loopback that keeps every message it is given:
    the relay `moked serve --smtp-relay` sends the agents' replies to. It speaks
    just enough of RFC 5321 for a client that does not need TLS or AUTH (EHLO,
    MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT)."""

    def __init__(self) -> None:
        import socketserver
        import threading

        self.messages: list[dict] = []
        self._changed = threading.Condition()
        sink = self

        class Session(socketserver.StreamRequestHandler):
            def reply(self, line: str) -> None:
                self.wfile.write((line + "\r\n").encode("ascii"))
                self.wfile.flush()

            def handle(self) -> None:  # one SMTP session
                self.reply("220 sink.test ESMTP e2e sink")
                mail_from, rcpt_to = None, []
                while True:
                    raw = self.rfile.readline(65536)
                    if not raw:
                        return
                    verb = raw.decode("ascii", "replace").strip()
                    upper = verb.upper()
                    if upper.startswith("EHLO"):
                        self.wfile.write(b"250-sink.test\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 10485760\r\n")
                        self.wfile.flush()
                    elif upper.startswith("HELO"):
                        self.reply("250 sink.test")
                    elif upper.startswith("MAIL FROM:"):
                        mail_from, rcpt_to = verb[10:].strip(), []
                        self.reply("250 OK")
                    elif upper.startswith("RCPT TO:"):
                        rcpt_to.append(verb[8:].strip())
                        self.reply("250 OK")
                    elif upper == "DATA":
                        self.reply("354 end with <CRLF>.<CRLF>")
                        lines = []
                        while True:
                            line = self.rfile.readline(1 << 20)
                            if not line or line in (b".\r\n", b".\n"):
                                break
                            lines.append(line[1:] if line.startswith(b"..") else line)
                        sink.keep({"from": mail_from, "to": rcpt_to, "data": b"".join(lines)})
                        self.reply("250 OK kept")
                    elif upper == "RSET":
                        mail_from, rcpt_to = None, []
                        self.reply("250 OK")
                    elif upper == "NOOP":
                        self.reply("250 OK")
                    elif upper == "QUIT":
                        self.reply("221 bye")
                        return
                    else:
                        self.reply("502 not implemented")

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Session)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def keep(self, message: dict) -> None:
        with self._changed:
            self.messages.append(message)
            self._changed.notify_all()

    def wait_for(self, what: str, match, timeout: float = WAIT_S):
        """The first kept message (parsed `email.message.EmailMessage`) for which `match` is true."""
        import email
        import email.policy

        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for kept in self.messages:
                    parsed = email.message_from_bytes(kept["data"], policy=email.policy.default)
                    if match(parsed):
                        return parsed
                left = deadline - time.monotonic()
                if left <= 0:
                    raise E2EFailure(
                        f"timed out after {timeout} s waiting for the relay sink to receive: {what} "
                        f"({len(self.messages)} message(s) kept)"
                    )
                self._changed.wait(left)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def send_mail(port: int, sender: str, to: str, subject: str, body: str, **headers: str) -> str:
    """Sends a UTF-8 email with smtplib to Moked's SMTP listener; returns its Message-ID."""
    import email.message
    import email.utils
    import smtplib

    message = email.message.EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = email.utils.formatdate(localtime=True)
    message["Message-ID"] = email.utils.make_msgid(domain="customer.example")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        client.send_message(message)
    return message["Message-ID"]


# ------------------------------------------------------------------ staff windows


class StaffWindows:
    """Headless Chromium windows of staff members (one profile each) and the
    steps every scenario takes with them: log in, go available, click, wait,
    screenshot, and the post-mortem dump."""

    def __init__(self, moked: Moked, org: Org, results: Path):
        self.moked = moked
        self.org = org
        self.results = results
        self.browsers: dict = {}
        self.staff = moked.get_json("/locales/he/staff.json")
        self.steps_done: list[str] = []

    def step(self, name: str) -> None:
        self.steps_done.append(name)
        say(f"ok: {name}")

    def s(self, key: str, **vars) -> str:
        """A Hebrew staff string as the page shows it."""
        text = self.staff[key]
        for k, v in vars.items():
            text = text.replace("{" + k + "}", str(v))
        return text

    def open(self, sizes: dict) -> None:
        from concurrent.futures import ThreadPoolExecutor

        profiles = self.results / "profiles"
        with ThreadPoolExecutor(max_workers=len(sizes)) as pool:
            started = {who: pool.submit(new_browser, w, h, profiles, who) for who, (w, h) in sizes.items()}
            for who, future in started.items():
                self.browsers[who] = future.result()

    def close(self) -> None:
        for driver in self.browsers.values():
            try:
                driver.quit()
            except Exception:  # a dead browser must not hide the test's own error
                pass
        shutil.rmtree(self.results / "profiles", ignore_errors=True)

    def shot(self, who: str, name: str) -> Path:
        path = self.results / f"{name}.png"
        driver = self.browsers[who]
        # Notices fade after 5 s; a picture of the page is clearer without them.
        driver.execute_script("document.querySelectorAll('.toast').forEach(t => t.remove())")
        driver.save_screenshot(str(path))
        return path

    def find(self, who: str, what: str, css: str, timeout: float = WAIT_S):
        from selenium.webdriver.common.by import By

        from selenium.common.exceptions import StaleElementReferenceException

        def visible(d):
            try:
                found = [e for e in d.find_elements(By.CSS_SELECTOR, css) if e.is_displayed()]
            except StaleElementReferenceException:  # redrawn meanwhile: look again
                return False
            return found[0] if found else False

        return wait(self.browsers[who], f"{who}: {what} ({css})", visible, timeout)

    def click(self, who: str, what: str, css: str) -> None:
        """Clicks `css` once it is shown; again if the page redrew it meanwhile."""
        from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
        from selenium.webdriver.common.by import By

        def attempt(d):
            try:
                shown = [e for e in d.find_elements(By.CSS_SELECTOR, css) if e.is_displayed()]
                if not shown:
                    return False
                shown[0].click()
                return True
            except (StaleElementReferenceException, NoSuchElementException):
                return False

        wait(self.browsers[who], f"{who}: {what} ({css})", attempt)

    def text_of(self, who: str, css: str) -> list[str]:
        """The text of every element matching `css`, read in one script (a redraw
        between finding and reading cannot make an element stale)."""
        return self.browsers[who].execute_script(
            "return [...document.querySelectorAll(arguments[0])].map(e => e.textContent);", css
        )

    def no_alert(self, who: str) -> None:
        from selenium.common.exceptions import NoAlertPresentException

        try:
            text = self.browsers[who].switch_to.alert.text
        except NoAlertPresentException:
            return
        raise E2EFailure(f"{who}: a JavaScript alert opened ({text!r}): user text ran as HTML")

    def login(self, who: str, person: Person) -> None:
        from selenium.webdriver.common.by import By

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

    def go_available(self, who: str) -> None:
        from selenium.webdriver.support.ui import Select

        select = self.find(who, "the status selector", "#presence")
        Select(select).select_by_value("available")

        def server_has_it(d):
            desk = d.execute_async_script(
                "const done = arguments[0];"
                "fetch('/api/v1/agent/desk', {credentials: 'same-origin'})"
                ".then(r => r.json()).then(done, e => done({error: String(e)}));"
            )
            presence = desk.get("presence") if isinstance(desk, dict) else None
            if isinstance(presence, dict):
                presence = presence.get("state")
            return presence in ("available", "offered", "busy")

        wait(self.browsers[who], f"{who}: GET /agent/desk says available", server_has_it)

    def dump(self) -> None:
        """Every window's state, for the post-mortem."""
        for who, driver in self.browsers.items():
            base = self.results / f"fail-{who}"
            try:
                driver.save_screenshot(str(base) + ".png")
                Path(str(base) + ".html").write_text(driver.page_source, encoding="utf-8")
                logs = driver.get_log("browser")
                Path(str(base) + "-console.txt").write_text(
                    "\n".join(f"{e['level']} {e['message']}" for e in logs), encoding="utf-8"
                )
                say(f"{who} was at {driver.current_url}; dumped to {base}.*")
            except Exception as error:
                first = (str(error).splitlines() or [""])[0][:160]
                say(f"{who}: could not dump the window ({error.__class__.__name__}: {first})")
