#!/usr/bin/env bash
# Data set throughput (issue 18 acceptance), every candidate next to its baseline in the same run,
# interleaved round by round (the machine is shared: compare the ratios, not the absolute numbers):
#   1. INTL, masking off: consumer gateway + provider gateway (each -Xmx256m) vs two chained nginx
#      TLS 1.3 proxies (mutual TLS between them), the same bytes from the same nginx backend; >= 50%
#   2. masking a JSON Lines data set through both gateways vs a plain Jackson streaming copy of the
#      same file (one thread, parser to generator); >= 60%
#   3. GM (SM2/SM3/SM4 gateways), masking off, vs Bouncy Castle's SM4-GCM single-stream speed
#      (64 KiB segments, one thread); >= 60%. SM3 speed printed beside it.
# The app side is benchmarks/bulk/BulkClient.java (reads the chunked body and its trailer).
#
# Usage: benchmarks/bulk/throughput.sh [size-MiB (default 1024)] [rounds (default 3)]
#   EXTRA_JAVA_OPTS=... go to both gateways of each pair (e.g. -XX:StartFlightRecording=...); KEEP=1 keeps $WORK
#   PATHS=masked runs only path 2 (the masked data set and its Jackson baseline; no nginx chain, no GM pair)
#   PATHS=intl runs only path 1 (the nginx chain and the INTL plain pair), e.g. to profile it with GW_JFR=1
#   JAVA=/path/to/bin/java runs the gateways on that JVM (default: java on the PATH; the client stays on it)
#   WARMUPS=n transfers on each path before the first round (default 1). On JDK 17 the JDK's AES-GCM
#     reaches its AES-NI/CLMUL intrinsics only once C2 compiled its callers (about 1 GiB of segments,
#     docs/benchmarks.md "Wave 8"); WARMUPS=4 with 256 MiB measures gateways that moved 1 GiB already
#   THREADS=1 (with PATHS=intl) prints after each transfer the CPU each process and its busiest threads
#     used during it (CPU seconds, and in cores: 1.00 = one core all the time; from /proc, threadcpu.py)
source "$(dirname "$0")/lib.sh"
MIB="${1:-1024}"; ROUNDS="${2:-3}"; PATHS="${PATHS:-all}"
case "$PATHS" in all|masked|intl) ;; *) echo "PATHS is all, masked or intl, not '$PATHS'" >&2; exit 2 ;; esac
all() { [ "$PATHS" = all ]; }
intl() { [ "$PATHS" != masked ]; }
gen_data $((MIB << 20))
start_backend
if intl; then start_nginx_chain; fi
start_gateways intl I
if all; then start_gateways gm G; fi
EXPECTED=$(sha256sum "$WORK/www/data.jsonl" | cut -d' ' -f1)
machine
echo "data set: $DATA_BYTES bytes of JSON Lines ($(wc -l < "$WORK/www/data.jsonl") records); gateways: $GW_HEAP ${EXTRA_JAVA_OPTS:-}"

check() { # check NAME OUTPUT [digest]
  grep -q "complete=true" <<< "$2" || { echo "$1: incomplete: $2" >&2; exit 1; }
  if [ -n "${3:-}" ]; then
    [ "$(echo "$2" | field sha256)" = "$EXPECTED" ] || { echo "$1: digest differs: $2" >&2; exit 1; }
  fi
  echo "$2" | field mbps
}
declare -a NG IN MA JA GM BC SM3
# warm-up: one transfer on each path (JIT, TLS)
WARM=("I bench.masked")
if intl; then
  client "http://127.0.0.1:$NGINX_A_PORT/data" >/dev/null
  WARM=("I bench.plain" "I bench.masked" "G bench.plain")
  [ "$PATHS" = intl ] && WARM=("I bench.plain")
fi
for ((k = 0; k < ${WARMUPS:-1}; k++)); do
  for w in "${WARM[@]}"; do
    # shellcheck disable=SC2086
    fetch $w >/dev/null || { echo "warm-up $w failed" >&2; tail -n 5 "$WORK"/${w%% *}/*.log >&2; exit 1; }
  done
done
echo "warm-up: ${WARMUPS:-1} transfer(s) on each path"
# threads NAME CMD...: CMD's output; with THREADS=1 also (to stderr) the CPU used by the gateways, the
# nginx processes and the client while CMD ran
threads() {
  local name=$1; shift
  if [ "${THREADS:-0}" != 1 ]; then "$@"; return; fi
  local procs=() labels=() p c
  read -r p c <<< "$I_PIDS"; procs+=("$p" "$c"); labels+=("provider=$p" "consumer=$c")
  for p in $(pgrep -f "nginx -c $WORK/" || true); do
    procs+=("$p"); labels+=("$(sed 's/.*nginx-\([a-z]*\).*/nginx-\1/' "/proc/$p/cmdline" 2>/dev/null | tr -d '\0')=$p")
    for c in $(pgrep -P "$p" || true); do procs+=("$c"); labels+=("$(sed 's/.*nginx-\([a-z]*\).*/nginx-\1/' "/proc/$p/cmdline" | tr -d '\0')w=$c"); done
  done
  python3 "$ROOT/benchmarks/bulk/threadcpu.py" snap "${procs[@]}" > "$WORK/cpu-before.json"
  local t0 out; t0=$(date +%s.%N)
  out=$(CLIENT_TIME="$WORK/cpu-client" "$@")
  local secs; secs=$(echo "$(date +%s.%N) - $t0" | bc)
  python3 "$ROOT/benchmarks/bulk/threadcpu.py" snap "${procs[@]}" > "$WORK/cpu-after.json"
  { echo "$name: ${secs}s wall, CPU in cores:"
    python3 "$ROOT/benchmarks/bulk/threadcpu.py" diff "$WORK/cpu-before.json" "$WORK/cpu-after.json" "$secs" "${labels[@]}"
    awk -v s="$secs" '{printf "  client     %7.2f CPU-s (%4.2f cores)\n", $1 + $2, ($1 + $2) / s}' "$WORK/cpu-client"; } >&2
  echo "$out"
}
for r in $(seq 1 "$ROUNDS"); do
  sha=(); [ "$r" = 1 ] && sha=(--sha256)
  if [ "$PATHS" = intl ]; then
    NG[$r]=$(check nginx "$(threads nginx client "http://127.0.0.1:$NGINX_A_PORT/data" "${sha[@]}")" "${sha[*]}")
    IN[$r]=$(check intl "$(threads intl fetch I bench.plain "${sha[@]}")" "${sha[*]}")
    echo "round $r: nginx ${NG[$r]} intl ${IN[$r]} MB/s; $(uptime | sed 's/.*load/load/')"
    MA[$r]=0; JA[$r]=0; GM[$r]=0; BC[$r]=0; SM3[$r]=0
    continue
  fi
  MA[$r]=$(check masked "$(fetch I bench.masked)")
  JA[$r]=$(java -cp "$JAR" "$ROOT/benchmarks/bulk/JacksonCopy.java" "$WORK/www/data.jsonl" | field mbps)
  if ! all; then
    echo "round $r: masked ${MA[$r]} jackson ${JA[$r]} MB/s; $(uptime | sed 's/.*load/load/')"
    NG[$r]=0; IN[$r]=0; GM[$r]=0; BC[$r]=0; SM3[$r]=0
    continue
  fi
  NG[$r]=$(check nginx "$(client "http://127.0.0.1:$NGINX_A_PORT/data" "${sha[@]}")" "${sha[*]}")
  IN[$r]=$(check intl "$(fetch I bench.plain "${sha[@]}")" "${sha[*]}")
  GM[$r]=$(check gm "$(fetch G bench.plain "${sha[@]}")" "${sha[*]}")
  out=$(java -cp "$JAR" "$ROOT/benchmarks/bulk/Sm4GcmSpeed.java" "$MIB")
  BC[$r]=$(echo "$out" | field sm4gcm_mbps); SM3[$r]=$(echo "$out" | field sm3_mbps)
  echo "round $r: nginx ${NG[$r]} intl ${IN[$r]} masked ${MA[$r]} jackson ${JA[$r]} gm ${GM[$r]} bc-sm4gcm ${BC[$r]} bc-sm3 ${SM3[$r]} MB/s; $(uptime | sed 's/.*load/load/')"
done
echo
python3 - "$ROUNDS" "$PATHS" "${NG[*]}" "${IN[*]}" "${MA[*]}" "${JA[*]}" "${GM[*]}" "${BC[*]}" "${SM3[*]}" <<'PY'
import sys, statistics as st
n = int(sys.argv[1]); only_masked = sys.argv[2] == "masked"; only_intl = sys.argv[2] == "intl"
ng, intl, ma, ja, gm, bc, sm3 = ([float(x) for x in a.split()] for a in sys.argv[3:10])
def row(name, cand, base, target, basename):
    ratios = [c / b for c, b in zip(cand, base)]
    m = st.median(ratios)
    print(f"| {name} | {st.median(cand):.1f} | {basename} {st.median(base):.1f} | "
          f"{', '.join(f'{r:.2f}' for r in ratios)} | **{m:.2f}** | >= {target:.2f} {'met' if m >= target else 'MISSED'} |")
print(f"MB/s are medians of {n} rounds; the ratio is taken per round (candidate / its baseline in the same round)")
print("| path | MB/s | baseline MB/s | ratio per round | median ratio | target |")
print("|---|--:|--:|--:|--:|---|")
if not only_masked:
    row("INTL, both gateways, masking off", intl, ng, 0.50, "two nginx TLS 1.3 proxies")
if not only_intl:
    row("INTL, both gateways, masking every record", ma, ja, 0.60, "Jackson streaming copy")
if not only_masked and not only_intl:
    row("GM, both gateways, masking off", gm, bc, 0.60, "BC SM4-GCM one stream")
    print(f"(BC SM3, one stream: {st.median(sm3):.1f} MB/s)")
PY
