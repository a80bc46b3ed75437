#!/usr/bin/env bash
# Propagation of an emergency action (issue 15): a real city hub on loopback and N real consumer
# gateways that follow it (trust.bundle: https://…, each with its own long-polling bundle source),
# then R incident actions (suspend a party, lift it, …) through the hub's API. Prints p50/p90/p99/max
# of "action request sent -> gateway holds the bundle with the change" over N x R samples.
#
#   benchmarks/hub/propagation.sh [gateways=50] [rounds=10]
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-50}"
R="${2:-10}"
OUT="$(pwd)/sdk-hub/target/propagation.txt"
mvn -B -q -o -pl sdk-hub -am test -Dtest=PropagationBench -Dsurefire.failIfNoSpecifiedTests=false \
  -Dshulian.bench=true -Dshulian.bench.gateways="$N" -Dshulian.bench.rounds="$R" \
  -DargLine="-Xmx2g -Dshulian.bench=true -Dshulian.bench.gateways=$N -Dshulian.bench.rounds=$R -Dshulian.bench.out=$OUT" \
  ${MVN_EXTRA:-} >/dev/null || { cat sdk-hub/target/surefire-reports/io.shulian.hub.PropagationBench.txt >&2; exit 1; }
# (MVN_EXTRA: more Maven options, e.g. MVN_EXTRA=-Dnullaway.level=WARN)
cat "$OUT"
