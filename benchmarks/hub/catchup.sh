#!/usr/bin/env bash
# Catch-up after an hour offline (issue 16 acceptance): a gateway ships its first records to a real
# hub over mTLS, is offline while an hour's records are logged (default 180,000 = 50 requests/s),
# then comes back and ships the backlog in batches. Fails if any record is lost, stored twice or
# not covered by a verified checkpoint, or if an integrity alert is raised; prints the catch-up time.
#
#   benchmarks/hub/catchup.sh [records=180000] [gateway batch=2000, the shipper's default collector.batch]
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-180000}"
B="${2:-2000}"
OUT="$(pwd)/sdk-hub/target/catchup.txt"
mvn -B -q -o -pl sdk-hub -am test -Dtest=CatchUpBench -Dsurefire.failIfNoSpecifiedTests=false \
  -DargLine="-Xmx2g -Dshulian.bench=true -Dshulian.bench.events=$N -Dshulian.bench.batch=$B -Dshulian.bench.out=$OUT ${BENCH_JVM:-}" \
  ${MVN_EXTRA:-} >/dev/null || { cat sdk-hub/target/surefire-reports/io.shulian.hub.CatchUpBench.txt >&2; exit 1; }
cat "$OUT"
