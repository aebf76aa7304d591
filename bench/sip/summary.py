#!/usr/bin/env python3
"""Figures of bench/sip_load.sh from sipp's own files.

  step TARGET RATE STAT_CSV RTT_CSV PHONES_FAILED
                                       one step of the call-rate ladder as a
                                       JSON line: calls attempted, passed,
                                       failed, response-time percentiles,
                                       and the agents' phones' failed calls
  phones STAT_CSV                      the phones' sipp now: "CALLS FAILED",
                                       calls in progress and failed so far
  clean MAX_P99_MS < STEP_JSON         exit 0 when the step had no failed
                                       call (caller's or phones'), its p99
                                       INVITE→182 (relay: →180) was within
                                       MAX_P99_MS, and sipp achieved at
                                       least 90% of the offered rate
  table RESULTS_JSONL MAX_P99_MS       the ladder of each target side by
                                       side, the highest clean rate, and
                                       Moked/kamailio

STAT_CSV comes from sipp -trace_stat (its last line holds the cumulative
counters), RTT_CSV from -trace_rtt -rtt_freq 1 (one line per measured
response time: date_ms;response_time_ms;rtd_no). sipp measures in whole
milliseconds, so "0" means under one.
"""

import csv
import json
import sys

TARGET_RATIO = 0.5
# sipp's achieved rate counts the last calls' length too (about 94% of the
# offered rate in a 10 s step): below this share the server slowed the
# caller down and did not carry the offered rate.
MIN_ACHIEVED = 0.9


def last_stats(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))
    header, last = rows[0], rows[-1]
    return dict(zip(header, last))


def percentile(values, share):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def response_times(path):
    """Response times in ms by timer number."""
    times = {}
    try:
        with open(path) as f:
            for line in f:
                parts = line.strip().split(";")
                if len(parts) == 3 and parts[2].isdigit():
                    times.setdefault(parts[2], []).append(float(parts[1]))
    except FileNotFoundError:
        pass
    return times


def step(target, rate, stat_path, rtt_path, phones_failed):
    stats = last_stats(stat_path)
    times = response_times(rtt_path)
    result = {
        "target": target,
        "rate": float(rate),
        "attempted": int(stats["OutgoingCall(C)"]),
        "passed": int(stats["SuccessfulCall(C)"]),
        "failed": int(stats["FailedCall(C)"]),
        "achieved_rate": float(stats["CallRate(C)"]),
        "phones_failed": int(phones_failed),
    }
    for timer, values in sorted(times.items()):
        result[f"rtd{timer}_p50_ms"] = percentile(values, 0.50)
        result[f"rtd{timer}_p99_ms"] = percentile(values, 0.99)
        result[f"rtd{timer}_max_ms"] = max(values)
    print(json.dumps(result))


def fmt(value):
    if value is None:
        return "-"
    return f"{value:g}" if isinstance(value, float) else str(value)


def is_clean(s, max_p99_ms):
    p99 = s.get("rtd1_p99_ms")
    return (s["failed"] == 0 and s.get("phones_failed", 0) == 0 and s["attempted"] > 0
            and s["passed"] == s["attempted"] and p99 is not None and p99 <= max_p99_ms
            and s["achieved_rate"] >= MIN_ACHIEVED * s["rate"])


def table(path, max_p99_ms):
    with open(path) as f:
        steps = [json.loads(line) for line in f if line.strip()]
    best = {}
    for target in dict.fromkeys(s["target"] for s in steps):
        rows = [s for s in steps if s["target"] == target]
        print(f"\n{target}")
        print(f"{'calls/s':>8} {'achieved':>8} {'attempted':>10} {'failed':>7} {'phones':>7} {'p50 ms':>7} "
              f"{'p99 ms':>7} {'max ms':>7} {'p99 ring ms':>11}")
        for s in rows:
            print(f"{fmt(s['rate']):>8} {s['achieved_rate']:>8.0f} {s['attempted']:>10} {s['failed']:>7} "
                  f"{s.get('phones_failed', 0):>7} "
                  f"{fmt(s.get('rtd1_p50_ms')):>7} {fmt(s.get('rtd1_p99_ms')):>7} "
                  f"{fmt(s.get('rtd1_max_ms')):>7} {fmt(s.get('rtd2_p99_ms')):>11}")
        clean = [s["rate"] for s in rows if is_clean(s, max_p99_ms)]
        best[target] = max(clean) if clean else 0.0
        print(f"highest clean rate (no failed call on either side, p99 <= {max_p99_ms:g} ms, "
              f">= {MIN_ACHIEVED:.0%} achieved): {fmt(best[target])} calls/s")
    if best.get("kamailio"):
        ratio = best.get("moked", 0.0) / best["kamailio"]
        verdict = "met" if ratio >= TARGET_RATIO else "MISSED"
        print(f"\nmoked / kamailio: {ratio:.2f} (target >= {TARGET_RATIO}): {verdict}")


def phones(stat_path):
    try:
        stats = last_stats(stat_path)
    except (FileNotFoundError, IndexError):
        print("0 0")
        return
    print(f'{stats.get("CurrentCall", "0")} {stats.get("FailedCall(C)", "0")}')


def main():
    if len(sys.argv) == 7 and sys.argv[1] == "step":
        step(*sys.argv[2:])
    elif len(sys.argv) == 3 and sys.argv[1] == "phones":
        phones(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == "clean":
        sys.exit(0 if is_clean(json.loads(sys.stdin.read()), float(sys.argv[2])) else 1)
    elif len(sys.argv) == 4 and sys.argv[1] == "table":
        table(sys.argv[2], float(sys.argv[3]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
