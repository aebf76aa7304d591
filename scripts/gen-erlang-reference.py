#!/usr/bin/env python3
"""Generates the high-precision reference tables of crates/moked-staffing/tests/data/.

Run with the Python of bench/setup-python (it has mpmath):
    $(bench/setup-python) scripts/gen-erlang-reference.py

erlang_bc_reference.csv: Erlang B and C over a grid of (A, n), 0.01 to 100,000 Erlangs,
computed at 60 significant digits from 1/B(n, A) = e^A A^(-n) Gamma(n+1, A) (upper incomplete
gamma), written with 25 significant digits.

erlang_a_reference.csv: Erlang A metrics computed by a method independent of the crate's closed
form: explicit sums over the states of the birth-death chain (truncated where the terms are below
1e-40 of the total), and, per state, the answered-within-t probability x/(x+k+1) * I_{1-u}(k+1, x+1).
"""
import csv
import math
import pathlib

import mpmath as mp

mp.mp.dps = 60
OUT = pathlib.Path(__file__).resolve().parent.parent / "crates/moked-staffing/tests/data"

LOADS = ["0.01", "0.05", "0.3", "1", "2.7", "7.5", "20", "55.5", "150", "420.25", "1000", "3300",
         "10000", "33333.3", "100000"]


def servers_for(load):
    a = float(load)
    root = math.sqrt(a)
    candidates = {1, 2, 3, 5, 8, 13, 21, math.floor(a), math.ceil(a), math.ceil(a) + 1}
    for k in (-4, -3, -2, -1, -0.5, 0.5, 1, 1.5, 2, 3, 4, 6, 9, 14):
        candidates.add(math.floor(a + k * root))
    return sorted(n for n in candidates if n >= 1)


def erlang_b(a, n):
    return a ** n * mp.exp(-a) / mp.gammainc(n + 1, a)


def write_bc():
    rows = []
    for load in LOADS:
        a = mp.mpf(load)
        for n in servers_for(load):
            b = erlang_b(a, n)
            if b < mp.mpf("1e-290"):
                continue
            c = n * b / (n - a * (1 - b)) if a < n else None
            rows.append((load, n, mp.nstr(b, 25), "" if c is None else mp.nstr(c, 25)))
    with open(OUT / "erlang_bc_reference.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["offered_erlangs", "servers", "erlang_b", "erlang_c"])
        writer.writerows(rows)
    return len(rows)


ERLANG_A_CASES = [
    # offered Erlangs, agents, abandonment rate theta (per AHT), threshold t (in AHTs)
    ("10", 14, "0.6", "0.1111111111111111111"),
    ("10", 12, "0.6", "0.1111111111111111111"),
    ("0.5", 1, "2", "0.5"),
    ("3.2", 2, "0.05", "1"),
    ("48", 45, "3", "0.2"),
    ("100", 92, "0.1", "0.05"),
    ("100", 110, "0.6", "0.25"),
    ("400", 380, "1.5", "0.02"),
    ("400", 420, "0.02", "0.1"),
]


def erlang_a(a, n, theta, t):
    a, theta, t = mp.mpf(a), mp.mpf(theta), mp.mpf(t)
    x, y = n / theta, a / theta
    idle = sum(a ** j / mp.factorial(j) for j in range(n)) / (a ** n / mp.factorial(n))
    terms, term, k = [], mp.mpf(1), 0
    while True:
        terms.append(term)
        k += 1
        term = term * y / (x + k)
        if k > y - x and term < mp.mpf("1e-40") * sum(terms[-50:]) and term < mp.mpf("1e-40"):
            break
    total = idle + sum(terms)
    p_wait = sum(terms) / total
    queue = sum(i * w for i, w in enumerate(terms)) / total
    p_abandon = queue / y
    p = 1 - mp.exp(-theta * t)
    within = idle
    answered_wait = mp.mpf(0)
    harmonic = mp.mpf(0)
    for i, w in enumerate(terms):
        share = x / (x + i + 1)
        harmonic += 1 / (x + 1 + i)
        if w > mp.mpf("1e-45") * total:
            within += w * share * mp.betainc(i + 1, x + 1, 0, p, regularized=True)
        answered_wait += w * share * harmonic
    asa = answered_wait / total / theta / (1 - p_abandon)
    return p_wait, p_abandon, within / total, asa


def write_a():
    with open(OUT / "erlang_a_reference.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["offered_erlangs", "agents", "abandonment", "threshold",
                         "p_wait", "p_abandon", "service_level", "asa"])
        for a, n, theta, t in ERLANG_A_CASES:
            values = erlang_a(a, n, theta, t)
            writer.writerow([a, n, theta, t] + [mp.nstr(v, 20) for v in values])
    return len(ERLANG_A_CASES)


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"erlang_bc_reference.csv: {write_bc()} rows")
    print(f"erlang_a_reference.csv: {write_a()} rows")
