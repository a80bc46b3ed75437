#!/usr/bin/env bash
# Gateway-side CPU of audit shipping without the network (issue 16): the shipper's read of a batch
# through AuditLogReader.Cursor and its collector JSON (EventShipper.toJson), per record, for two jars
# in alternation in the same run (BASE_JAR: e.g. built from main; JAR: this tree). Thread CPU time,
# best of PASSES passes over a log of RECORDS exchange-like records. Not part of CI.
#
# Usage: BASE_JAR=/path/to/base/shulian.jar [JAR=sdk-gateway/target/shulian.jar] [RECORDS=200000]
#        [BATCH=500] [PASSES=5] [ROUNDS=3] benchmarks/gateway/ship-encode.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
JAR="$(realpath "${JAR:-sdk-gateway/target/shulian.jar}")"
BASE_JAR="$(realpath "${BASE_JAR:?BASE_JAR: the jar to compare with}")"
RECORDS="${RECORDS:-200000}"; BATCH="${BATCH:-500}"; PASSES="${PASSES:-5}"; ROUNDS="${ROUNDS:-3}"
WORK="$(mktemp -d /tmp/shulian-shipenc.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
SRC="$(pwd)/benchmarks/gateway/ShipEncodeBench.java"
export SHULIAN_KEY_PASSWORD="bench-only"
run() { java -Xms256m -Xmx1g -XX:+UseParallelGC -cp "$1" "$SRC" "$WORK/log" "$RECORDS" "$BATCH" "$PASSES"; }
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1); load before: $(uptime)"
echo "log: $RECORDS records, batch $BATCH, best of $PASSES passes (after one warm-up) per run"
run "$BASE_JAR" >/dev/null   # writes the log once (the same log for both jars)
B=(); C=()
for i in $(seq 1 "$ROUNDS"); do
  if [ $((i % 2)) = 1 ]; then b=$(run "$BASE_JAR"); c=$(run "$JAR"); else c=$(run "$JAR"); b=$(run "$BASE_JAR"); fi
  printf 'round %d: base %6s ns/record (%s JSON bytes/record)   candidate %6s ns/record (%s JSON bytes/record)\n' \
    "$i" "${b% *}" "${b#* }" "${c% *}" "${c#* }"
  B+=("${b% *}"); C+=("${c% *}")
done
echo "load after: $(uptime)"
python3 - "${B[*]}" "${C[*]}" <<'PY'
import statistics, sys
b = statistics.median(float(x) for x in sys.argv[1].split()); c = statistics.median(float(x) for x in sys.argv[2].split())
print(f"median CPU per shipped record (read + batch JSON): base {b:.0f} ns, candidate {c:.0f} ns: candidate / base = {c/b:.2f}")
PY
