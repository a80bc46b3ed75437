#!/usr/bin/env bash
# Gateway load benchmark (not part of CI). Starts, all on loopback:
#   - a backend: nginx serving a 1 KiB JSON document (1 worker)
#   - a plain reverse proxy: nginx with 1 worker and pooled (keepalive) upstream connections
#   - a Shulian pass-through gateway (no envelope)
#   - a Shulian provider gateway and consumer gateway: the full secure exchange (mTLS between the
#     gateways, envelopes both ways, policy, audit with group commit)
# and drives each with wrk (64 connections, 20 s by default), printing requests/s, p50/p99 latency
# and each proxy's CPU time per request (process CPU time / requests served).
#
# Usage: [WARMUP=seconds] [ONLY=secure] [EXTRA_JAVA_OPTS=...] benchmarks/gateway/run.sh [duration-seconds] [connections] [suite intl|gm]
#   ONLY=secure measures only the secure exchange (for iterating); EXTRA_JAVA_OPTS go to every gateway JVM
#   (e.g. a JFR recording); EVENT_LOOPS=n gives each gateway n event loops (default: one per core);
#   COMMIT_DELAY=5ms sets audit.commitDelay, BATCH=false turns batch signatures off (both default to
#   the gateway's defaults); CEILING=0 skips the envelope-ceiling probe.
#   JAR=path runs another build of shulian.jar (e.g. the previous release, for a before/after comparison;
#   LEGACY_CONFIG=1 for a build from before backends declared their endpoints).
set -euo pipefail
cd "$(dirname "$0")/../.."
DUR="${1:-20}"
CONN="${2:-64}"
SUITE="${3:-intl}"
# Bouncy Castle's curve code is large: on 2 busy cores C2 needs 20-40 s to compile it, and until
# then an exchange costs 10x its steady-state CPU. Warm each proxy up before measuring.
WARMUP="${WARMUP:-40}"
THREADS=2
WORK="$(mktemp -d /tmp/shulian-gwbench.XXXXXX)"
chmod 755 "$WORK"
JAR="${JAR:-sdk-gateway/target/shulian.jar}"
export SHULIAN_KEY_PASSWORD="bench-only"

need() { command -v "$1" >/dev/null 2>&1; }
if ! need wrk || ! need nginx; then
  echo "installing wrk and nginx (Debian packages)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx-light >/dev/null
fi
[ -f "$JAR" ] || mvn -B -q -pl sdk-hub -am package -DskipTests   # sdk-hub shades shulian.jar

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
BACKEND_PORT=$(port); NGINX_PROXY_PORT=$(port); PASS_PORT=$(port); PROVIDER_PORT=$(port); CONSUMER_PORT=$(port)
PROV_ADMIN=$(port); CONS_ADMIN=$(port); PASS_ADMIN=$(port)

# ---- backend and nginx proxy ------------------------------------------------------------
python3 - "$WORK/record.json" <<'PY'
import json, sys
rec = {"id": "HOUSING-001-0000001", "name": "张三", "idNumber": "440604199001011234", "phone": "13800138000",
       "address": "广东省佛山市禅城区示例路1号", "household": [{"name": "李四", "relation": "spouse"}]}
s = json.dumps(rec, ensure_ascii=False)
pad = 1024 - len(s.encode()) - len(',"note":""')
rec["note"] = "x" * max(pad, 0)
open(sys.argv[1], "w").write(json.dumps(rec, ensure_ascii=False))
PY
mkdir -p "$WORK/nginx-backend" "$WORK/nginx-proxy"
cat > "$WORK/nginx-backend/nginx.conf" <<NGX
worker_processes 1; daemon off; pid $WORK/nginx-backend/pid; error_log $WORK/nginx-backend/error.log warn;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000;
  server { listen 127.0.0.1:$BACKEND_PORT; location / { default_type application/json; root $WORK; try_files /record.json =404; } } }
NGX
cat > "$WORK/nginx-proxy/nginx.conf" <<NGX
worker_processes 1; daemon off; pid $WORK/nginx-proxy/pid; error_log $WORK/nginx-proxy/error.log warn;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000;
  upstream backend { server 127.0.0.1:$BACKEND_PORT; keepalive 64; }
  server { listen 127.0.0.1:$NGINX_PROXY_PORT;
    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; } } }
NGX
nginx -c "$WORK/nginx-backend/nginx.conf" & PIDS+=($!)
nginx -c "$WORK/nginx-proxy/nginx.conf" & NGINX_PROXY_PID=$!; PIDS+=($NGINX_PROXY_PID)

# ---- identities and gateway configs ---------------------------------------------------------
PROVIDER_ID=440600/11440600MB2C1234HN/housing
CONSUMER_ID=440600/11440600MB2C5678CX
java -jar "$JAR" keygen --suite "$SUITE" --party "$PROVIDER_ID" --out "$WORK/housing" 2>/dev/null
java -jar "$JAR" keygen --suite "$SUITE" --party "$CONSUMER_ID" --out "$WORK/civil" 2>/dev/null
API_KEY="bench-key-$(date +%s)"
API_HASH=$(printf '%s' "$API_KEY" | sha256sum | cut -d' ' -f1)
# the endpoint the secure exchange calls (a resource without declared endpoints serves nothing);
# LEGACY_CONFIG=1 leaves it out for builds from before endpoints were declared (JAR=...)
ENDPOINTS=', endpoints: [ { method: GET, path: /records } ]'
[ "${LEGACY_CONFIG:-0}" = 1 ] && ENDPOINTS=''
cat > "$WORK/provider.yaml" <<YML
identity: { keystore: housing/key.p12 }
trust: { certificates: [civil/cert.pem] }
provider:
  listen: 127.0.0.1:$PROVIDER_PORT
  backends: [ { resource: HOUSING-001, url: "http://127.0.0.1:$BACKEND_PORT/api"$ENDPOINTS } ]
  permissions: [ { consumer: "$CONSUMER_ID", resource: HOUSING-001, purposes: [social-assistance-review] } ]
audit: { dir: audit-provider${COMMIT_DELAY:+, commitDelay: $COMMIT_DELAY} }
admin: { listen: 127.0.0.1:$PROV_ADMIN }
runtime: { eventLoops: ${EVENT_LOOPS:-0} }
envelope: { batchSignatures: ${BATCH:-true} }
YML
cat > "$WORK/consumer.yaml" <<YML
identity: { keystore: civil/key.p12 }
trust: { certificates: [housing/cert.pem] }
consumer:
  listen: 127.0.0.1:$CONSUMER_PORT
  apps: [ { name: bench, apiKeySha256: "$API_HASH" } ]
  routes: [ { resource: HOUSING-001, provider: "$PROVIDER_ID", endpoint: "https://127.0.0.1:$PROVIDER_PORT" } ]
audit: { dir: audit-consumer${COMMIT_DELAY:+, commitDelay: $COMMIT_DELAY} }
admin: { listen: 127.0.0.1:$CONS_ADMIN }
runtime: { eventLoops: ${EVENT_LOOPS:-0} }
envelope: { batchSignatures: ${BATCH:-true} }
YML
cat > "$WORK/passthrough.yaml" <<YML
identity: { keystore: civil/key.p12 }
passthrough: { listen: 127.0.0.1:$PASS_PORT, upstream: "http://127.0.0.1:$BACKEND_PORT" }
audit: { dir: audit-passthrough }
admin: { listen: 127.0.0.1:$PASS_ADMIN }
YML
JAVA_OPTS="-Xms512m -Xmx1g -XX:+UseParallelGC ${EXTRA_JAVA_OPTS:-}"
java $JAVA_OPTS -jar "$JAR" gateway --config "$WORK/provider.yaml" > "$WORK/provider.log" 2>&1 & PROVIDER_PID=$!; PIDS+=($PROVIDER_PID)
java $JAVA_OPTS -jar "$JAR" gateway --config "$WORK/consumer.yaml" > "$WORK/consumer.log" 2>&1 & CONSUMER_PID=$!; PIDS+=($CONSUMER_PID)
java $JAVA_OPTS -jar "$JAR" gateway --config "$WORK/passthrough.yaml" > "$WORK/passthrough.log" 2>&1 & PASS_PID=$!; PIDS+=($PASS_PID)

wait_ready() { for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$1/readyz" >/dev/null 2>&1 && return 0; sleep 0.2; done; echo "gateway on admin port $1 not ready"; cat "$WORK"/*.log; exit 1; }
wait_ready $PROV_ADMIN; wait_ready $CONS_ADMIN; wait_ready $PASS_ADMIN
curl -fsS "http://127.0.0.1:$BACKEND_PORT/api" >/dev/null
curl -sS -H "X-Api-Key: $API_KEY" -H "X-Shulian-Purpose: social-assistance-review" \
  "http://127.0.0.1:$CONSUMER_PORT/exchange/HOUSING-001/records" > "$WORK/first.json"
cmp -s "$WORK/first.json" "$WORK/record.json" || { echo "secure exchange returned something else"; head -c 300 "$WORK/first.json"; exit 1; }

# utime + stime of a process and its children (nginx workers), in clock ticks
cpu_ticks() { local t=0 c; for c in $1 $(pgrep -P "$1"); do t=$((t + $(awk '{print $14+$15}' "/proc/$c/stat"))); done; echo $t; }
HZ=$(getconf CLK_TCK)

# run NAME URL "PIDS..." [extra wrk args...]
declare -A RPS P50 P99 CPUUS
run() {
  local name=$1 url=$2 pids=$3; shift 3
  # warm-up (JIT, TLS sessions, pools)
  wrk -t$THREADS -c$CONN -d${WARMUP}s "$@" "$url" >/dev/null 2>&1 || true
  local before=0 after=0
  for p in $pids; do before=$((before + $(cpu_ticks "$p"))); done
  local out; out=$(wrk -t$THREADS -c$CONN -d${DUR}s --latency "$@" "$url")
  for p in $pids; do after=$((after + $(cpu_ticks "$p"))); done
  local reqs; reqs=$(echo "$out" | awk '/requests in/ {print $1}')
  RPS[$name]=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  P50[$name]=$(echo "$out" | awk '$1=="50%" {print $2}')
  P99[$name]=$(echo "$out" | awk '$1=="99%" {print $2}')
  local non2xx; non2xx=$(echo "$out" | awk '/Non-2xx/ {print $5}')
  if [ -n "$pids" ] && [ "${reqs:-0}" -gt 0 ]; then
    CPUUS[$name]=$(python3 -c "print(round(($after-$before)/$HZ*1e6/$reqs,1))")
  else
    CPUUS[$name]="-"
  fi
  printf '%-28s %10s req/s  p50 %8s  p99 %8s  CPU/request %8s us  %s\n' "$name" "${RPS[$name]}" "${P50[$name]}" \
    "${P99[$name]}" "${CPUUS[$name]}" "${non2xx:+NON-2XX: $non2xx}"
}

echo
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(java -version 2>&1 | head -1)"
echo "wrk: $THREADS threads, $CONN connections, ${DUR}s per run, 1 KiB JSON, suite $SUITE, $(grep -o 'transport=.*' "$WORK/provider.log" | head -1)"
echo
if [ "${ONLY:-all}" != secure ]; then
run "backend direct (nginx)"    "http://127.0.0.1:$BACKEND_PORT/api" ""
run "nginx reverse proxy"       "http://127.0.0.1:$NGINX_PROXY_PORT/api" "$NGINX_PROXY_PID"
run "shulian pass-through"      "http://127.0.0.1:$PASS_PORT/api" "$PASS_PID"
fi
cat > "$WORK/headers.lua" <<LUA
wrk.headers["X-Api-Key"] = "$API_KEY"
wrk.headers["X-Shulian-Purpose"] = "social-assistance-review"
LUA
run "shulian secure exchange"   "http://127.0.0.1:$CONSUMER_PORT/exchange/HOUSING-001/records" "$CONSUMER_PID $PROVIDER_PID" -s "$WORK/headers.lua"

echo
# The ceiling the envelope benchmark implies: each exchange is two envelope round trips (request
# and response), sealed as the gateway seals them (ephemeral key reuse); on all cores and with
# nothing else running, the gateways could do at most nproc * (round trips per CPU-second) / 2.
BJAR=benchmarks/target/benchmarks.jar
if [ "${CEILING:-1}" = 0 ]; then
  echo "envelope ceiling: skipped (CEILING=0)"
elif [ -f "$BJAR" ]; then
  PSUITE=$( [ "$SUITE" = gm ] && echo GM || echo INTL )
  RT=$(java -Xmx1g -cp "$BJAR" io.shulian.benchmarks.InterleavedCpuProbe roundTrip 1024 "$PSUITE" gateway 10 8 250 \
       | awk '/gateway/ {print $NF}')
  python3 - "$RT" "$(nproc)" "${RPS[shulian secure exchange]}" <<'PY'
import sys
rt, cores, sx = float(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
ceiling = cores * rt / 2
print(f"envelope ceiling: {rt:.0f} round trips per CPU-second (InterleavedCpuProbe, 1 KiB, gateway sealing,"
      f" one signature per envelope) -> {ceiling:.0f} exchanges/s on {cores} cores; the gateways reach"
      f" {100 * sx / ceiling:.0f}% of it (batch signatures, on by default, share one signature among the"
      f" envelopes of an event-loop round, so the gateways can pass it)")
PY
else
  echo "envelope ceiling: build benchmarks/target/benchmarks.jar (mvn -B -q -pl benchmarks -am package -DskipTests) to print it"
fi
[ "${ONLY:-all}" = secure ] && { echo "secure exchange only (ONLY=secure); work directory: $WORK"; exit 0; }
python3 - "${RPS[nginx reverse proxy]}" "${RPS[shulian pass-through]}" "${CPUUS[nginx reverse proxy]}" "${CPUUS[shulian pass-through]}" "${RPS[shulian secure exchange]}" "${P99[shulian secure exchange]}" <<'PY'
import sys
ng, pt, ngcpu, ptcpu, sx, sxp99 = sys.argv[1:]
print(f"pass-through / nginx requests/s:      {float(pt)/float(ng):.2f}  (target >= 0.60)")
print(f"pass-through / nginx CPU per request: {float(ptcpu)/float(ngcpu):.2f}  (target <= 2.0)")
print(f"secure exchange: {float(sx):.0f} exchanges/s, p99 {sxp99}  (target >= 1500/s, p99 < 50ms)")
PY
echo "audit records written: provider $(du -sh "$WORK/audit-provider" | cut -f1), consumer $(du -sh "$WORK/audit-consumer" | cut -f1)"
echo "work directory: $WORK"
