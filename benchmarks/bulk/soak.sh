#!/usr/bin/env bash
# 10 GiB through both gateways in constant memory (issue 18 acceptance): a JSON Lines data set of
# GIB gibibytes (INTL, masking off) from an nginx backend through the provider and the consumer
# gateway, each in its own JVM with -Xmx256m and -XX:+ExitOnOutOfMemoryError. Checks the trailer
# (verified), the SHA-256 of what arrived against the file's, that both gateways are still alive and
# logged no OutOfMemoryError; samples VmRSS of both every second from /proc/<pid>/status and prints
# the series summary (RSS at 1 GiB, the maximum after it, the slope after it).
#
# Usage: benchmarks/bulk/soak.sh [GiB (default 10)]      (needs GiB free in /tmp for the file)
source "$(dirname "$0")/lib.sh"
GIB="${1:-10}"
gen_data $((GIB << 30))
start_backend
start_gateways intl S
sha256sum "$WORK/www/data.jsonl" > "$WORK/expected.sha256" &   # beside the transfer
SUM=$!
machine
read -r PROV CONS <<< "$S_PIDS"
echo "data set: $DATA_BYTES bytes; provider gateway pid $PROV, consumer gateway pid $CONS ($GW_HEAP)"
OUT=$(fetch S bench.plain --sha256 --rss "$PROV,$CONS") || { echo "transfer failed: $OUT"; tail -n 20 "$WORK"/S/*.log; exit 1; }
echo "$OUT"
echo "uptime after: $(uptime)"
wait $SUM
EXPECTED=$(cut -d' ' -f1 "$WORK/expected.sha256")
GOT=$(echo "$OUT" | field sha256)
alive=yes; for p in $PROV $CONS; do kill -0 "$p" 2>/dev/null || alive=no; done
oom=$( (grep -l OutOfMemoryError "$WORK"/S/*.log 2>/dev/null || true) | wc -l)
echo
echo "| bytes | seconds | MB/s | trailer | digest identical | gateways alive | OutOfMemoryError |"
echo "|--:|--:|--:|---|---|---|---|"
echo "| $(echo "$OUT" | field bytes) | $(echo "$OUT" | field seconds) | $(echo "$OUT" | field mbps) | $(echo "$OUT" | field stream) | $([ "$GOT" = "$EXPECTED" ] && echo yes || echo "NO ($GOT vs $EXPECTED)") | $alive | $([ "$oom" = 0 ] && echo none || echo "IN $oom LOG(S)") |"
[ "$GOT" = "$EXPECTED" ] && [ "$alive" = yes ] && [ "$oom" = 0 ]
