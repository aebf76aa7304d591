"""Moked's simulator against simpy 4.1.2 and ciw 3.2.7 on the issue's M/M/14+M model.

200 calls an hour, exponential handle time of mean 180 s, exponential patience
of mean 300 s, 14 agents, 20 s service-level threshold, 1 h warmup. Each tool
simulates the same model in this one run; the script prints simulated
customers per second, the results next to the exact Erlang A values, and
Moked's speed ratios. Run it through bench/sim_vs_python.sh, which builds
Moked and provides the Python peers.

Usage: sim_vs_python.py MOKED_THROUGHPUT_BINARY [--moked-hours H] [--simpy-hours H] [--ciw-hours H]
"""

import argparse
import json
import math
import random
import subprocess
import time

import ciw
import simpy

ARRIVAL_RATE = 200 / 3600  # per second
MEAN_HANDLE = 180.0
MEAN_PATIENCE = 300.0
AGENTS = 14
THRESHOLD = 20.0
WARMUP = 3600.0


def erlang_a_exact():
    """P(wait), service level and P(abandon) of M/M/n+M from its birth-death chain."""
    weights = [1.0]
    for k in range(1, 4000):
        departures = min(k, AGENTS) / MEAN_HANDLE + max(k - AGENTS, 0) / MEAN_PATIENCE
        weights.append(weights[-1] * ARRIVAL_RATE / departures)
    total = sum(weights)
    probabilities = [w / total for w in weights]
    p_wait = sum(probabilities[AGENTS:])
    queue_length = sum((k - AGENTS) * p for k, p in enumerate(probabilities) if k >= AGENTS)
    p_abandon = queue_length / MEAN_PATIENCE / ARRIVAL_RATE
    # A caller finding j others waiting is answered once j + 1 departures from
    # the busy state happen; each happens at rate n·mu + (waiting)·theta.
    # P(answered within t) is summed over j by numerical convolution.
    service_level = sum(probabilities[:AGENTS]) + sum(
        probabilities[AGENTS + j] * answered_within(j, THRESHOLD) for j in range(0, 400)
    )
    return p_wait, service_level, p_abandon


def answered_within(ahead, threshold, steps=4000):
    """P(a caller with `ahead` callers before it is answered by `threshold`), by a small Markov chain."""
    dt = threshold / steps
    mu_all = AGENTS / MEAN_HANDLE
    theta = 1 / MEAN_PATIENCE
    # state: callers still ahead (ahead..0); absorbing: answered, abandoned
    state = [0.0] * (ahead + 1)
    state[ahead] = 1.0
    answered = 0.0
    for _ in range(steps):
        new = [0.0] * (ahead + 1)
        for j, mass in enumerate(state):
            if mass == 0.0:
                continue
            leave_ahead = (mu_all + j * theta) * dt
            own_abandon = theta * dt
            if j == 0:
                answered += mass * mu_all * dt
            else:
                new[j - 1] += mass * leave_ahead
            stay = mass * (1 - leave_ahead - own_abandon) if j > 0 else mass * (1 - mu_all * dt - own_abandon)
            new[j] += stay
        state = new
    return answered


def run_moked(binary, hours, replications):
    output = subprocess.run([binary, str(hours), str(replications)], capture_output=True, text=True, check=True)
    figures = json.loads(output.stdout)
    run_moked.half_widths = figures["half_widths"]
    return figures["customers"], figures["seconds"], figures["p_wait"], figures["service_level"], figures["p_abandon"]


def run_simpy(hours, seed=1):
    rng = random.Random(seed)
    env = simpy.Environment()
    agents = simpy.Resource(env, capacity=AGENTS)
    end = hours * 3600.0
    counts = {"customers": 0, "offered": 0, "delayed": 0, "in_time": 0, "abandoned": 0}

    def caller(arrival):
        counted = arrival >= WARMUP
        request = agents.request()
        patience = env.timeout(rng.expovariate(1 / MEAN_PATIENCE))
        immediate = request.triggered
        result = yield request | patience
        if request in result:
            wait = env.now - arrival
            if counted:
                counts["delayed"] += not immediate
                counts["in_time"] += wait <= THRESHOLD
            yield env.timeout(rng.expovariate(1 / MEAN_HANDLE))
            agents.release(request)
        else:
            request.cancel()
            if counted:
                counts["delayed"] += 1
                counts["abandoned"] += 1

    def arrivals():
        while True:
            yield env.timeout(rng.expovariate(ARRIVAL_RATE))
            if env.now >= end:
                return
            counts["customers"] += 1
            counts["offered"] += env.now >= WARMUP
            env.process(caller(env.now))

    env.process(arrivals())
    started = time.perf_counter()
    env.run()
    seconds = time.perf_counter() - started
    offered = counts["offered"]
    return (
        counts["customers"],
        seconds,
        counts["delayed"] / offered,
        counts["in_time"] / offered,
        counts["abandoned"] / offered,
    )


def run_ciw(hours, seed=1):
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=ARRIVAL_RATE)],
        service_distributions=[ciw.dists.Exponential(rate=1 / MEAN_HANDLE)],
        number_of_servers=[AGENTS],
        reneging_time_distributions=[ciw.dists.Exponential(rate=1 / MEAN_PATIENCE)],
    )
    ciw.seed(seed)
    end = hours * 3600.0
    started = time.perf_counter()
    simulation = ciw.Simulation(network)
    # Run past the end so callers who arrived before it are resolved; only those are counted.
    simulation.simulate_until_max_time(end + 4 * 3600.0)
    seconds = time.perf_counter() - started
    records = simulation.get_all_records()
    counted = [r for r in records if WARMUP <= r.arrival_date < end]
    served = [r for r in counted if r.record_type == "service"]
    reneged = [r for r in counted if r.record_type == "renege"]
    offered = len(served) + len(reneged)
    return (
        len(records),
        seconds,
        (sum(r.waiting_time > 0 for r in served) + len(reneged)) / offered,
        sum(r.waiting_time <= THRESHOLD for r in served) / offered,
        len(reneged) / offered,
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("moked")
    parser.add_argument("--moked-hours", type=int, default=500)
    parser.add_argument("--moked-replications", type=int, default=20)
    parser.add_argument("--simpy-hours", type=int, default=1000)
    parser.add_argument("--ciw-hours", type=int, default=400)
    args = parser.parse_args()

    exact = erlang_a_exact()
    rows = [
        ("moked", run_moked(args.moked, args.moked_hours, args.moked_replications)),
        ("simpy 4.1.2", run_simpy(args.simpy_hours)),
        ("ciw 3.2.7", run_ciw(args.ciw_hours)),
    ]
    print("M/M/14+M: 200 calls/h, handle 180 s, patience 300 s, threshold 20 s (one thread each)\n")
    print(f"{'tool':<12} {'customers':>10} {'seconds':>8} {'customers/s':>12} {'p_wait':>9} {'SL':>9} {'p_abandon':>10}")
    print(f"{'exact':<12} {'':>10} {'':>8} {'':>12} {exact[0]:>9.6f} {exact[1]:>9.6f} {exact[2]:>10.6f}")
    speeds = {}
    for name, (customers, seconds, p_wait, service_level, p_abandon) in rows:
        speeds[name] = customers / seconds
        print(
            f"{name:<12} {customers:>10} {seconds:>8.2f} {speeds[name]:>12.0f} "
            f"{p_wait:>9.6f} {service_level:>9.6f} {p_abandon:>10.6f}"
        )
    moked = speeds["moked"]
    covered = [
        abs(value - reference) <= width
        for value, reference, width in zip(rows[0][1][2:], exact, run_moked.half_widths)
    ]
    print(
        "moked 95% half-widths over replications:",
        ", ".join(f"{w:.6f}" for w in run_moked.half_widths),
        "- cover the exact values:" , ", ".join("yes" if c else "no" for c in covered),
    )
    print()
    print(f"moked / simpy: {moked / speeds['simpy 4.1.2']:.1f}x (target >= 10x)")
    print(f"moked / ciw:   {moked / speeds['ciw 3.2.7']:.1f}x (target >= 20x)")
    for name, figures in rows:
        gap = max(abs(value - reference) / reference for value, reference in zip(figures[2:], exact))
        print(f"{name}: largest relative gap to the exact values {gap:.1%} ({figures[0]} customers)")


if __name__ == "__main__":
    main()
