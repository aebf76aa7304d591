#!/usr/bin/env bash
# The SIP load benchmark (issue 6), on loopback, UDP:
#
# 1. Moked (`moked serve`, release, fresh SQLite) with a voice queue at
#    sip:billing@…, AGENTS agents logged in and available, their phones
#    registered with digest authentication and played by one sipp (every
#    account registers that sipp's address; it rings 100 ms and answers).
#    One sipp caller steps up the call rate (RATES, STEP_SECONDS each):
#    100, 182 Queued, 180, 200, ACK, HOLD_MS of talk, BYE. Per step: calls
#    attempted and failed, p50/p99 INVITE→182 and 182→180 (sipp response
#    times). The ladder stops at the first step that is not clean: a
#    failed call (the caller's or a phone's, counted once the phones have
#    no call left), p99 INVITE→182 over MAX_P99_MS, or sipp achieving
#    under 90% of the offered rate (the server slowed the caller down).
# 2. kamailio (Debian package) as a plain stateful relay (tm t_relay,
#    record_route, registrar + usrloc in memory; bench/sip/kamailio.cfg):
#    the same phones register to it, the same caller dials them in turn
#    (no 182: a relay has no queue), same ladder. Prints Moked/kamailio of
#    the highest clean rates (target >= 0.5).
# 3. WAITING calls in the queue at once (no agent available): SERVED of
#    them wait for an answer, the others CANCEL after everyone has been
#    queued; the wallboard (supervisor token) must show WAITING waiting,
#    then SERVED after the cancels; the agents come back and serve the
#    rest; the store (GET /customers/{id}/interactions of the caller)
#    must hold every call once: served + abandoned = WAITING, none stuck.
#    (Moked takes at most 10,000 calls in progress: WAITING above that
#    gets 503s.)
#
#   bench/sip_load.sh
#   RATES="50 100" STEP_SECONDS=5 AGENTS=100 WAITING=1000 SERVED=100 bench/sip_load.sh
#
# Knobs (environment): RATES, MAX_P99_MS, STEP_SECONDS, AGENTS, HOLD_MS, WAITING,
# SERVED, WAIT_RATE (calls/s opening the waiting calls), PARTS ("ladder
# waiting"), PERF=1 (perf record of Moked during its ladder, report in the
# work folder), KEEP=1 (keep the work folder with every log), MOKED_BIN
# (a release `moked` built elsewhere, e.g. in a worktree: no build here).
set -euo pipefail

RATES="${RATES:-10 20 30 40 50 75 100 150 200 300 400 600 800 1000 1500 2000}"
# A rung is clean with no failed call and p99 INVITE→182 (kamailio: →180)
# within this bound: a server that only buffers the load is not keeping up.
MAX_P99_MS="${MAX_P99_MS:-1000}"
STEP_SECONDS="${STEP_SECONDS:-10}"
# Each call holds an agent for the ring, the talk and the shortest wrap-up
# (1 s), about 1.8 s in all: 2,000 agents take about 1,100 calls/s. With
# fewer, the ladder measures the agents, not the server (1,000 agents:
# calls wait for an agent from about 550 calls/s on).
AGENTS="${AGENTS:-2000}"
HOLD_MS="${HOLD_MS:-500}"
WAITING="${WAITING:-10000}"
SERVED="${SERVED:-1000}"
WAIT_RATE="${WAIT_RATE:-250}"
PARTS="${PARTS:-ladder waiting}"
PERF="${PERF:-0}"
KEEP="${KEEP:-0}"

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
SIP="$ROOT/bench/sip"
API="$SIP/moked_api.py"
SUMMARY="$SIP/summary.py"
# The caller numbers: one for the ladder, one whose calls are counted in part 3.
LADDER_CALLER=0521234567
WAITING_CALLER=0529876543
CALLER_NAME="משה לוי"

say() { printf 'sip_load: %s\n' "$*" >&2; }

if [ "$SERVED" -gt "$WAITING" ]; then
    say "SERVED ($SERVED) cannot exceed WAITING ($WAITING)"
    exit 2
fi

scripts/install-packages kamailio sip-tester
MOKED="${MOKED_BIN:-$ROOT/target/release/moked}"
if [ -z "${MOKED_BIN:-}" ]; then
    say "building the release binary"
    cargo build --release -q -p moked
fi

# sipp holds every waiting call in one process; Moked one task per call.
hard_limit="$(ulimit -Hn)"
if [ "$hard_limit" = unlimited ] || [ "$hard_limit" -gt 65536 ]; then
    hard_limit=65536
fi
ulimit -n "$hard_limit"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/moked-sip-load.XXXXXX")"
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    if [ "$KEEP" = 1 ]; then
        say "work folder kept: $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT

# A port free for UDP and TCP on loopback (SIP listens on both).
free_port() {
    python3 -c '
import socket, sys
for _ in range(100):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
    port = u.getsockname()[1]
    t = socket.socket()
    try:
        t.bind(("127.0.0.1", port)); print(port); break
    except OSError:
        pass
else:
    sys.exit("no port free for both UDP and TCP")'
}

# sipp ARGS...: a bounded sipp run in the current folder, quiet, UDP.
sipp_run() {
    sipp -i 127.0.0.1 -mp "$(free_port)" -nostdin -buff_size 4194304 "$@" >sipp.out 2>&1
}

say "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -n "${MOKED_BIN:-}" ]; then
    say "moked: $MOKED_BIN (built elsewhere); bench at commit $(git rev-parse --short HEAD)"
else
    say "commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- crates || echo ' (+ uncommitted changes)')"
fi

# ---- Moked ----
HTTP_PORT="$(free_port)"
MOKED_SIP_PORT="$(free_port)"
URL="http://127.0.0.1:$HTTP_PORT"
cat >"$WORK/moked.toml" <<EOF
log = "warn"
[rate_limits]
login_per_minute = 1000000
EOF
store_args=(--config "$WORK/moked.toml" --data "$WORK/data")
mkdir -p "$WORK/data"
"$MOKED" admin "${store_args[@]}" org add --slug sipload --name "מוקד עומס" >/dev/null
ADMIN_TOKEN="$("$MOKED" admin "${store_args[@]}" token --org sipload --role admin --label sip-load)"
SUPERVISOR_TOKEN="$("$MOKED" admin "${store_args[@]}" token --org sipload --role supervisor --label sip-load-wallboard)"
# One caller address sends every call: lift the per-source flood limit.
"$MOKED" serve "${store_args[@]}" --sip-requests-per-second 10000000 \
    --listen "127.0.0.1:$HTTP_PORT" --sip-listen "127.0.0.1:$MOKED_SIP_PORT" >"$WORK/moked.log" 2>&1 &
MOKED_PID=$!
PIDS+=("$MOKED_PID")
for _ in $(seq 1 100); do
    curl -fsS "$URL/healthz" >/dev/null 2>&1 && break
    sleep 0.1
done
say "moked pid $MOKED_PID, HTTP $HTTP_PORT, SIP $MOKED_SIP_PORT; creating $AGENTS agents (argon2: takes a while)"
python3 "$API" setup --url "$URL" --token "$ADMIN_TOKEN" --org sipload --agents "$AGENTS" \
    --password "load-password-1" --sip-password "phone-password-1" \
    --accounts "$WORK/accounts.csv" --callees "$WORK/callees.csv" --sessions "$WORK/sessions.json" >&2
printf 'SEQUENTIAL\nbilling\n' >"$WORK/queue.csv"

# ---- kamailio ----
KAM_PORT="$(free_port)"
mkdir -p "$WORK/kamailio"
kamailio -f "$SIP/kamailio.cfg" -l "udp:127.0.0.1:$KAM_PORT" -DD -E -m 256 -M 32 \
    -Y "$WORK/kamailio" -P "$WORK/kamailio/pid" >"$WORK/kamailio.log" 2>&1 &
PIDS+=("$!")

# ---- the agents' phones: one sipp answering for every account, per target ----
start_phones() { # TARGET PORT
    local target="$1" port="$2"
    mkdir -p "$WORK/phones-$target"
    (cd "$WORK/phones-$target" && exec sipp -sf "$SIP/agent.xml" -i 127.0.0.1 -p "$port" \
        -mp "$(free_port)" -nostdin -buff_size 4194304 -trace_stat -stf stat.csv -fd 1 \
        >sipp.out 2>&1) &
    PIDS+=("$!")
}
register_phones() { # TARGET SIP_PORT PHONE_PORT
    local target="$1" server_port="$2" phone_port="$3"
    mkdir -p "$WORK/register-$target"
    if ! (cd "$WORK/register-$target" && sipp_run "127.0.0.1:$server_port" -sf "$SIP/register.xml" \
        -inf "$WORK/accounts.csv" -p "$(free_port)" -m "$AGENTS" -r 100 -l 200 \
        -key phone_port "$phone_port" -timeout 120s -timeout_error -recv_timeout 10s); then
        say "$target: the phones did not all register"
        tail -20 "$WORK/register-$target/sipp.out" >&2
        exit 1
    fi
}
MOKED_PHONES="$(free_port)"
KAM_PHONES="$(free_port)"
start_phones moked "$MOKED_PHONES"
start_phones kamailio "$KAM_PHONES"
sleep 0.5
register_phones moked "$MOKED_SIP_PORT" "$MOKED_PHONES"
register_phones kamailio "$KAM_PORT" "$KAM_PHONES"
python3 "$API" presence --sessions "$WORK/sessions.json" available
say "$AGENTS phones registered with Moked and kamailio, agents available"

# phones_failed TARGET: the phones' failed calls so far, once they have no
# call in progress (a phone fails a call up to 32 s after its last message,
# when its 200 is never acknowledged), waiting at most 40 s.
phones_failed() {
    local stat="$WORK/phones-$1/stat.csv" calls failed
    for _ in $(seq 1 40); do
        read -r calls failed < <(python3 "$SUMMARY" phones "$stat")
        [ "$calls" = 0 ] && break
        sleep 1
    done
    echo "$failed"
}

# step TARGET RATE SIP_PORT SCENARIO CALLEES: one rung of the ladder; appends its JSON line.
step() {
    local target="$1" rate="$2" port="$3" scenario="$4" callees="$5"
    local dir="$WORK/ladder/$target-$rate" calls limit phones_before
    calls=$((rate * STEP_SECONDS))
    phones_before="$(phones_failed "$target")"
    # Calls in progress at once: rate × (ring + hold + a margin), doubled.
    limit=$(((rate * (HOLD_MS + 2000) / 1000) * 2 + 50))
    mkdir -p "$dir"
    (cd "$dir" && sipp_run "127.0.0.1:$port" -sf "$SIP/$scenario" -inf "$callees" -p "$(free_port)" \
        -m "$calls" -r "$rate" -l "$limit" -d "$HOLD_MS" \
        -key caller_number "$LADDER_CALLER" -key caller_name "$CALLER_NAME" \
        -timeout "$((STEP_SECONDS + 60))s" -timeout_error -recv_timeout 10s \
        -trace_stat -stf stat.csv -fd 1 -trace_rtt -rtt_freq 1) || true
    python3 "$SUMMARY" step "$target" "$rate" "$dir/stat.csv" "$(ls "$dir"/*_rtt.csv 2>/dev/null | head -1)" \
        "$(($(phones_failed "$target") - phones_before))" | tee -a "$WORK/ladder.jsonl" >&2
    sleep 3
}

ladder() { # TARGET SIP_PORT SCENARIO CALLEES
    local target="$1" rate
    for rate in $RATES; do
        step "$target" "$rate" "$2" "$3" "$4"
        if ! tail -1 "$WORK/ladder.jsonl" | python3 "$SUMMARY" clean "$MAX_P99_MS"; then
            say "$target: not clean at $rate calls/s (failed calls or p99 over $MAX_P99_MS ms); the ladder stops here"
            return
        fi
    done
}

if [[ " $PARTS " == *" ladder "* ]]; then
    perf_pid=""
    if [ "$PERF" = 1 ] && command -v perf >/dev/null; then
        perf record -e cpu-clock -F 499 -g -p "$MOKED_PID" -o "$WORK/perf.data" >/dev/null 2>&1 &
        perf_pid=$!
    fi
    ladder moked "$MOKED_SIP_PORT" caller.xml "$WORK/queue.csv"
    if [ -n "$perf_pid" ]; then
        kill -INT "$perf_pid"
        wait "$perf_pid" || true
        perf report -i "$WORK/perf.data" --no-children --percent-limit 1.5 --stdio \
            >"$WORK/perf.txt" 2>/dev/null || true
        say "perf profile of Moked: $WORK/perf.txt"
    fi
    ladder kamailio "$KAM_PORT" relay.xml "$WORK/callees.csv"
fi

# ---- part 3: WAITING calls in the queue at once ----
# waiting_now: the queue's wallboard tile as JSON.
waiting_now() {
    python3 "$API" waiting --url "$URL" --token "$SUPERVISOR_TOKEN"
}
field() { python3 -c "import json,sys; print(json.load(sys.stdin)[\"$1\"])"; }

waiting_part() {
    local arrive_s=$((WAITING / WAIT_RATE + 1))
    local cancel_after_ms=$(((arrive_s + 30) * 1000))
    local patience_s=$((2 * arrive_s + 180))
    local abandoning=$((WAITING - SERVED))
    # Calls still lingering from the ladder count against the 10,000 in
    # progress (their transactions last 32 s): let them go.
    sleep 35
    python3 "$API" presence --sessions "$WORK/sessions.json" offline
    say "waiting: $WAITING calls at $WAIT_RATE/s, no agent available; $abandoning cancel after $((cancel_after_ms / 1000)) s"
    mkdir -p "$WORK/waiting-served" "$WORK/waiting-abandon"
    local start=$SECONDS
    (cd "$WORK/waiting-served" && sipp_run "127.0.0.1:$MOKED_SIP_PORT" -sf "$SIP/caller.xml" \
        -inf "$WORK/queue.csv" -p "$(free_port)" -m "$SERVED" -r "$WAIT_RATE" -l "$WAITING" -d "$HOLD_MS" \
        -key caller_number "$WAITING_CALLER" -key caller_name "$CALLER_NAME" \
        -timeout "$((patience_s + 60))s" -timeout_error -recv_timeout "${patience_s}s" \
        -trace_stat -stf stat.csv -fd 1 -trace_rtt -rtt_freq 1) &
    local served_pid=$!
    PIDS+=("$served_pid")
    sleep "$((SERVED / WAIT_RATE + 1))"
    (cd "$WORK/waiting-abandon" && sipp_run "127.0.0.1:$MOKED_SIP_PORT" -sf "$SIP/abandon.xml" \
        -inf "$WORK/queue.csv" -p "$(free_port)" -m "$abandoning" -r "$WAIT_RATE" -l "$WAITING" \
        -d "$cancel_after_ms" -key caller_number "$WAITING_CALLER" -key caller_name "$CALLER_NAME" \
        -timeout "$((patience_s + 60))s" -timeout_error -recv_timeout "${patience_s}s" \
        -trace_stat -stf stat.csv -fd 1 -trace_rtt -rtt_freq 1) &
    local abandon_pid=$!
    PIDS+=("$abandon_pid")
    local peak=0 now board
    while kill -0 "$abandon_pid" 2>/dev/null && [ $((SECONDS - start)) -lt "$patience_s" ]; do
        board="$(waiting_now)"
        now="$(field waiting <<<"$board")"
        if [ "$now" -gt "$peak" ]; then
            peak=$now
            [ "$peak" -eq "$WAITING" ] && say "wallboard: $board"
        fi
        sleep 2
    done
    wait "$abandon_pid" || say "waiting: some abandoning calls failed (see $WORK/waiting-abandon/sipp.out)"
    local after_cancel
    after_cancel="$(waiting_now)"
    say "after the cancels: $after_cancel"
    python3 "$API" presence --sessions "$WORK/sessions.json" available
    wait "$served_pid" || say "waiting: some served calls failed (see $WORK/waiting-served/sipp.out)"
    sleep 3
    local accounted
    accounted="$(python3 "$API" account --url "$URL" --token "$SUPERVISOR_TOKEN" --number "$WAITING_CALLER")"
    python3 - "$WORK" "$WAITING" "$SERVED" "$peak" "$after_cancel" "$accounted" "$(waiting_now)" <<'EOF'
import csv, json, os, sys
work, waiting, served, peak = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
after_cancel, accounted, end = (json.loads(a) for a in sys.argv[5:8])
def stats(name):
    rows = list(csv.reader(open(f"{work}/waiting-{name}/stat.csv"), delimiter=";"))
    row = dict(zip(rows[0], rows[-1]))
    return int(row["OutgoingCall(C)"]), int(row["SuccessfulCall(C)"]), int(row["FailedCall(C)"])
def p99(name):
    times = []
    for f in os.listdir(f"{work}/waiting-{name}"):
        if f.endswith("_rtt.csv"):
            for line in open(f"{work}/waiting-{name}/{f}"):
                parts = line.strip().split(";")
                if len(parts) == 3 and parts[2] == "1":
                    times.append(float(parts[1]))
    times.sort()
    return times[min(len(times) - 1, int(0.99 * len(times)))] if times else None
s_att, s_ok, s_fail = stats("served")
a_att, a_ok, a_fail = stats("abandon")
print(f"\n{waiting} calls waiting at once (UDP)")
print(f"  peak waiting on the wallboard        {peak}")
print(f"  waiting after {waiting - served} cancels           {after_cancel['waiting']}")
print(f"  callers served (sipp)                {s_ok} of {s_att}, failed {s_fail}; p99 INVITE→182 {p99('served')} ms")
print(f"  callers who abandoned (sipp)         {a_ok} of {a_att}, failed {a_fail}; p99 INVITE→182 {p99('abandon')} ms")
print(f"  store: calls {accounted['calls']} (customers {accounted['customers']}), served {accounted['served']}, "
      f"abandoned {accounted['abandoned']}, stuck {accounted['stuck']}")
print(f"  wallboard at the end: waiting {end['waiting']}, answered {end['answered']}, abandoned {end['abandoned']}")
met = (peak == waiting and after_cancel["waiting"] == served and s_fail == 0 and a_fail == 0
       and accounted["calls"] == waiting and accounted["served"] == served
       and accounted["abandoned"] == waiting - served and accounted["stuck"] == 0 and end["waiting"] == 0)
print(f"  target ({waiting} held, then served or abandoned without loss): {'met' if met else 'MISSED'}")
EOF
}

if [[ " $PARTS " == *" ladder "* ]]; then
    python3 "$SUMMARY" table "$WORK/ladder.jsonl" "$MAX_P99_MS"
    for target in moked kamailio; do
        echo "$target phones' failed calls in all: $(python3 "$SUMMARY" phones "$WORK/phones-$target/stat.csv" | cut -d' ' -f2)"
    done
fi
if [[ " $PARTS " == *" waiting "* ]]; then
    waiting_part
fi
say "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
