#!/usr/bin/env python3
"""Real-process benchmarks of lockstep and failover, for `scripts/bench`.

Why this exists: the simulator checks lockstep in virtual time; this measures
it on the machine, beside the machine's own floor, in the same run. N real
`junction agent` processes (each with an injected clock drift) talk to real
`junction coordinator` processes through a relay in this script that drops
and delays datagrams (asymmetrically). Every agent records its head's changes
on CLOCK_MONOTONIC_RAW (`--output record`), which all processes share, so the
recordings merge into one timeline. In the same run N bare processes
(`JunctionBench sleeper`) sleep with clock_nanosleep(TIMER_ABSTIME) to shared
instants: their spread is what the scheduler alone costs.

  lockstep  [--agents 2,4,8] [--seconds S] [--warmup S] [--realtime]  skew of
            settled agents vs sleepers
  failover  [--mode kill|rolling] [--seconds S] [--every S] [--agents N]
  lateness  [--agents N] [--hogs H] [--seconds S]  light-change lateness under
            CPU load, agents without and (as root) with --realtime

Prints `row|area|measure|value|unit|goal|ok` lines that scripts/bench turns
into the table, and a human summary on stderr.
"""
import argparse
import heapq
import json
import os
import random
import re
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JUNCTION = os.environ.get("JUNCTION_BENCH_JUNCTION") or os.path.join(ROOT, ".build/release/junction")
# A label for the memory rows when JUNCTION is another build (e.g. static stdlib).
BUILD_LABEL = os.environ.get("JUNCTION_BENCH_LABEL", "")
BENCH = os.path.join(ROOT, ".build/release/JunctionBench")

# One group mirrored on every agent, US sequence, the shortest legal timings:
# green 3 s, amber 3 s, red 8 s; three changes every 14 s on every head.
PLAN = {
    "name": "bench", "description": "One group mirrored on every agent, for skew measurements.",
    "sequence": "us",
    "timing": {"amber": 3, "allRed": 1, "minGreen": 3},
    "minimums": {"amber": 3, "allRed": 1, "minGreen": 3},
    "groups": ["a", "b"], "conflicts": [["a", "b"]],
    "phases": [{"name": "a", "green": ["a"], "seconds": 3}, {"name": "b", "green": ["b"], "seconds": 3}],
    "junctions": [{"name": "main"}],
    "heads": [{"junction": "main", "group": "a"}],
    "scaling": "mirror", "flash": "red",
}
NEXT = {"red": "green", "green": "amber", "amber": "red"}
HOLD_S = {"green": 3.0, "amber": 3.0, "red": 8.0}


def row(area, measure, value, unit, goal="", ok=None):
    okText = "" if ok is None else ("yes" if ok else "NO")
    print(f"row|{area}|{measure}|{value}|{unit}|{goal}|{okText}", flush=True)


def log(text):
    print(text, file=sys.stderr, flush=True)


def percentile(values, p):
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, max(0, int(round(p * len(s) + 0.5)) - 1))]


class Relay(threading.Thread):
    """Forwards datagrams between agents and coordinators through one socket
    per (agent, coordinator slot), so the coordinator sees each agent at its
    own address; drops with `loss`, delays uniformly up to the given bounds."""

    # Kernel receive stamps (SOL_SOCKET, SO_TIMESTAMPNS: CLOCK_REALTIME).
    SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)
    # Wake this long before a datagram is due and spin the rest: this
    # machine's wake-up latency is 60-250 us, more than the delays' detail.
    SPIN_NS = 300_000

    def __init__(self, pairs, loss, out_max_s, back_max_s, seed):
        super().__init__(daemon=True)
        self.random = random.Random(seed)
        self.loss, self.out_max, self.back_max = loss, out_max_s, back_max_s
        self.sockets = {}
        for (relay_port, agent_port, coordinator_port) in pairs:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("127.0.0.1", relay_port))
            s.setblocking(False)
            s.setsockopt(socket.SOL_SOCKET, self.SO_TIMESTAMPNS, 1)
            self.sockets[s] = (("127.0.0.1", agent_port), ("127.0.0.1", coordinator_port))
        self.stop = False
        self.forwarded = self.dropped = 0
        # How late each datagram left against its arrival plus the delay
        # drawn for it: the relay's own noise, which the agents' clocks see
        # as path jitter on top of the drawn delays.
        self.lateness_ns = []

    def arrival_ns(self, ancillary):
        """The kernel's receive stamp on CLOCK_MONOTONIC, or now without one."""
        for level, kind, data in ancillary:
            if level == socket.SOL_SOCKET and kind == self.SO_TIMESTAMPNS and len(data) >= 16:
                sec, nsec = struct.unpack("qq", data[:16])
                realtime_minus_monotonic = time.clock_gettime_ns(time.CLOCK_REALTIME) - time.monotonic_ns()
                return sec * 1_000_000_000 + nsec - realtime_minus_monotonic
        return time.monotonic_ns()

    def run(self):
        # Why the relay is this careful: a datagram held from whenever the
        # relay happened to wake (60-250 us late here, varying) gets that
        # noise added to its delay, and each agent's clock tracks it (the
        # lockstep rows measured it as skew). Delays count from the kernel's
        # receive stamp, and the send spins the last stretch to its instant.
        try:
            import ctypes
            ctypes.CDLL(None, use_errno=True).prctl(29, 1, 0, 0, 0)  # PR_SET_TIMERSLACK, 1 ns
        except (OSError, AttributeError):
            pass
        queue, order = [], 0
        sockets = list(self.sockets)
        space = socket.CMSG_SPACE(16)
        while not self.stop:
            wait_ns = 50_000_000 if not queue else queue[0][0] - time.monotonic_ns() - self.SPIN_NS
            ready, _, _ = select.select(sockets, [], [], max(0, min(wait_ns, 50_000_000)) / 1e9)
            for s in ready:
                while True:
                    try:
                        data, ancillary, _, source = s.recvmsg(2048, space)
                    except BlockingIOError:
                        break
                    agent, coordinator = self.sockets[s]
                    if self.random.random() < self.loss:
                        self.dropped += 1
                        continue
                    to_agent = source == coordinator
                    delay = self.random.uniform(0, self.out_max if to_agent else self.back_max)
                    order += 1
                    heapq.heappush(queue, (self.arrival_ns(ancillary) + int(delay * 1e9), order, s, data,
                                           agent if to_agent else coordinator))
            # Spin to the instant of anything due within the spin stretch;
            # arrivals meanwhile wait in the kernel with their stamps.
            while queue and queue[0][0] - time.monotonic_ns() <= self.SPIN_NS:
                while time.monotonic_ns() < queue[0][0]:
                    pass
                due, _, s, data, destination = heapq.heappop(queue)
                try:
                    s.sendto(data, destination)
                    self.forwarded += 1
                    if len(self.lateness_ns) < 1_000_000:
                        self.lateness_ns.append(time.monotonic_ns() - due)
                except OSError:
                    pass


class Cluster:
    """N agents, coordinator slots, the relay between them, in a temp dir."""

    def __init__(self, n, slots, loss, out_ms, back_ms, drift_ppm, base_port, seed):
        # On tmpfs where there is one: each recorded change is an append
        # write(2) that stands in for a GPIO ioctl of a few microseconds; on
        # ext4 it costs 25-40 us of CPU at the very instant every agent on
        # these few cores changes, and the agents queue behind it.
        shm = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
        self.dir = tempfile.mkdtemp(prefix="junction-bench-", dir=shm)
        self.n, self.slots = n, slots
        self.key = os.path.join(self.dir, "key")
        with open(self.key, "wb") as f:
            f.write(os.urandom(32))
        self.plan = os.path.join(self.dir, "plan.json")
        with open(self.plan, "w") as f:
            json.dump(PLAN, f)
        self.coordinator_port = [base_port + k for k in range(slots)]
        self.agent_port = [base_port + 10 + i for i in range(n)]
        self.agent_http_port = [base_port + 60 + i for i in range(n)]
        self.relay_port = {(i, k): base_port + 100 + i * slots + k for i in range(n) for k in range(slots)}
        self.relay = Relay([(self.relay_port[(i, k)], self.agent_port[i], self.coordinator_port[k])
                            for i in range(n) for k in range(slots)], loss, out_ms / 1e3, back_ms / 1e3, seed)
        self.relay.start()
        self.coordinators = {}
        self.agents = []
        self.drifts = [drift_ppm * (1 if i % 2 == 0 else -1) * (1 - 0.3 * (i // 2) / max(n, 1)) for i in range(n)]
        self.records = [os.path.join(self.dir, f"agent{i}.jsonl") for i in range(n)]
        self.started_coordinators = 0

    def start_coordinator(self, k):
        args = [JUNCTION, "coordinator", "--plan", self.plan, "--port", str(self.coordinator_port[k]),
                "--listen", "127.0.0.1", "--key-file", self.key, "--http-port", "0", "--log-level", "warn"]
        for i in range(self.n):
            args += ["--agent", f"127.0.0.1:{self.relay_port[(i, k)]}"]
        self.started_coordinators += 1
        logf = open(os.path.join(self.dir, f"coordinator{self.started_coordinators}.log"), "w")
        self.coordinators[k] = subprocess.Popen(args, stdout=logf, stderr=subprocess.STDOUT)

    def start_agents(self, extra=()):
        for i in range(self.n):
            args = [JUNCTION, "agent", "--port", str(self.agent_port[i]), "--listen", "127.0.0.1",
                    "--ordinal", str(i), "--output", "record", "--record", self.records[i],
                    "--clock-drift-ppm", f"{self.drifts[i]:.1f}", "--key-file", self.key,
                    "--http-port", str(self.agent_http_port[i]), "--log-level", "info", *extra]
            for k in range(self.slots):
                args += ["--coordinator", f"127.0.0.1:{self.relay_port[(i, k)]}"]
            logf = open(os.path.join(self.dir, f"agent{i}.log"), "w")
            self.agents.append(subprocess.Popen(args, stdout=logf, stderr=subprocess.STDOUT))

    def agent_rss_kb(self):
        """Resident memory (VmRSS, kB) of each running agent, from /proc."""
        out = []
        for p in self.agents:
            try:
                with open(f"/proc/{p.pid}/status") as f:
                    for line in f:
                        if line.startswith("VmRSS:"):
                            out.append(int(line.split()[1]))
            except OSError:
                pass
        return out

    def agent_cpu_seconds(self):
        """utime + stime of each running agent, in seconds (USER_HZ 100)."""
        out = []
        for p in self.agents:
            try:
                with open(f"/proc/{p.pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                out.append((int(fields[11]) + int(fields[12])) / 100)
            except (OSError, IndexError, ValueError):
                pass
        return out

    def stop(self):
        for p in list(self.coordinators.values()) + self.agents:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in list(self.coordinators.values()) + self.agents:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
        self.relay.stop = True
        self.relay.join()
        for s in self.relay.sockets:
            s.close()

    def recorded(self):
        """(agent, line) for every readable line of every agent's recording."""
        for i, path in enumerate(self.records):
            if not os.path.exists(path):
                continue
            with open(path) as f:
                for line in f:
                    try:
                        yield i, json.loads(line)
                    except ValueError:
                        continue

    def changes(self):
        """(monotonic ns, agent, aspect) of every recorded change, sorted."""
        return sorted((int(r["t"]), i, r["aspect"]) for i, r in self.recorded())

    def placements(self):
        """{(monotonic ns, agent): the timebase ns the agent showed the change at}."""
        return {(int(r["t"]), i): int(r["tb"]) for i, r in self.recorded() if "tb" in r}


def split_skew(measured, placements):
    """Each change's skew in two parts (ns lists): how far apart the agents'
    clocks were (the spread of timebase minus CLOCK_MONOTONIC_RAW over the
    agents, each read as it changed), and how far apart they woke (the
    spread of the timebase instants they changed at). Heads agree when both
    are small; the skew is at most their sum."""
    clocks, wakes = [], []
    for c in measured:
        placed = [placements.get((t, a)) for t, a, _ in c]
        if None in placed:
            continue
        offsets = [tb - t for tb, (t, _, _) in zip(placed, c)]
        clocks.append(max(offsets) - min(offsets))
        wakes.append(max(placed) - min(placed))
    return clocks, wakes


def clusters(changes, window_ns=500_000_000):
    """Groups changes that belong to one plan instant (they are seconds apart)."""
    groups = []
    for c in changes:
        if groups and c[0] - groups[-1][0][0] < window_ns:
            groups[-1].append(c)
        else:
            groups.append([c])
    return groups


def start_sleepers(n, start_ns, period_ns, count, directory, realtime=False):
    """N bare sleepers; `realtime`: SCHED_FIFO at the agents' --realtime
    priority (the kernel gives real-time sleepers no timer slack)."""
    files = [os.path.join(directory, f"sleeper{i}.txt") for i in range(n)]
    prefix = ["chrt", "-f", "50"] if realtime else []
    procs = [subprocess.Popen([*prefix, BENCH, "sleeper", str(start_ns), str(period_ns), str(count), f]) for f in files]
    return procs, files


def sleeper_spreads(files):
    series = []
    for f in files:
        with open(f) as h:
            series.append([int(x) for x in h.read().split()])
    return [max(v) - min(v) for v in zip(*series)]


def run_cyclictest(seconds):
    """p50/p99/max wake-up latency of one SCHED_OTHER thread (us), or None."""
    if subprocess.run(["sh", "-c", "command -v cyclictest"], capture_output=True).returncode != 0:
        return None
    loops = int(seconds * 1000)
    # clock_nanosleep(TIMER_ABSTIME) is cyclictest's default; no -p: SCHED_OTHER, as the sleepers.
    r = subprocess.run(["cyclictest", "-t1", "-m", "-i", "1000", "-l", str(loops), "-q", "-h", "5000"],
                       capture_output=True, text=True)
    histogram = []
    for line in r.stdout.splitlines():
        m = re.match(r"^(\d+)\s+(\d+)\s*$", line)
        if m:
            histogram.append((int(m.group(1)), int(m.group(2))))
    overflows = re.search(r"# Histogram Overflows:\s*(\d+)", r.stdout)
    mx = re.search(r"# Max Latenc\w*:\s*(\d+)", r.stdout)
    maximum = int(mx.group(1)) if mx else (histogram[-1][0] if histogram else 0)
    total = sum(c for _, c in histogram) + (int(overflows.group(1)) if overflows else 0)
    if total == 0:
        return None
    def q(p):
        seen = 0
        for us, c in histogram:
            seen += c
            if seen >= p * total:
                return us
        return maximum  # beyond the 5 ms histogram
    return q(0.5), q(0.99), maximum


def lockstep(args):
    """Skew of settled agents against sleepers aimed at the same instants.

    `--realtime` (root): the agents run `--realtime` (SCHED_FIFO, which also
    waits out the last 300 us before a change awake) and the sleepers
    SCHED_FIFO at the same priority, so the floor is the same class's.
    """
    if args.realtime and os.geteuid() != 0:
        sys.exit("bench-cluster.py lockstep --realtime: SCHED_FIFO needs root; run it as root or without --realtime")
    ratios = []
    mode = " --realtime" if args.realtime else ""
    for n in [int(x) for x in args.agents.split(",")]:
        cluster = Cluster(n, 1, args.loss, args.out_ms, args.back_ms, args.drift_ppm, args.base_port, seed=n)
        try:
            cluster.start_coordinator(0)
            cluster.start_agents(["--realtime"] if args.realtime else ())
            warm = args.warmup
            start = time.clock_gettime_ns(time.CLOCK_MONOTONIC) + int(warm * 1e9)
            # The recordings' clock (CLOCK_MONOTONIC_RAW); the sleepers sleep on CLOCK_MONOTONIC.
            start_raw = time.clock_gettime_ns(time.CLOCK_MONOTONIC_RAW) + int(warm * 1e9)
            count = int((args.seconds - warm) * 10)
            sleepers, files = start_sleepers(n, start, 100_000_000, count, cluster.dir, args.realtime)
            cyclic = None
            if n == max(int(x) for x in args.agents.split(",")) and not args.no_cyclictest:
                time.sleep(warm)
                cyclic = run_cyclictest(args.seconds - warm - 1)
            for p in sleepers:
                p.wait()
            rss = cluster.agent_rss_kb()
            cpu = cluster.agent_cpu_seconds()
        finally:
            # Changes from here on are the agents stopping (a green left
            # through amber on SIGTERM), not lockstep.
            stop_raw = time.clock_gettime_ns(time.CLOCK_MONOTONIC_RAW)
            cluster.stop()
        if rss:
            row("memory", f"agent resident memory (VmRSS){BUILD_LABEL}, max of {len(rss)} after {args.seconds:.0f} s",
                f"{max(rss) / 1024:.1f}", "MB", "<= 10 MB", max(rss) <= 10 * 1024)
        if cpu:
            row("memory", f"agent CPU, mean of {len(cpu)} over {args.seconds:.0f} s", f"{sum(cpu) / len(cpu) / args.seconds * 100:.2f}", "% of a core")
        floor = sleeper_spreads(files)
        # Only the changes before the agents were told to stop.
        measured = [c for c in clusters([c for c in cluster.changes() if start_raw <= c[0] < stop_raw])
                    if len({a for _, a, _ in c}) == n and len(c) == n]
        spreads = [max(t for t, _, _ in c) - min(t for t, _, _ in c) for c in measured]
        if not spreads:
            row("lockstep", f"{n} agents{mode}: skew", "nan", "us", "", False)
            log(f"lockstep {n}: no change seen by every agent; logs in {cluster.dir}")
            continue
        a50, a99, amax = (percentile(spreads, p) / 1e3 for p in (0.5, 0.99, 1.0))
        f50, f99, fmax = (percentile(floor, p) / 1e3 for p in (0.5, 0.99, 1.0))
        ratio = a99 / f99 if f99 > 0 else float("inf")
        ratios.append(ratio)
        row("lockstep", f"{n} agents{mode}: skew p50/p99/max ({len(spreads)} changes)", f"{a50:.0f}/{a99:.0f}/{amax:.0f}", "us")
        row("lockstep", f"{n} sleepers{mode and ' SCHED_FIFO'}: spread p50/p99/max ({len(floor)} wakes)", f"{f50:.0f}/{f99:.0f}/{fmax:.0f}", "us")
        row("lockstep", f"{n} agents{mode}: p99 skew / p99 floor", f"{ratio:.2f}", "x", "<= 1.5", ratio <= 1.5)
        clocks, wakes = split_skew(measured, cluster.placements())
        if clocks:
            row("lockstep", f"{n} agents{mode}: of which clocks apart p50/p99/max", "/".join(f"{percentile(clocks, p) / 1e3:.0f}" for p in (0.5, 0.99, 1.0)), "us")
            row("lockstep", f"{n} agents{mode}: of which woke apart p50/p99/max", "/".join(f"{percentile(wakes, p) / 1e3:.0f}" for p in (0.5, 0.99, 1.0)), "us")
        if cyclic:
            row("lockstep", "cyclictest 1 thread latency p50/p99/max", f"{cyclic[0]}/{cyclic[1]}/{cyclic[2]}", "us")
        elif n == max(int(x) for x in args.agents.split(",")) and not args.no_cyclictest:
            row("lockstep", "cyclictest", "skipped", "", "rt-tests not installed")
        late = cluster.relay.lateness_ns
        if late:
            row("lockstep", f"{n} agents{mode}: relay lateness p50/p99/max ({len(late)} datagrams)",
                f"{percentile(late, 0.5) / 1e3:.0f}/{percentile(late, 0.99) / 1e3:.0f}/{max(late) / 1e3:.0f}", "us")
        log(f"lockstep {n}: relay forwarded {cluster.relay.forwarded}, dropped {cluster.relay.dropped}; logs in {cluster.dir}")


def score(changes, n, events):
    """Holds the recorded changes against the plan's schedule.

    The plan repeats every 14 s: green at 0, amber at 3, red at 6. The
    schedule is anchored on the first green seen by most agents and then
    followed instant by instant; `shift` tracks where the lights actually
    are, so a step of the timebase shows as a jump of `shift` (the largest
    jump is the largest timebase step seen at the lights). Every agent should
    change to the scheduled aspect within 300 ms of each instant: each one
    that does not is a missed transition; every recorded change that matches
    no instant (a flash, an early or late change) is an extra one.
    Returns (missed, extra, largest skew within 15 s after an event, largest step).
    """
    offsets = {"green": 0, "amber": 3_000_000_000, "red": 6_000_000_000}
    cycle = 14_000_000_000
    window = 300_000_000
    greens = [c for c in changes if c[2] == "green"]
    if not greens or not changes:
        return n, len(changes), 0, 0
    anchor = clusters(greens)[0][0][0]
    shift = 0
    used = set()
    missed = worst_recovery = worst_step = 0
    k = 0
    last_t = changes[-1][0]
    while True:
        for aspect in ("green", "amber", "red"):
            expected = anchor + k * cycle + offsets[aspect] + shift
            if expected > last_t + window:
                extra = len(changes) - len(used)
                return missed, extra, worst_recovery, worst_step
            matched = [(j, c) for j, c in enumerate(changes)
                       if j not in used and c[2] == aspect and abs(c[0] - expected) <= window]
            agents = {}
            for j, c in matched:
                agents.setdefault(c[1], (j, c))
            missed += n - len(agents)
            for j, c in agents.values():
                used.add(j)
            if agents:
                times = sorted(c[0] for _, c in agents.values())
                new_shift = shift + times[len(times) // 2] - expected
                worst_step = max(worst_step, abs(new_shift - shift))
                shift = new_shift
                if len(times) > 1 and any(0 <= times[0] - e <= 15_000_000_000 for e in events):
                    worst_recovery = max(worst_recovery, times[-1] - times[0])
        k += 1


def failover(args):
    n = args.agents_n
    slots = 2 if args.mode == "rolling" else 1
    cluster = Cluster(n, slots, args.loss, args.out_ms, args.back_ms, args.drift_ppm, args.base_port, seed=99)
    events = []
    steps = []
    try:
        cluster.start_coordinator(0)
        cluster.start_agents()
        begin = time.monotonic()
        begin_ns = time.clock_gettime_ns(time.CLOCK_MONOTONIC_RAW)
        active = 0
        next_event = begin + args.warmup + args.every
        while time.monotonic() - begin < args.seconds:
            time.sleep(max(0, min(next_event, begin + args.seconds) - time.monotonic()))
            if time.monotonic() - begin >= args.seconds:
                break
            now_ns = time.clock_gettime_ns(time.CLOCK_MONOTONIC_RAW)
            events.append(now_ns)
            if args.mode == "kill":
                cluster.coordinators[0].send_signal(signal.SIGKILL)
                cluster.coordinators[0].wait()
                time.sleep(args.down)
                cluster.start_coordinator(0)
            else:
                other = 1 - active
                cluster.start_coordinator(other)
                time.sleep(2)
                cluster.coordinators[active].send_signal(signal.SIGTERM)
                cluster.coordinators[active].wait()
                active = other
            next_event += args.every
        end_ns = time.clock_gettime_ns(time.CLOCK_MONOTONIC_RAW)
    finally:
        cluster.stop()
    start = begin_ns + int(args.warmup * 1e9)
    changes = [c for c in cluster.changes() if start <= c[0] < end_ns]
    missed, extra, worst_recovery, worst_step = score(changes, n, events)
    label = "SIGKILL" if args.mode == "kill" else "rolling update"
    minutes = args.seconds / 60
    row("failover", f"{label} every {args.every:.0f} s, {minutes:.1f} min, {n} agents: restarts", len(events), "")
    row("failover", f"{label}: missed transitions", missed, "", "0", missed == 0)
    row("failover", f"{label}: extra transitions", extra, "", "0", extra == 0)
    row("failover", f"{label}: largest skew within 15 s of a restart", f"{worst_recovery / 1e3:.0f}", "us", "<= 1000", worst_recovery <= 1_000_000)
    row("failover", f"{label}: largest timebase step seen at the lights", f"{worst_step / 1e3:.0f}", "us")
    log(f"failover {args.mode}: {len(changes)} changes, relay forwarded {cluster.relay.forwarded}, dropped {cluster.relay.dropped}; logs in {cluster.dir}")


def agent_metric(port, name, stat):
    """One gauge from an agent's /metrics (nan if unreachable)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as c:
            c.sendall(b"GET /metrics HTTP/1.0\r\nHost: x\r\n\r\n")
            body = b""
            while chunk := c.recv(65536):
                body += chunk
    except OSError:
        return float("nan")
    m = re.search(rf'^{name}\{{stat="{stat}"\}} (\S+)$', body.decode(errors="replace"), re.M)
    return float(m.group(1)) if m else float("nan")


def lateness(args):
    """Light-change lateness with the machine's cores kept busy.

    `--hogs` busy loops at normal priority compete with the agents (a node
    whose other pods burn CPU). Each agent's `junction_transition_lateness_seconds`
    is read after the write to the lamp (here the recording), so a timing
    thread preempted between deciding a change and driving the lamp counts;
    it covers the agent's whole life (lock included), the skew only the
    changes made while the busy loops ran.
    The same run without and (root only) with `--realtime`.
    """
    modes = [("default scheduling", [])]
    if os.geteuid() == 0:
        modes.append(("--realtime", ["--realtime"]))
    else:
        log("lateness: not root, so --realtime (SCHED_FIFO, mlockall) is not measured")
    for label, extra in modes:
        cluster = Cluster(args.agents_n, 1, 0.0, 1, 1, 100, args.base_port, seed=7)
        hogs = []
        try:
            cluster.start_coordinator(0)
            cluster.start_agents(extra)
            time.sleep(args.warmup)
            hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.hogs)]
            start_raw = time.clock_gettime_ns(time.CLOCK_MONOTONIC_RAW)
            time.sleep(args.seconds)
            end_raw = time.clock_gettime_ns(time.CLOCK_MONOTONIC_RAW)
            worst = [agent_metric(p, "junction_transition_lateness_seconds", "max") for p in cluster.agent_http_port]
            mean = [agent_metric(p, "junction_transition_lateness_seconds", "mean") for p in cluster.agent_http_port]
        finally:
            for h in hogs:
                h.kill()
                h.wait()
            cluster.stop()
        # The changes under load only: not the start, not the stop's amber.
        measured = [c for c in clusters([c for c in cluster.changes() if start_raw <= c[0] < end_raw])
                    if len({a for _, a, _ in c}) == cluster.n and len(c) == cluster.n]
        spreads = [max(t for t, _, _ in c) - min(t for t, _, _ in c) for c in measured]
        n, h = args.agents_n, args.hogs
        row("lateness", f"{n} agents beside {h} busy loops, {label}: lateness of light changes, worst agent's max",
            f"{max(worst) * 1e6:.0f}", "us")
        row("lateness", f"{n} agents beside {h} busy loops, {label}: mean over agents of their mean",
            f"{sum(mean) / len(mean) * 1e6:.0f}", "us")
        if spreads:
            row("lateness", f"{n} agents beside {h} busy loops, {label}: skew p99/max ({len(spreads)} changes)",
                f"{percentile(spreads, 0.99) / 1e3:.0f}/{max(spreads) / 1e3:.0f}", "us")
        log(f"lateness {label}: logs in {cluster.dir}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    for name in ["lockstep", "failover", "lateness"]:
        s = sub.add_parser(name)
        s.add_argument("--loss", type=float, default=0.3)
        s.add_argument("--out-ms", type=float, default=10, help="uniform delay bound towards agents")
        s.add_argument("--back-ms", type=float, default=1, help="uniform delay bound towards coordinators")
        s.add_argument("--drift-ppm", type=float, default=450)
        s.add_argument("--base-port", type=int, default=38000)
        # Lockstep is measured settled: the frequency regression sharpens
        # over the first minute, and the offset's envelope reaches further
        # back as it does (start-up has its own row: start to locked).
        s.add_argument("--warmup", type=float, default=60 if name == "lockstep" else 15)
    sub.choices["lockstep"].add_argument("--agents", default="2,4,8")
    sub.choices["lockstep"].add_argument("--seconds", type=float, default=240)
    sub.choices["lockstep"].add_argument("--no-cyclictest", action="store_true")
    sub.choices["lockstep"].add_argument("--realtime", action="store_true",
                                         help="agents --realtime, sleepers SCHED_FIFO (root)")
    f = sub.choices["failover"]
    f.add_argument("--mode", choices=["kill", "rolling"], default="kill")
    f.add_argument("--agents", dest="agents_n", type=int, default=4)
    f.add_argument("--seconds", type=float, default=600)
    f.add_argument("--every", type=float, default=30)
    f.add_argument("--down", type=float, default=1, help="seconds between SIGKILL and the restart")
    t = sub.choices["lateness"]
    t.add_argument("--agents", dest="agents_n", type=int, default=4)
    t.add_argument("--hogs", type=int, default=2 * (os.cpu_count() or 2))
    t.add_argument("--seconds", type=float, default=60)
    args = p.parse_args()
    for path in (JUNCTION, BENCH):
        if not os.access(path, os.X_OK):
            sys.exit(f"missing {path}: run `swift build -c release` first (scripts/bench does)")
    {"lockstep": lockstep, "failover": failover, "lateness": lateness}[args.command](args)


if __name__ == "__main__":
    main()
