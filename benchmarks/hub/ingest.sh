#!/usr/bin/env bash
# Collector ingest (issue 16): a real gateway audit log of N records read in batches of B as the
# shipper reads them, and taken by the hub's Collector: JSON parse, full verification (sequence,
# hash chain, Merkle root and checkpoint signature at every checkpoint) and storage in embedded H2.
# Prints events/s, and the verification alone for comparison.
#
#   benchmarks/hub/ingest.sh [events=200000] [batch=5000]
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-200000}"
B="${2:-5000}"
OUT="$(pwd)/sdk-hub/target/ingest.txt"
mvn -B -q -o -pl sdk-hub -am test -Dtest=IngestBench -Dsurefire.failIfNoSpecifiedTests=false \
  -DargLine="-Xmx2g -Dshulian.bench=true -Dshulian.bench.events=$N -Dshulian.bench.batch=$B -Dshulian.bench.out=$OUT" \
  ${MVN_EXTRA:-} >/dev/null || { cat sdk-hub/target/surefire-reports/io.shulian.hub.IngestBench.txt >&2; exit 1; }
cat "$OUT"
