#!/usr/bin/env python3
"""Turns the JMH JSON of the envelope benchmarks into the markdown for docs/benchmarks.md.

Usage: python3 benchmarks/envelope-report.py RESULT.json [RESULT2.json ...]

Prints: the machine (nproc, CPU model, load average, JDK from the JMH result), one table per
operation (round trips, seals, opens per second) with the ratios, and the issue's targets
with PASS/MISS; the compact encoding is impl "shulian", the framed encoding impl "framed", and
the 70%-of-primitives targets are judged for both. Several JSON files are merged (later files win), so a partial rerun can
replace some rows.
"""
import json
import math
import os
import platform
import subprocess
import sys

SUITES = ["INTL", "INTL_P256", "GM"]
SIZES = [1024, 65536, 1048576]
SUITE_LABEL = {
    "INTL": "INTL (Ed25519, X25519, AES-256-GCM)",
    "INTL_P256": "INTL P-256 (ES256, ECDH-ES P-256, AES-256-GCM)",
    "GM": "GM (SM2-SM3, SM2 encryption, SM4-GCM)",
}
OPS = [("roundTrip", "Round trips per second"), ("seal", "Seals per second"), ("open", "Opens per second")]


def size_label(n):
    return f"{n // 1048576} MiB" if n >= 1048576 else f"{n // 1024} KiB"


def load(paths):
    scores, meta = {}, {}
    for p in paths:
        with open(p) as f:
            for r in json.load(f):
                op = r["benchmark"].rsplit(".", 1)[1]
                prm = r.get("params", {})
                key = (op, prm["suite"], int(prm["size"]), prm["impl"])
                m = r["primaryMetric"]
                if m.get("scoreUnit") != "ops/s":
                    sys.exit(f"{r['benchmark']}: expected ops/s, got {m.get('scoreUnit')}")
                scores[key] = (m["score"], m.get("scoreError"))
                for k in ("jdkVersion", "vmName", "vmVersion", "jvmArgs", "jmhVersion", "forks",
                          "warmupIterations", "warmupTime", "measurementIterations", "measurementTime"):
                    if k in r:
                        meta[k] = r[k]
    return scores, meta


def cpu_model():
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                return line.split(":", 1)[1].strip()
    except (OSError, subprocess.CalledProcessError):
        pass
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def fmt(v):
    if v is None:
        return "—"
    score, err = v
    s = f"{score:,.0f}" if score >= 100 else f"{score:,.1f}"
    try:
        err = float(err)  # JMH writes "NaN" when there are too few iterations for an error
    except (TypeError, ValueError):
        err = None
    if err is not None and not math.isnan(err) and score > 0:
        s += f" ± {100 * err / score:.0f}%"
    return s


def ratio(a, b):
    if a is None or b is None or b[0] == 0:
        return None
    return a[0] / b[0]


def fr(x, digits=2):
    return "—" if x is None else f"{x:.{digits}f}×"


def main(paths):
    scores, meta = load(paths)
    get = lambda op, suite, size, impl: scores.get((op, suite, size, impl))
    out = []
    w = out.append
    w("### Machine")
    w("")
    w(f"- nproc: {os.cpu_count()} (`nproc`: "
      f"{subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip() or '?'})")
    w(f"- CPU: {cpu_model()}")
    w(f"- load average when this report was made (1, 5, 15 min): "
      f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    w(f"- JDK: {meta.get('jdkVersion', '?')}, {meta.get('vmName', '?')} {meta.get('vmVersion', '?')}")
    w(f"- JMH {meta.get('jmhVersion', '?')}: forks {meta.get('forks', '?')}, warmup "
      f"{meta.get('warmupIterations', '?')} × {meta.get('warmupTime', '?')}, measurement "
      f"{meta.get('measurementIterations', '?')} × {meta.get('measurementTime', '?')}, "
      f"JVM args {' '.join(meta.get('jvmArgs', []))}")
    w("")
    for op, title in OPS:
        if not any(k[0] == op for k in scores):
            continue
        w(f"### {title} (higher is better; ± is the 99.9% confidence half-width)")
        w("")
        w("| suite | payload | shulian | framed | nimbus, same algorithms | nimbus ES256 + ECDH-ES P-256 "
          "| primitives | shulian / primitives | framed / primitives | shulian / nimbus same "
          "| shulian / nimbus ES256 |")
        w("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
        for suite in SUITES:
            for size in SIZES:
                sh = get(op, suite, size, "shulian")
                fm = get(op, suite, size, "framed")
                pr = get(op, suite, size, "primitives")
                same = get(op, suite, size, "nimbus") if suite != "GM" else None
                es256 = get(op, "INTL_P256", size, "nimbus") if suite != "GM" else None
                if sh is None and fm is None and pr is None and same is None:
                    continue
                w(f"| {suite} | {size_label(size)} | {fmt(sh)} | {fmt(fm)} | "
                  f"{'n/a (no SM algorithms)' if suite == 'GM' else fmt(same)} | "
                  f"{'n/a' if suite == 'GM' else fmt(es256)} | {fmt(pr)} | "
                  f"{fr(ratio(sh, pr))} | {fr(ratio(fm, pr))} | {fr(ratio(sh, same))} | "
                  f"{fr(ratio(sh, es256), 1)} |")
        w("")

    w("### Targets (round trips, ratios within this run)")
    w("")
    w("| target | measured | verdict |")
    w("|---|--:|---|")

    def target(name, value, ok, digits=2):
        if value is None:
            w(f"| {name} | not measured | — |")
        else:
            w(f"| {name} | {value:.{digits}f} | {'PASS' if ok(value) else 'MISS'} |")

    rt = lambda suite, size, impl: get("roundTrip", suite, size, impl)
    target("INTL 1 KiB: shulian / nimbus ES256 + ECDH-ES P-256 ≥ 10",
           ratio(rt("INTL", 1024, "shulian"), rt("INTL_P256", 1024, "nimbus")), lambda v: v >= 10, 1)
    target("INTL 1 KiB: shulian / nimbus EdDSA + X25519 (same algorithms) ≥ 1.3",
           ratio(rt("INTL", 1024, "shulian"), rt("INTL", 1024, "nimbus")), lambda v: v >= 1.3)
    target("INTL P-256 1 KiB: shulian / nimbus ES256 (same algorithms) ≥ 1.3",
           ratio(rt("INTL_P256", 1024, "shulian"), rt("INTL_P256", 1024, "nimbus")), lambda v: v >= 1.3)
    for suite in SUITES:
        for size in (1024, 1048576):
            target(f"{suite} {size_label(size)}: shulian / primitives ≥ 0.70",
                   ratio(rt(suite, size, "shulian"), rt(suite, size, "primitives")), lambda v: v >= 0.70)
            # The framed encoding, judged against the same target (it exists for large payloads).
            target(f"{suite} {size_label(size)}: framed / primitives ≥ 0.70",
                   ratio(rt(suite, size, "framed"), rt(suite, size, "primitives")), lambda v: v >= 0.70)
    # Cost is time per round trip, the inverse of throughput: GM cost / INTL cost = INTL rate / GM rate.
    target("1 KiB: GM cost / INTL cost (shulian) ≤ 2",
           ratio(rt("INTL", 1024, "shulian"), rt("GM", 1024, "shulian")), lambda v: v <= 2)
    target("1 KiB: GM cost / INTL cost (primitives, for reference) ≤ 2",
           ratio(rt("INTL", 1024, "primitives"), rt("GM", 1024, "primitives")), lambda v: v <= 2)
    print("\n".join(out))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
