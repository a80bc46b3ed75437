#!/usr/bin/env bash
# Builds the benchmarks and runs the full envelope comparison (shulian, nimbus, primitives; all
# suites and sizes; seal, open, round trip) in one JMH run, then prints the markdown report.
#
#   benchmarks/run-envelope.sh                 # full run with the defaults in the code (~60 min)
#   benchmarks/run-envelope.sh -p size=1024    # extra JMH options are passed through
#   RESULT=/tmp/e.json benchmarks/run-envelope.sh
#
# Run it on a quiet machine: the numbers are throughput of one thread, and other load skews them.
set -euo pipefail
cd "$(dirname "$0")/.."
result=${RESULT:-benchmarks/target/envelope.json}
mvn -B -q -pl benchmarks -am package -DskipTests
java -jar benchmarks/target/benchmarks.jar Envelope -rf json -rff "$result" "$@"
python3 benchmarks/envelope-report.py "$result" | tee "${result%.json}.md"
