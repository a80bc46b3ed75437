#!/usr/bin/env bash
# Cost of the shared state in Redis (issue 17 acceptance: Redis state >= 80% of the in-process
# state's throughput, in the same run). Not part of CI. Starts, all on loopback:
#   - a backend: nginx serving a 1 KiB JSON document (1 worker)
#   - Redis (Debian redis-server, appendonly yes, appendfsync everysec, as docs/scale-out.md advises)
#   - provider A: state in this process (the default state directory), serving resource HOUSING-001
#   - provider B: the same provider with state.redis, serving HOUSING-002
#   - one consumer gateway routing HOUSING-001 to A and HOUSING-002 to B
# and drives the secure exchange with wrk through A and through B in alternation (ROUNDS rounds of
# DUR seconds each, after a warm-up of both), so both see the same machine load; prints each
# round, the sums and the ratio B / A.
# With WAIT=1 it also starts a Redis replica of that Redis and
#   - provider C: the same with state.redisReplicas: 1 (WAIT 1 after each replay id), HOUSING-003
# driven in the same rotation, and prints C / A and C / B (the cost of WAIT).
#
# Usage: [ROUNDS=3] [WARMUP=40] [EVENT_LOOPS=0] [WAIT=1] benchmarks/gateway/shared-state.sh [duration-seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/../.."
DUR="${1:-15}"
CONN="${2:-64}"
ROUNDS="${ROUNDS:-3}"
WARMUP="${WARMUP:-40}"
WORK="$(mktemp -d /tmp/shulian-statebench.XXXXXX)"
chmod 755 "$WORK"
JAR="${JAR:-sdk-gateway/target/shulian.jar}"
export SHULIAN_KEY_PASSWORD="bench-only"
command -v wrk >/dev/null && command -v nginx >/dev/null && command -v redis-server >/dev/null \
  || { echo "needs wrk, nginx and redis-server (Debian packages wrk nginx-light redis-server)"; exit 2; }
[ -f "$JAR" ] || mvn -B -q -pl sdk-hub -am package -DskipTests   # sdk-hub shades shulian.jar

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
. benchmarks/gateway/lib.sh
BACKEND_PORT=$(port); REDIS_PORT=$(port); A_PORT=$(port); B_PORT=$(port); CONSUMER_PORT=$(port)
A_ADMIN=$(port); B_ADMIN=$(port); C_ADMIN=$(port)
WAIT="${WAIT:-0}"; REPLICA_PORT=$(port); W_PORT=$(port); W_ADMIN=$(port)

mkdir -p "$WORK/redis"
start_backend "$BACKEND_PORT"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$WORK/redis" --save "" --appendonly yes \
  --appendfsync everysec --daemonize no --loglevel warning > "$WORK/redis/redis.log" 2>&1 & PIDS+=($!)
if [ "$WAIT" = 1 ]; then
  mkdir -p "$WORK/replica"
  redis-server --port "$REPLICA_PORT" --bind 127.0.0.1 --dir "$WORK/replica" --save "" --appendonly yes \
    --appendfsync everysec --daemonize no --loglevel warning --replicaof 127.0.0.1 "$REDIS_PORT" \
    > "$WORK/replica/redis.log" 2>&1 & PIDS+=($!)
  until redis-cli -p "$REPLICA_PORT" INFO replication 2>/dev/null | grep -q master_link_status:up; do sleep 0.2; done
fi

PROVIDER_ID=440600/11440600MB2C1234HN/housing
CONSUMER_ID=440600/11440600MB2C5678CX
java -jar "$JAR" keygen --suite intl --party "$PROVIDER_ID" --out "$WORK/housing" 2>/dev/null
java -jar "$JAR" keygen --suite intl --party "$CONSUMER_ID" --out "$WORK/civil" 2>/dev/null
API_KEY="bench-key-$(date +%s)"
API_HASH=$(printf '%s' "$API_KEY" | sha256sum | cut -d' ' -f1)
provider() { # name port admin resource state-line
  cat > "$WORK/$1.yaml" <<YML
identity: { keystore: housing/key.p12 }
trust: { certificates: [civil/cert.pem] }
provider:
  listen: 127.0.0.1:$2
  backends: [ { resource: $4, url: "http://127.0.0.1:$BACKEND_PORT/api", endpoints: [ { method: GET, path: /records } ] } ]
  permissions: [ { consumer: "$CONSUMER_ID", resource: $4, purposes: [social-assistance-review] } ]
audit: { dir: audit-$1 }
admin: { listen: 127.0.0.1:$3 }
runtime: { eventLoops: ${EVENT_LOOPS:-0} }
$5
YML
}
provider a "$A_PORT" "$A_ADMIN" HOUSING-001 ""
provider b "$B_PORT" "$B_ADMIN" HOUSING-002 "state: { redis: \"redis://127.0.0.1:$REDIS_PORT\" }"
[ "$WAIT" = 1 ] && provider c "$W_PORT" "$W_ADMIN" HOUSING-003 \
  "state: { redis: \"redis://127.0.0.1:$REDIS_PORT\", redisReplicas: 1, redisKeyPrefix: \"wait:\" }"
cat > "$WORK/consumer.yaml" <<YML
identity: { keystore: civil/key.p12 }
trust: { certificates: [housing/cert.pem] }
consumer:
  listen: 127.0.0.1:$CONSUMER_PORT
  apps: [ { name: bench, apiKeySha256: "$API_HASH" } ]
  routes:
    - { resource: HOUSING-001, provider: "$PROVIDER_ID", endpoint: "https://127.0.0.1:$A_PORT" }
    - { resource: HOUSING-002, provider: "$PROVIDER_ID", endpoint: "https://127.0.0.1:$B_PORT" }
    - { resource: HOUSING-003, provider: "$PROVIDER_ID", endpoint: "https://127.0.0.1:$W_PORT" }
audit: { dir: audit-consumer }
admin: { listen: 127.0.0.1:$C_ADMIN }
runtime: { eventLoops: ${EVENT_LOOPS:-0} }
YML
JAVA_OPTS="-Xms512m -Xmx1g -XX:+UseParallelGC ${EXTRA_JAVA_OPTS:-}"
GATEWAYS="a b consumer"; [ "$WAIT" = 1 ] && GATEWAYS="a b c consumer"
for g in $GATEWAYS; do
  java $JAVA_OPTS -jar "$JAR" gateway --config "$WORK/$g.yaml" > "$WORK/$g.log" 2>&1 & PIDS+=($!)
done
wait_ready $A_ADMIN; wait_ready $B_ADMIN; wait_ready $C_ADMIN; [ "$WAIT" = 1 ] && wait_ready $W_ADMIN
cat > "$WORK/headers.lua" <<LUA
wrk.headers["X-Api-Key"] = "$API_KEY"
wrk.headers["X-Shulian-Purpose"] = "social-assistance-review"
LUA
RESOURCES="001 002"; [ "$WAIT" = 1 ] && RESOURCES="001 002 003"
for r in $RESOURCES; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Api-Key: $API_KEY" -H "X-Shulian-Purpose: social-assistance-review" \
    "http://127.0.0.1:$CONSUMER_PORT/exchange/HOUSING-$r/records")
  [ "$code" = 200 ] || { echo "HOUSING-$r answered $code"; tail -n 20 "$WORK"/*.log; exit 1; }
done
url() { echo "http://127.0.0.1:$CONSUMER_PORT/exchange/HOUSING-$1/records"; }
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(java -version 2>&1 | head -1)"
echo "load before: $(uptime)"
echo "wrk: 2 threads, $CONN connections, $ROUNDS rounds of ${DUR}s per state, alternating, after ${WARMUP}s warm-up each"
for r in $RESOURCES; do rps "$WARMUP" "$(url $r)" >/dev/null; done
SUM_A=0; SUM_B=0; SUM_C=0; c=0
for i in $(seq 1 "$ROUNDS"); do
  if [ $((i % 2)) = 1 ]; then a=$(rps "$DUR" "$(url 001)"); b=$(rps "$DUR" "$(url 002)")
    [ "$WAIT" = 1 ] && c=$(rps "$DUR" "$(url 003)")
  else [ "$WAIT" = 1 ] && c=$(rps "$DUR" "$(url 003)")
    b=$(rps "$DUR" "$(url 002)"); a=$(rps "$DUR" "$(url 001)"); fi
  printf 'round %d: in-process state %10s req/s   Redis state %10s req/s' "$i" "$a" "$b"
  [ "$WAIT" = 1 ] && printf '   Redis + WAIT 1 %10s req/s' "$c"
  echo
  SUM_A=$(python3 -c "print($SUM_A + $a)"); SUM_B=$(python3 -c "print($SUM_B + $b)"); SUM_C=$(python3 -c "print($SUM_C + $c)")
done
echo "load after: $(uptime)"
python3 -c "a=$SUM_A/$ROUNDS; b=$SUM_B/$ROUNDS; print(f'in-process state {a:.0f}/s, Redis state {b:.0f}/s: Redis / in-process = {b/a:.2f} (target >= 0.80)')"
[ "$WAIT" = 1 ] && python3 -c "a=$SUM_A/$ROUNDS; b=$SUM_B/$ROUNDS; c=$SUM_C/$ROUNDS; print(f'Redis + WAIT 1 {c:.0f}/s: WAIT / in-process = {c/a:.2f}, WAIT / async Redis = {c/b:.2f}')"
[ "$WAIT" = 1 ] && echo "writes not replicated in time (provider C): $(curl -s "http://127.0.0.1:$W_ADMIN/metrics" | awk '/^shulian_state_not_replicated_total/ {s+=$2} END {print s+0}')"
echo "Redis commands sent by provider B: $(curl -s "http://127.0.0.1:$B_ADMIN/metrics" | awk '/^shulian_state_redis_commands_total/ {s+=$2} END {print s}')"
true
