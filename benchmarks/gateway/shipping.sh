#!/usr/bin/env bash
# Cost of event shipping on the gateways (issue 16 acceptance: the secure-exchange load with shipping
# on stays within 10% of shipping off, in the same run). Not part of CI. Starts, all on loopback:
#   - a city CA (shulian ca init/issue), a bundle with the hub and both departments (bundle sign)
#   - the city hub (shulian hub, H2 in the work directory, city-CA TLS), the bundle published to it
#   - a backend: nginx serving a 1 KiB JSON document (1 worker)
#   - OFF: a provider gateway (HOUSING-001) and a consumer gateway, no collector
#   - ON:  the same pair (HOUSING-002) with `collector:` pointing at the hub's POST /v1/events
# and drives the secure exchange with wrk through the OFF pair and the ON pair in alternation
# (ROUNDS rounds of DUR seconds each, A B / B A …, after a warm-up of both), so both see the same
# machine load. Prints each round, the medians and the ratio ON / OFF, and checks that the hub
# stored what the ON pair logged (gateway metric shulian_ship_records_total, the shipping lag, the
# hub's accepted batches): a ratio with nothing shipped proves nothing. Each round also splits out of
# the gateways' CPU per exchange what their shipping threads (the shipper and the HttpClient's, by
# thread name in /proc/<pid>/task) and GC threads took: the gateway's own cost of shipping, which the
# process totals mix with the slower exchanges of a machine the hub shares.
# By default the hub runs on the same cores: its ingest (TLS, chain and checkpoint verification, H2,
# rules) is charged to the ON rounds here, which a real deployment puts on another machine.
# HUB_CPUS=<cpu list> (taskset syntax, e.g. HUB_CPUS=1) stands in for that machine: the hub runs on
# those CPUs only and everything else (nginx, the four gateways, wrk) on the others, in both the
# OFF and the ON rounds, so the ratio is the gateways' own cost of shipping.
#
# Usage: [ROUNDS=3] [WARMUP=40] [BATCH=2000] [JAR=path] [INTERVAL=1s] [EVENT_LOOPS=0] [EXTRA_JAVA_OPTS=…] [PROFILE=dir]
#        [HUB_CPUS=cpu-list]
#        benchmarks/gateway/shipping.sh [duration-seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/../.."
DUR="${1:-15}"
CONN="${2:-64}"
ROUNDS="${ROUNDS:-3}"
WARMUP="${WARMUP:-40}"
WORK="$(mktemp -d /tmp/shulian-shipbench.XXXXXX)"
chmod 755 "$WORK"
JAR="${JAR:-sdk-gateway/target/shulian.jar}"; [ "${JAR#/}" != "$JAR" ] || JAR="$(pwd)/$JAR"
export SHULIAN_KEY_PASSWORD="bench-only" SHULIAN_CA_PASSWORD="bench-only-ca"
command -v wrk >/dev/null && command -v nginx >/dev/null \
  || { echo "needs wrk and nginx (Debian packages wrk nginx-light)"; exit 2; }
[ -f "$JAR" ] || mvn -B -q -pl sdk-hub -am package -DskipTests   # sdk-hub shades shulian.jar
HUB_TASKSET=()
if [ -n "${HUB_CPUS:-}" ]; then   # the hub on its own CPUs, this script and all it starts on the rest
  command -v taskset >/dev/null || { echo "HUB_CPUS needs taskset (util-linux)"; exit 2; }
  REST_CPUS=$(python3 - "$HUB_CPUS" <<'PY'
import os, sys
def cpus(spec):
    out = set()
    for part in spec.split(","):
        a, _, b = part.partition("-")
        out.update(range(int(a), int(b or a) + 1))
    return out
hub, have = cpus(sys.argv[1]), os.sched_getaffinity(0)
rest = sorted(have - hub)
if not hub <= have or not rest:
    sys.exit(f"HUB_CPUS={sys.argv[1]} must name some, not all, of the CPUs {sorted(have)}")
print(",".join(map(str, rest)))
PY
) || exit 2
  taskset -pc "$REST_CPUS" $$ >/dev/null
  HUB_TASKSET=(taskset -c "$HUB_CPUS")
fi

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true
  [ -n "${KEEP:-}" ] && echo "kept $WORK" || rm -rf "$WORK"; }
trap cleanup EXIT
. benchmarks/gateway/lib.sh
BACKEND_PORT=$(port); HUB_PORT=$(port); HUB_ADMIN=$(port)
OFF_P=$(port); OFF_C=$(port); ON_P=$(port); ON_C=$(port)
OFF_PA=$(port); OFF_CA=$(port); ON_PA=$(port); ON_CA=$(port)
cd "$WORK"
shulian() { java -jar "$JAR" "$@"; }
quiet() { "$@" >> setup.log 2>&1 || { echo "failed: $*"; cat setup.log; exit 1; }; }

start_backend "$BACKEND_PORT"

# ---- the city: CA, parties, bundle, hub ----------------------------------------------------
HUB_ID=440600/11440600MB2C9999HE/hub
PROVIDER_ID=440600/11440600MB2C1234HN/housing
CONSUMER_ID=440600/11440600MB2C5678CX
quiet shulian ca init --suite intl --name "Bench City Data Bureau" --out ca
quiet shulian ca issue --ca ca --party "$HUB_ID" --out hub
quiet shulian ca issue --ca ca --party "$PROVIDER_ID" --out housing
quiet shulian ca issue --ca ca --party "$CONSUMER_ID" --out civil
cat > bundle.yaml <<YML
version: 1
validFor: 24h
parties:
  - { party: "$HUB_ID", name: hub, certificates: [hub/cert.pem] }
  - { party: "$PROVIDER_ID", name: housing, endpoint: "https://127.0.0.1:$ON_P", certificates: [housing/cert.pem] }
  - { party: "$CONSUMER_ID", name: civil, certificates: [civil/cert.pem] }
YML
quiet shulian bundle sign --ca ca --in bundle.yaml --out bundle.jws
OFFICER_TOKEN="bench-officer-$(date +%s%N)"
cat > hub.yaml <<YML
identity: { keystore: hub/key.p12 }
listen: 127.0.0.1:$HUB_PORT
admin: { listen: 127.0.0.1:$HUB_ADMIN }
city: { intl: ca/root.pem }
dataDir: hub-data
operators:
  - { name: bench, role: security-officer, tokenSha256: "$(printf '%s' "$OFFICER_TOKEN" | sha256sum | cut -d' ' -f1)" }
alerts: { newConsumer: false }
YML
${HUB_TASKSET[@]+"${HUB_TASKSET[@]}"} java -Xms256m -Xmx1g -XX:+UseParallelGC ${EXTRA_HUB_OPTS:-} -jar "$JAR" hub --config hub.yaml > hub.log 2>&1 & PIDS+=($!); HUB_PID=$!
wait_ready "$HUB_ADMIN"
SHULIAN_HUB_TOKEN="$OFFICER_TOKEN" quiet shulian hub publish --hub "https://127.0.0.1:$HUB_PORT" --bundle bundle.jws \
  --root ca/root.pem

# ---- the two gateway pairs -----------------------------------------------------------------
API_KEY="bench-key-$(date +%s)"
API_HASH=$(printf '%s' "$API_KEY" | sha256sum | cut -d' ' -f1)
COLLECTOR="collector: { hub: \"https://127.0.0.1:$HUB_PORT/v1/events\", batch: ${BATCH:-2000}, interval: ${INTERVAL:-1s} }"
pair() { # name provider-port provider-admin consumer-port consumer-admin resource collector-line
  cat > "$1-provider.yaml" <<YML
identity: { keystore: housing/key.p12 }
trust: { root: ca/root.pem, bundle: bundle.jws }
provider:
  listen: 127.0.0.1:$2
  backends: [ { resource: $6, url: "http://127.0.0.1:$BACKEND_PORT/api", endpoints: [ { method: GET, path: /records } ] } ]
  permissions: [ { consumer: "$CONSUMER_ID", resource: $6, purposes: [social-assistance-review] } ]
audit: { dir: audit-$1-provider }
admin: { listen: 127.0.0.1:$3 }
runtime: { eventLoops: ${EVENT_LOOPS:-0} }
$7
YML
  cat > "$1-consumer.yaml" <<YML
identity: { keystore: civil/key.p12 }
trust: { root: ca/root.pem, bundle: bundle.jws }
consumer:
  listen: 127.0.0.1:$4
  apps: [ { name: bench, apiKeySha256: "$API_HASH" } ]
  routes: [ { resource: $6, provider: "$PROVIDER_ID", endpoint: "https://127.0.0.1:$2" } ]
audit: { dir: audit-$1-consumer }
admin: { listen: 127.0.0.1:$5 }
runtime: { eventLoops: ${EVENT_LOOPS:-0} }
$7
YML
}
pair off "$OFF_P" "$OFF_PA" "$OFF_C" "$OFF_CA" HOUSING-001 ""
pair on "$ON_P" "$ON_PA" "$ON_C" "$ON_CA" HOUSING-002 "$COLLECTOR"
JAVA_OPTS="-Xms512m -Xmx1g -XX:+UseParallelGC ${EXTRA_JAVA_OPTS:-}"
declare -A PID
for g in off-provider off-consumer on-provider on-consumer; do
  java $JAVA_OPTS -jar "$JAR" gateway --config "$g.yaml" > "$g.log" 2>&1 & PIDS+=($!); PID[$g]=$!
done
for a in $OFF_PA $OFF_CA $ON_PA $ON_CA; do wait_ready "$a"; done
cat > headers.lua <<LUA
wrk.headers["X-Api-Key"] = "$API_KEY"
wrk.headers["X-Shulian-Purpose"] = "social-assistance-review"
LUA
url() { [ "$1" = off ] && echo "http://127.0.0.1:$OFF_C/exchange/HOUSING-001/records" \
  || echo "http://127.0.0.1:$ON_C/exchange/HOUSING-002/records"; }
for s in off on; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Api-Key: $API_KEY" -H "X-Shulian-Purpose: social-assistance-review" "$(url $s)")
  [ "$code" = 200 ] || { echo "the $s pair answered $code"; tail -n 20 "$WORK"/*.log; exit 1; }
done
metric() { curl -s "http://127.0.0.1:$1/metrics" | awk -v m="$2" '$1 ~ "^"m"({|$)" {s+=$2} END {printf "%d", s}'; }
ticks() { local t=0; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo "$t"; }
# CPU ticks of the threads of processes $2… whose name (15 characters, /proc/<pid>/task/<tid>/comm)
# matches the regular expression $1; a thread that ended meanwhile drops out (counted in ticks only)
tticks() { local re="$1"; shift; { for p in "$@"; do for t in /proc/"$p"/task/*; do
    grep -qE "$re" "$t/comm" 2>/dev/null && sed 's/.*) //' "$t/stat" 2>/dev/null; done; done; true; } \
  | awk '{t += $12 + $13} END {printf "%d", t}'; }
SHIP_THREADS='^(shulian-event-s|HttpClient-)'; GC_THREADS='^(GC Thread|VM Thread|G1 |GC )'
# per exchange (µs) of the ticks $1 → $2 over the round ($R requests/s for $DUR s)
per() { python3 -c "print(round(($2 - $1) / $HZ * 1e6 / ($R * $DUR)))"; }
HZ=$(getconf CLK_TCK)
# one measured round of configuration $1 (off|on): requests/s, then the CPU per exchange of its two
# gateways and of the hub (µs, process CPU time / requests), written to the variables R, GW, HUB
# and of the pair's shipping threads (the shipper and the HttpClient's) and GC threads, to SHIP, GC
measure() { local g0 h0 s0 c0 pp=("${PID[$1-provider]}" "${PID[$1-consumer]}")
  g0=$(ticks "${pp[@]}"); h0=$(ticks "$HUB_PID"); s0=$(tticks "$SHIP_THREADS" "${pp[@]}"); c0=$(tticks "$GC_THREADS" "${pp[@]}")
  R=$(rps "$DUR" "$(url "$1")")
  GW=$(per "$g0" "$(ticks "${pp[@]}")"); HUB=$(per "$h0" "$(ticks "$HUB_PID")")
  SHIP=$(per "$s0" "$(tticks "$SHIP_THREADS" "${pp[@]}")"); GC=$(per "$c0" "$(tticks "$GC_THREADS" "${pp[@]}")"); }
echo "machine: $(nproc --all) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(java -version 2>&1 | head -1)"
echo "load before: $(uptime)"
echo "wrk: 2 threads, $CONN connections, $ROUNDS rounds of ${DUR}s per configuration, alternating, after ${WARMUP}s warm-up each"
echo "collector: batch ${BATCH:-2000}, interval ${INTERVAL:-1s}; $([ -n "${HUB_CPUS:-}" ] \
  && echo "the hub alone on CPU(s) $HUB_CPUS, nginx, the gateways and wrk on CPU(s) $REST_CPUS" || echo "the hub on the same cores")"
rps "$WARMUP" "$(url off)" >/dev/null; rps "$WARMUP" "$(url on)" >/dev/null
if [ -n "${PROFILE:-}" ]; then   # PROFILE=dir: JFR (settings=profile) of the ON gateways and the hub over the rounds
  mkdir -p "$PROFILE"
  for g in on-provider on-consumer off-consumer; do jcmd "${PID[$g]}" JFR.start name=ship settings=profile >/dev/null; done
  jcmd "$HUB_PID" JFR.start name=ship settings=profile >/dev/null
fi
OFFS=(); ONS=(); GOFF=(); GON=()
echo "CPU per exchange: both gateways of the pair / the hub (process CPU time / requests, µs)"
for i in $(seq 1 "$ROUNDS"); do
  if [ $((i % 2)) = 1 ]; then measure off; a=$R; ga=$GW; ha=$HUB; ca=$GC; measure on; b=$R; gb=$GW; hb=$HUB; sb=$SHIP; cb=$GC
  else measure on; b=$R; gb=$GW; hb=$HUB; sb=$SHIP; cb=$GC; measure off; a=$R; ga=$GW; ha=$HUB; ca=$GC; fi
  printf 'round %d: shipping off %9s req/s (CPU %5s / %4s µs)   shipping on %9s req/s (CPU %5s / %4s µs)   on/off %s\n' \
    "$i" "$a" "$ga" "$ha" "$b" "$gb" "$hb" "$(python3 -c "print(f'{$b/$a:.2f}')")"
  printf '         of the gateway CPU per exchange: shipping threads on %s µs; GC threads off %s, on %s µs\n' "$sb" "$ca" "$cb"
  OFFS+=("$a"); ONS+=("$b"); GOFF+=("$ga"); GON+=("$gb")
done
if [ -n "${PROFILE:-}" ]; then
  for g in on-provider on-consumer off-consumer; do jcmd "${PID[$g]}" JFR.dump name=ship filename="$PROFILE/$g.jfr" >/dev/null; done
  jcmd "$HUB_PID" JFR.dump name=ship filename="$PROFILE/hub.jfr" >/dev/null
fi
echo "load after: $(uptime)"
python3 - "${OFFS[*]}" "${ONS[*]}" "${GOFF[*]}" "${GON[*]}" <<'PY'
import statistics, sys
off = [float(x) for x in sys.argv[1].split()]; on = [float(x) for x in sys.argv[2].split()]
goff = statistics.median(float(x) for x in sys.argv[3].split()); gon = statistics.median(float(x) for x in sys.argv[4].split())
a, b = statistics.median(off), statistics.median(on)
ratios = [y / x for x, y in zip(off, on)]
print(f"median: shipping off {a:.0f}/s, shipping on {b:.0f}/s: on / off = {b/a:.2f} (target >= 0.90); "
      f"per-round ratios {', '.join(f'{r:.2f}' for r in ratios)}, median {statistics.median(ratios):.2f}")
print(f"median gateway CPU per exchange (both gateways): off {goff:.0f} µs, on {gon:.0f} µs: on / off = {gon/goff:.2f}")
PY

# ---- did the ON pair ship, and did the hub store it? ----------------------------------------
sleep 3   # the last records are forced and shipped within one interval
STORED=0; LAG=0; FAILED=0
for a in $ON_PA $ON_CA; do
  STORED=$((STORED + $(metric "$a" shulian_ship_records_total)))
  LAG=$((LAG + $(metric "$a" shulian_ship_lag_records)))
  FAILED=$((FAILED + $(metric "$a" shulian_ship_failures_total)))
done
OFF_SHIPPED=$(( $(metric "$OFF_PA" shulian_ship_records_total) + $(metric "$OFF_CA" shulian_ship_records_total) ))
ACCEPTED=$(curl -s "http://127.0.0.1:$HUB_ADMIN/metrics" | awk '/^shulian_hub_event_batches_total/ && /outcome="accepted"/ {s+=$2} END {printf "%d", s}')
REFUSED=$(curl -s "http://127.0.0.1:$HUB_ADMIN/metrics" | awk '/^shulian_hub_event_batches_total/ && !/outcome="accepted"/ {s+=$2} END {printf "%d", s}')
echo "shipping on: the hub stored $STORED records of the ON gateways of $((STORED + LAG)) in their logs ($LAG not yet acknowledged)," \
  "$ACCEPTED batches accepted, $REFUSED refused, $FAILED batches failed at the gateways; OFF gateways shipped $OFF_SHIPPED"
# -k: a loopback run; the hub's certificate names its party, not an address
ALERTS=$(curl -sk -H "Authorization: Bearer $OFFICER_TOKEN" "https://127.0.0.1:$HUB_PORT/v1/admin/alerts" \
  | python3 -c 'import json,sys; a=json.load(sys.stdin).get("alerts",[]); print(len(a), sorted({x["rule"] for x in a}))' 2>/dev/null || echo "?")
echo "hub alerts open: $ALERTS"
[ "$STORED" -gt 0 ] && [ "$OFF_SHIPPED" = 0 ] || { echo "NOT MEASURED: the ON pair shipped nothing (see $WORK/*.log)"; KEEP=1; exit 1; }
