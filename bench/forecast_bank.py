#!/usr/bin/env python3
"""Forecasting on bank_calls.csv, Moked side by side with an independent peer.

The peer is plain Python (standard library only, so it runs without
bench/.venv): it recomputes the README's baselines and the day-total x
profile method under the same protocol, so Moked's figures are checked by a
second implementation, and it times both. Then it measures the coverage of
Moked's 80% prediction intervals end to end: for each of the last 40 weekdays,
`moked forecast` on the history up to the day before, and the share of that
day's half-hours whose actual count falls inside [low, high].

Protocol: 5-minute counts summed into half-hours 07:00-21:00 (the 21:00
half-hour holds a single five-minute count and is left out), 28 half-hours a
day; test days = the last 40 weekdays in the file (2003-08-28 to 2003-10-24);
origin at the end of the previous day in the file; MAPE = mean over all
(test day, half-hour) pairs of |actual - forecast| / actual, in percent.

Usage: python3 bench/forecast_bank.py [path/to/moked]   (default target/release/moked)
"""

import csv
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "..", "shared", "data", "bank_calls.csv")
MOKED = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target", "release", "moked")
TEST_DAYS = 40
SLOTS = 28


def load():
    rows = list(csv.DictReader(open(DATA)))
    days = defaultdict(lambda: [0] * SLOTS)
    for row in rows:
        start = datetime.datetime.fromisoformat(row["DateTime"].rstrip("Z"))
        slot = (start.hour * 60 + start.minute - 7 * 60) // 30
        if 0 <= slot < SLOTS:
            days[start.date()][slot] += int(row["Calls"])
        else:
            days[start.date()]  # the 21:00 half-hour is incomplete: left out
    dates = sorted(days)
    return rows, dates, [days[d] for d in dates]


def mape(pairs):
    return 100 * sum(abs(a - f) / a for a, f in pairs if a > 0) / sum(1 for a, _ in pairs if a > 0)


def same_weekday(dates, index, count):
    return [j for j in range(index - 1, -1, -1) if dates[j].weekday() == dates[index].weekday()][:count]


def peer_day_total_profile(dates, counts, index):
    """Weekday-adjusted day totals smoothed exponentially (alpha on a 0.05 grid, fitted
    on relative one-step errors), times the mean share of each half-hour over the
    last 12 same weekdays; weekday factors over the last 56 calendar days."""
    totals = [sum(day) for day in counts[:index]]
    last = dates[index - 1]
    window = [j for j in range(index) if (last - dates[j]).days < 56]
    window_mean = sum(totals[j] for j in window) / len(window)
    ratios = defaultdict(list)
    for j in window:
        ratios[dates[j].weekday()].append(totals[j] / window_mean)
    factor = {w: sum(v) / len(v) for w, v in ratios.items()}
    adjusted = [totals[j] / factor.get(dates[j].weekday(), 1.0) for j in range(index)]

    def smooth(alpha):
        level, error = None, 0.0
        for value in adjusted:
            if level is not None:
                error += ((value - level) / level) ** 2
            level = value if level is None else alpha * value + (1 - alpha) * level
        return level, error

    alpha = min((smooth(step / 20)[1], step / 20) for step in range(1, 20))[1]
    total = smooth(alpha)[0] * factor.get(dates[index].weekday(), 1.0)
    profile_days = same_weekday(dates, index, 12)
    return [total * sum(counts[j][s] / sum(counts[j]) for j in profile_days) / len(profile_days) for s in range(SLOTS)]


def peer(dates, counts):
    methods = {
        "previous day": lambda i: counts[i - 1],
        "same weekday last week (seasonal-naive)": lambda i: counts[same_weekday(dates, i, 1)[0]],
        "mean of 8 same weekdays (weekday-average)": lambda i: [
            sum(counts[j][s] for j in same_weekday(dates, i, 8)) / len(same_weekday(dates, i, 8)) for s in range(SLOTS)
        ],
        "day-total-profile": lambda i: peer_day_total_profile(dates, counts, i),
    }
    test = range(len(dates) - TEST_DAYS, len(dates))
    return {
        name: mape([(counts[i][s], f[s]) for i in test for f in [method(i)] for s in range(SLOTS)])
        for name, method in methods.items()
    }


def coverage(rows, dates, counts):
    """End-to-end: moked forecast on each truncated history, auto method, one day ahead."""
    inside = total = 0
    pairs = []
    prefix = {}
    for number, row in enumerate(rows):
        prefix.setdefault(row["DateTime"][:10], number)
    with tempfile.TemporaryDirectory() as directory:
        for index in range(len(dates) - TEST_DAYS, len(dates)):
            path = os.path.join(directory, "history.csv")
            with open(path, "w", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(["rownames", "DateTime", "Calls"])
                for row in rows[: prefix[dates[index].isoformat()]]:
                    writer.writerow([row["rownames"], row["DateTime"], row["Calls"]])
            horizon = (dates[index] - dates[index - 1]).days
            output = subprocess.run(
                [MOKED, "forecast", "--history", path, "--interval", "30m", "--horizon", f"{horizon}d", "--json"],
                check=True, capture_output=True, text=True,
            )
            forecast = [r for r in json.loads(output.stdout) if r["start"].startswith(dates[index].isoformat())]
            for slot, interval in enumerate(forecast):
                actual = counts[index][slot]
                inside += interval["low"] <= actual <= interval["high"]
                total += 1
                pairs.append((actual, interval["arrivals"]))
    return 100 * inside / total, mape(pairs), total


def main():
    rows, dates, counts = load()
    started = time.perf_counter()
    report = json.loads(subprocess.run(
        [MOKED, "forecast", "--history", DATA, "--interval", "30m", "--evaluate-last", f"{TEST_DAYS}d", "--json"],
        check=True, capture_output=True, text=True,
    ).stdout)
    moked_seconds = time.perf_counter() - started
    started = time.perf_counter()
    peer_scores = peer(dates, counts)
    peer_seconds = time.perf_counter() - started
    print(f"test days {dates[-TEST_DAYS]} to {dates[-1]}, {SLOTS} half-hours a day, one day ahead")
    print(f"{'method':<44} {'Moked MAPE %':>12} {'peer MAPE %':>12}")
    moked_by_name = {score["method"]: score["mape"] for score in report["scores"]}
    for name, value in peer_scores.items():
        moked_name = name.split("(")[-1].rstrip(")") if "(" in name else name
        moked_value = moked_by_name.get(moked_name)
        shown = f"{moked_value:12.2f}" if moked_value is not None else f"{'-':>12}"
        print(f"{name:<44} {shown} {value:12.2f}")
    for name in ("holt-winters", "auto"):
        print(f"{name:<44} {moked_by_name[name]:12.2f} {'-':>12}")
    print(f"time: Moked {moked_seconds:.2f} s (whole process: 4 methods + auto at 80 origins, 80 Holt-Winters fits); "
          f"peer {peer_seconds:.2f} s (4 simple methods at 40 origins, no Holt-Winters); "
          f"ratio peer/Moked {peer_seconds / moked_seconds:.2f}x - not like for like")
    covered, end_to_end_mape, intervals = coverage(rows, dates, counts)
    print(f"end to end (moked forecast --method auto on each truncated history): MAPE {end_to_end_mape:.2f}% "
          f"over {intervals} half-hours; 80% interval coverage {covered:.1f}%")


if __name__ == "__main__":
    main()
