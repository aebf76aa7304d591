#!/usr/bin/env python3
"""The Moked side of bench/sip_load.sh, through the HTTP API only.

  setup      a voice queue at sip:billing@…, N agents with SIP accounts,
             each logged in (its session saved for `presence`)
  presence   every saved agent available, not ready or offline
  waiting    calls waiting in the queue now (GET /wallboard, supervisor token)
  account    every call of one caller number from the store
             (GET /customers/{id}/interactions): served, abandoned, stuck

Standard library only; the bench runs it with python3.
"""

import argparse
import concurrent.futures
import http.cookies
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

QUEUE_ADDRESS = "billing"
QUEUE_NAME = "חיובים"
# Logins and user creations hash with argon2: more threads only queue on
# the server's two cores.
THREADS = 4


class ApiError(Exception):
    pass


def call(url, method, path, token=None, body=None, session=None):
    """One API request; the JSON answer (None when empty)."""
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    if session:
        headers["cookie"] = f"moked_session={session['cookie']}"
        headers["x-csrf-token"] = session["csrf"]
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{url}/api/v1{path}", data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            text = response.read()
            cookie = response.headers.get("set-cookie")
    except urllib.error.HTTPError as error:
        raise ApiError(f"{method} {path}: {error.code} {error.read().decode(errors='replace')}") from None
    answer = json.loads(text) if text else None
    return answer, cookie


def login(url, org, username, password):
    session, cookie = call(url, "POST", "/login", body={"org": org, "login": username, "password": password})
    jar = http.cookies.SimpleCookie(cookie)
    return {"cookie": jar["moked_session"].value, "csrf": session["csrf_token"]}


def make_agent(args, number):
    """Agent number `number`: a user, its SIP account (username 1000+n), its session."""
    username = f"agent{number:05}"
    sip = str(1000 + number)
    user, _ = call(args.url, "POST", "/users", args.token, {
        "login": username,
        "display_name": f"נציג {number}",
        "role": "agent",
        "password": args.password,
    })
    call(args.url, "PUT", f"/sip/accounts/{user['id']}", args.token,
         {"username": sip, "password": args.sip_password})
    return sip, login(args.url, args.org, username, args.password)


def setup(args):
    queue, _ = call(args.url, "POST", "/queues", args.token, {
        "name": QUEUE_NAME,
        "channel": "voice",
        "service_level_seconds": 20,
        # The shortest wrap-up (a second) and a ring long enough for a
        # loaded phone: agents come back as soon as the center allows.
        "wrap_up_seconds": 1,
        "offer_timeout_seconds": 10,
    })
    call(args.url, "PUT", f"/sip/routes/{QUEUE_ADDRESS}", args.token, {"queue": queue["id"]})
    with concurrent.futures.ThreadPoolExecutor(THREADS) as pool:
        agents = list(pool.map(lambda n: make_agent(args, n), range(1, args.agents + 1)))
    with open(args.accounts, "w") as out:
        out.write("SEQUENTIAL\n")
        # The digest answer as sipp's keyword: register.xml sends the field.
        out.writelines(f"{sip};[authentication username={sip} password={args.sip_password}]\n"
                       for sip, _ in agents)
    with open(args.callees, "w") as out:
        out.write("SEQUENTIAL\n")
        out.writelines(f"{sip}\n" for sip, _ in agents)
    with open(args.sessions, "w") as out:
        json.dump({"url": args.url, "sessions": [session for _, session in agents]}, out)
    print(f"queue {queue['id']} at sip:{QUEUE_ADDRESS}@…, {len(agents)} agents")


def presence(args):
    saved = json.load(open(args.sessions))
    body = {"state": args.state}
    if args.state == "not_ready":
        body["reason"] = "break"

    def put(session):
        call(saved["url"], "PUT", "/agent/presence", body=body, session=session)

    with concurrent.futures.ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(put, saved["sessions"]))


def waiting(args):
    board, _ = call(args.url, "GET", "/wallboard", args.token)
    queue = next(q for q in board["queues"] if q["name"] == QUEUE_NAME)
    print(json.dumps({key: queue[key] for key in ("waiting", "longest_wait_s", "offered", "answered", "abandoned")}))


def account(args):
    """Counts the calls of every customer with the number (one, unless
    concurrent first calls created twins: reported as `customers`)."""
    query = urllib.parse.quote(args.number)
    customers, _ = call(args.url, "GET", f"/customers?q={query}&limit=500", args.token)
    if not customers:
        raise ApiError("no customer has the caller's number")
    served = abandoned = stuck = total = 0
    for customer in customers:
        calls, _ = call(args.url, "GET", f"/customers/{customer['id']}/interactions", args.token)
        total += len(calls)
        for interaction in calls:
            steps = {entry["step"]["kind"] for entry in interaction["timeline"]}
            if interaction["ended_at"] is None or "ended" not in steps:
                stuck += 1
            elif "accepted" in steps:
                served += 1
            else:
                abandoned += 1
    print(json.dumps({"customers": len(customers), "calls": total, "served": served,
                      "abandoned": abandoned, "stuck": stuck}))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("setup")
    for flag in ("--url", "--token", "--org", "--password", "--sip-password", "--accounts", "--callees", "--sessions"):
        p.add_argument(flag, required=True)
    p.add_argument("--agents", type=int, required=True)
    p = commands.add_parser("presence")
    p.add_argument("--sessions", required=True)
    p.add_argument("state", choices=["available", "not_ready", "offline"])
    p = commands.add_parser("waiting")
    p.add_argument("--url", required=True)
    p.add_argument("--token", required=True)
    p = commands.add_parser("account")
    p.add_argument("--url", required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--number", required=True)
    args = parser.parse_args()
    try:
        {"setup": setup, "presence": presence, "waiting": waiting, "account": account}[args.command](args)
    except ApiError as error:
        sys.exit(f"moked_api: {error}")


if __name__ == "__main__":
    main()
