#!/usr/bin/env python3
"""Per-thread CPU of running processes, from /proc (no perf/pidstat needed).

  threadcpu.py snap PID... > before.json     # utime+stime of every thread now
  threadcpu.py diff before.json after.json SECONDS [LABEL=PID ...]
      prints, per process and thread name, the CPU seconds used between the two snapshots and that
      as a share of SECONDS of wall time (1.00 = one core busy all the time), and the CPU seconds of
      its busiest threads: is an event loop saturated?
"""
import json, os, sys
from collections import defaultdict

TICK = os.sysconf("SC_CLK_TCK")


def snap(pids):
    out = {}
    for pid in pids:
        try:
            tids = os.listdir(f"/proc/{pid}/task")
        except FileNotFoundError:
            continue
        for tid in tids:
            try:
                with open(f"/proc/{pid}/task/{tid}/stat") as f:
                    s = f.read()
            except FileNotFoundError:
                continue
            comm = s[s.index("(") + 1:s.rindex(")")]
            rest = s[s.rindex(")") + 2:].split()
            out[f"{pid}/{tid}"] = [comm, (int(rest[11]) + int(rest[12])) / TICK]
    return out


def diff(a, b, seconds, labels):
    per = defaultdict(float)
    for k, (comm, cpu) in b.items():
        used = cpu - a.get(k, [comm, 0.0])[1]
        if used > 0:
            pid = k.split("/")[0]
            # thread names such as "epollEventLoopGroup-3-1" are kept; JVM pools fold by their prefix
            name = comm.rstrip("0123456789#-") if comm.startswith(("C1 Comp", "C2 Comp", "GC Thr", "G1 ")) else comm
            per[(labels.get(pid, pid), name)] += used
    total = defaultdict(float)
    for (proc, _), used in per.items():
        total[proc] += used
    for proc in sorted(total, key=lambda p: -total[p]):
        print(f"  {proc:<10} {total[proc]:7.2f} CPU-s ({total[proc] / seconds:4.2f} cores)", end="")
        top = sorted(((u, n) for (p, n), u in per.items() if p == proc), reverse=True)[:5]
        print("; " + ", ".join(f"{n} {u:.2f}" for u, n in top if u >= 0.01 * total[proc]))


if __name__ == "__main__":
    if sys.argv[1] == "snap":
        json.dump(snap(sys.argv[2:]), sys.stdout)
    else:
        with open(sys.argv[2]) as f:
            a = json.load(f)
        with open(sys.argv[3]) as f:
            b = json.load(f)
        labels = {v: k for k, v in (x.split("=", 1) for x in sys.argv[5:])}
        diff(a, b, float(sys.argv[4]), labels)
