#!/usr/bin/env bash
# The chat load benchmark: `moked serve` on SQLite, then on PostgreSQL, each
# loaded by `moked-loadgen` with CUSTOMERS customer chats (widget API +
# WebSocket) and AGENTS agents (desktop API + live WebSocket) on loopback;
# prints the figures side by side. Targets (issue 4): relay p99 <= 50 ms,
# contact-to-offer p99 <= 100 ms, no errors.
#
#   bench/chat_load.sh                      # 5,000 customers, 500 agents
#   CUSTOMERS=500 AGENTS=50 bench/chat_load.sh
#
# Knobs (environment): CUSTOMERS, AGENTS, RATE (chats opened per second),
# MESSAGES (round trips per chat), IDLE (seconds all customers stay idle
# before the memory reading), BACKENDS ("sqlite postgres").
#
# PostgreSQL comes from scripts/with-postgres (a throwaway cluster on
# loopback); the script re-runs itself under it when needed.
set -euo pipefail

CUSTOMERS="${CUSTOMERS:-5000}"
AGENTS="${AGENTS:-500}"
RATE="${RATE:-100}"
MESSAGES="${MESSAGES:-2}"
IDLE="${IDLE:-10}"
BACKENDS="${BACKENDS:-sqlite postgres}"

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

say() { printf 'chat_load: %s\n' "$*" >&2; }

# PostgreSQL wanted but not running: run this script again under with-postgres.
if [[ " $BACKENDS " == *" postgres "* && -z "${MOKED_TEST_POSTGRES_URL:-}" ]]; then
    exec scripts/with-postgres "$0" "$@"
fi

say "building release binaries"
cargo build --release -q -p moked -p moked-loadgen
MOKED="$ROOT/target/release/moked"
LOADGEN="$ROOT/target/release/moked-loadgen"

# Each customer and each agent holds a socket on both sides of loopback.
wanted_files=$(( (CUSTOMERS + AGENTS) * 2 + 1024 ))
hard_limit="$(ulimit -Hn)"
if [ "$hard_limit" != unlimited ] && [ "$hard_limit" -lt "$wanted_files" ]; then
    say "open-file hard limit $hard_limit is below the $wanted_files this run needs"
    exit 1
fi
ulimit -n "$wanted_files"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/moked-chat-load.XXXXXX")"
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The public endpoints' per-address limits would stop one load generator
# on one address: raise them for the benchmark.
cat >"$WORK/moked.toml" <<EOF
log = "warn"
[rate_limits]
login_per_minute = 100000
widget_chats_per_minute = 1000000
widget_messages_per_minute = 100000
EOF

# run_backend NAME [--database-url URL]: one server, one load run, JSON in $WORK/NAME.json.
run_backend() {
    local name="$1"
    shift
    local data="$WORK/data-$name"
    local port
    port="$(free_port)"
    local store_args=(--config "$WORK/moked.toml" --data "$data" "$@")
    mkdir -p "$data"
    "$MOKED" admin "${store_args[@]}" org add --slug load --name "עומס" >/dev/null
    local token
    token="$("$MOKED" admin "${store_args[@]}" token --org load --role admin --label chat-load)"
    "$MOKED" serve "${store_args[@]}" --listen "127.0.0.1:$port" >"$WORK/server-$name.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 100); do
        if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then
            break
        fi
        sleep 0.1
    done
    say "$name: $CUSTOMERS customers, $AGENTS agents, $RATE chats/s, server pid $SERVER_PID"
    # A failed run (deadline, server gone) prints its partial figures to
    # stderr; the other backend still runs.
    if ! "$LOADGEN" --url "http://127.0.0.1:$port" --org load --token "$token" \
        --customers "$CUSTOMERS" --agents "$AGENTS" --rate "$RATE" --messages "$MESSAGES" \
        --idle-seconds "$IDLE" --server-pid "$SERVER_PID" --json >"$WORK/$name.json"; then
        say "$name: the load run failed"
        rm -f "$WORK/$name.json"
    fi
    kill "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}

ran=()
for backend in $BACKENDS; do
    case "$backend" in
    sqlite) run_backend sqlite ;;
    postgres) run_backend postgres --database-url "$MOKED_TEST_POSTGRES_URL" ;;
    *)
        say "unknown backend $backend"
        exit 2
        ;;
    esac
    ran+=("$backend")
done

python3 - "$WORK" "${ran[@]}" <<'EOF'
import json, sys
work, names = sys.argv[1], sys.argv[2:]
import os
names = [name for name in names if os.path.exists(f"{work}/{name}.json")]
if not names:
    sys.exit("no load run finished")
runs = {name: json.load(open(f"{work}/{name}.json")) for name in names}
first = runs[names[0]]["setup"]
print(f"\n{first['customers']} customers, {first['agents']} agents (up to {first['agent_chat_capacity']} chats each), "
      f"{first['rate_per_second']:g} chats/s, {first['messages_per_chat']} round trips per chat")
print(f"{'':32}" + "".join(f"{name:>14}" for name in names))
rows = [
    ("contact to offer p50 ms", lambda r: r["contact_to_offer"]["p50_ms"]),
    ("contact to offer p99 ms", lambda r: r["contact_to_offer"]["p99_ms"]),
    ("relay customer→agent p50 ms", lambda r: r["relay_customer_to_agent"]["p50_ms"]),
    ("relay customer→agent p99 ms", lambda r: r["relay_customer_to_agent"]["p99_ms"]),
    ("relay agent→customer p50 ms", lambda r: r["relay_agent_to_customer"]["p50_ms"]),
    ("relay agent→customer p99 ms", lambda r: r["relay_agent_to_customer"]["p99_ms"]),
    ("round trip p99 ms", lambda r: r["round_trip"]["p99_ms"]),
    ("chat POST p99 ms", lambda r: r["chat_post"]["p99_ms"]),
    ("chats connected", lambda r: r["chats_connected"]),
    ("errors", lambda r: sum(r["errors"][k] for k in ("http", "websocket", "timeout", "protocol"))),
    ("RSS idle MiB", lambda r: (r["rss_idle_kib"] or 0) / 1024),
    ("KiB per idle connection", lambda r: (r["bytes_per_idle_connection"] or 0) / 1024),
]
for label, get in rows:
    cells = []
    for name in names:
        value = get(runs[name])
        cells.append(f"{value:>14.1f}" if isinstance(value, float) else f"{value:>14}")
    print(f"{label:32}" + "".join(cells))
for name in names:
    for message in runs[name]["errors"]["first_messages"]:
        print(f"  {name}: {message}")
targets = []
for name in names:
    r = runs[name]
    relay = max(r["relay_customer_to_agent"]["p99_ms"], r["relay_agent_to_customer"]["p99_ms"])
    errors = sum(r["errors"][k] for k in ("http", "websocket", "timeout", "protocol"))
    met = relay <= 50 and r["contact_to_offer"]["p99_ms"] <= 100 and errors == 0
    targets.append(f"{name}: {'met' if met else 'MISSED'}")
print("targets (relay p99 <= 50 ms, contact-to-offer p99 <= 100 ms, no errors): " + ", ".join(targets))
EOF
