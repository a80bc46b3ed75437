#!/usr/bin/env bash
# Collector ingest (issue 16): a real gateway audit log of N records read in batches of B as the
# shipper reads them, and taken by the hub's Collector: JSON parse, full verification (sequence,
# hash chain, Merkle root and checkpoint signature at every checkpoint) and storage in embedded H2,
# or with --pg in a PostgreSQL server started for the run (the Debian package's binaries).
# Prints events/s, and the verification alone for comparison. RULES=1: the log holds a provider's
# exchanges (request, response) and the hub's early-warning rules judge every stored record.
#
#   [RULES=1] benchmarks/hub/ingest.sh [--pg] [events=200000] [batch=5000]
#   BENCH_JVM="-XX:StartFlightRecording=filename=/tmp/i.jfr"  extra JVM options for the run
set -euo pipefail
cd "$(dirname "$0")/../.."
DB=h2
if [ "${1:-}" = "--pg" ]; then
  DB=pg
  shift
fi
N="${1:-200000}"
B="${2:-5000}"
OUT="$(pwd)/sdk-hub/target/ingest.txt"
mvn -B -q -o -pl sdk-hub -am test -Dtest=IngestBench -Dsurefire.failIfNoSpecifiedTests=false \
  -DargLine="-Xmx2g -Dshulian.bench=true -Dshulian.bench.db=$DB -Dshulian.bench.events=$N -Dshulian.bench.batch=$B -Dshulian.bench.rules=${RULES:+true} -Dshulian.bench.out=$OUT ${BENCH_JVM:-}" \
  ${MVN_EXTRA:-} >/dev/null || { cat sdk-hub/target/surefire-reports/io.shulian.hub.IngestBench.txt >&2; exit 1; }
cat "$OUT"
