# Shared setup of the bulk (data set) benchmarks; sourced by the scripts beside it. Starts, all on
# loopback, in $WORK (a fresh temporary directory, removed at exit unless KEEP=1):
#   - a JSON Lines file of $SIZE bytes (gen_data), served by an nginx backend (start_backend)
#   - a Shulian provider and consumer gateway, each in its own JVM with -Xmx256m (start_gateways SUITE)
#     whose catalog declares two data sets: bench.plain (general fields: nothing to mask, the bytes
#     pass unchanged) and bench.masked (personal information: every record masked)
#   - two chained nginx TLS 1.3 proxies with client certificates (start_nginx_chain):
#     client -HTTP-> proxy A -mTLS 1.3-> proxy B -HTTP-> backend, the same shape as the gateways
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$PWD
JAR="${JAR:-sdk-gateway/target/shulian.jar}"
case "$JAR" in /*) ;; *) JAR="$ROOT/$JAR" ;; esac   # absolute from here on
[ -f "$JAR" ] || mvn -B -q -o -pl sdk-hub -am package -DskipTests   # sdk-hub shades shulian.jar
WORK="$(mktemp -d /tmp/shulian-bulk.XXXXXX)"
chmod 755 "$WORK"
export SHULIAN_KEY_PASSWORD="bench-only"
GW_HEAP="${GW_HEAP:--Xmx256m}"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ "${KEEP:-0}" = 1 ] && echo "work directory kept: $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
client() { # CLIENT_TIME=FILE: the client's user and system CPU seconds go to FILE
  if [ -n "${CLIENT_TIME:-}" ]; then
    /usr/bin/time -f '%U %S' -o "$CLIENT_TIME" java -Xmx64m "$ROOT/benchmarks/bulk/BulkClient.java" "$@"
  else
    java -Xmx64m "$ROOT/benchmarks/bulk/BulkClient.java" "$@"
  fi
}
GW_JAVA="${JAVA:-java}"   # the JVM of the gateways
field() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" | head -1; }   # field NAME < client output

# gen_data BYTES: $WORK/www/data.jsonl, whole records, at least BYTES long (a 4 MiB block of varied
# records repeated, sequence numbers continuing)
gen_data() {
  mkdir -p "$WORK/www"
  python3 - "$1" "$WORK/www/data.jsonl" <<'PY'
import json, random, sys
size, path = int(sys.argv[1]), sys.argv[2]
rnd = random.Random(20261206)
sur = "陈李黄张梁林何罗吴郑谢冯"; giv = ["子轩", "雨涵", "浩然", "诗琪", "俊杰", "嘉怡", "志强", "晓彤", "国华"]
streets = ["人民路", "汾江中路", "祖庙路", "季华五路", "岭南大道", "绿景一路"]
recs = []
for i in range(20000):
    recs.append(json.dumps({"seq": i, "name": rnd.choice(sur) + rnd.choice(giv),
        "idNumber": "440604%04d%02d%02d%03d%d" % (rnd.randint(1940, 2005), rnd.randint(1, 12), rnd.randint(1, 28), rnd.randint(0, 999), rnd.randint(0, 9)),
        "phone": "13%09d" % rnd.randint(0, 999999999),
        "address": "广东省佛山市禅城区" + rnd.choice(streets) + "%d号" % rnd.randint(1, 300),
        "enrolled": rnd.random() < 0.9, "monthlyPension": round(rnd.uniform(1800, 6000), 2)},
        ensure_ascii=False, separators=(",", ":")) + "\n")
block = "".join(recs).encode()
with open(path, "wb") as f:
    written = 0
    while written < size:
        f.write(block); written += len(block)
PY
  DATA_BYTES=$(stat -c %s "$WORK/www/data.jsonl")
}

start_backend() {
  BACKEND_PORT=$(port)
  mkdir -p "$WORK/nginx-backend"
  cat > "$WORK/nginx-backend/nginx.conf" <<NGX
worker_processes 1; daemon off; pid $WORK/nginx-backend/pid; error_log $WORK/nginx-backend/error.log warn;
events { worker_connections 1024; }
http { access_log off; sendfile on; types { application/jsonl jsonl; }
  server { listen 127.0.0.1:$BACKEND_PORT; root $WORK/www; location / { default_type application/jsonl; try_files /data.jsonl =404; } } }
NGX
  nginx -c "$WORK/nginx-backend/nginx.conf" & PIDS+=($!)
}

# start_nginx_chain: proxy A (plain HTTP in, TLS 1.3 with a client certificate out) -> proxy B (TLS 1.3
# in, client certificate required) -> backend; one worker each, streaming (no temp files)
start_nginx_chain() {
  local d="$WORK/pki"; mkdir -p "$d"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=bench CA" \
    -keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null
  for n in server client; do
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" -keyout "$d/$n.key" \
      -out "$d/$n.csr" 2>/dev/null
    openssl x509 -req -in "$d/$n.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial -days 2 \
      -extfile <(printf 'subjectAltName=DNS:localhost,IP:127.0.0.1') -out "$d/$n.pem" 2>/dev/null
  done
  NGINX_A_PORT=$(port); NGINX_B_PORT=$(port)
  mkdir -p "$WORK/nginx-a" "$WORK/nginx-b"
  cat > "$WORK/nginx-b/nginx.conf" <<NGX
worker_processes 1; daemon off; pid $WORK/nginx-b/pid; error_log $WORK/nginx-b/error.log warn;
events { worker_connections 1024; }
http { access_log off;
  server { listen 127.0.0.1:$NGINX_B_PORT ssl; ssl_protocols TLSv1.3;
    ssl_certificate $d/server.pem; ssl_certificate_key $d/server.key;
    ssl_client_certificate $d/ca.pem; ssl_verify_client on;
    location / { proxy_pass http://127.0.0.1:$BACKEND_PORT; proxy_http_version 1.1;
      proxy_buffer_size 64k; proxy_buffers 8 64k; proxy_max_temp_file_size 0; } } }
NGX
  cat > "$WORK/nginx-a/nginx.conf" <<NGX
worker_processes 1; daemon off; pid $WORK/nginx-a/pid; error_log $WORK/nginx-a/error.log warn;
events { worker_connections 1024; }
http { access_log off;
  server { listen 127.0.0.1:$NGINX_A_PORT;
    location / { proxy_pass https://127.0.0.1:$NGINX_B_PORT; proxy_http_version 1.1;
      proxy_ssl_protocols TLSv1.3; proxy_ssl_certificate $d/client.pem; proxy_ssl_certificate_key $d/client.key;
      proxy_ssl_verify on; proxy_ssl_trusted_certificate $d/ca.pem; proxy_ssl_name localhost;
      proxy_buffer_size 64k; proxy_buffers 8 64k; proxy_max_temp_file_size 0; } } }
NGX
  nginx -c "$WORK/nginx-b/nginx.conf" & PIDS+=($!)
  nginx -c "$WORK/nginx-a/nginx.conf" & PIDS+=($!)
  sleep 0.5
}

# start_gateways SUITE (intl|gm) PREFIX: provider and consumer gateways; sets ${PREFIX}_URL (consumer),
# ${PREFIX}_PIDS ("provider consumer")
start_gateways() {
  local suite=$1 pre=$2 g="$WORK/$2"
  mkdir -p "$g/policy"
  local prov=440600/11440600MB2C1234HN/housing cons=440600/11440600MB2C5678CX
  java -jar "$JAR" keygen --suite "$suite" --party "$prov" --out "$g/housing" >/dev/null 2>&1
  java -jar "$JAR" keygen --suite "$suite" --party "$cons" --out "$g/civil" >/dev/null 2>&1
  local fields_plain='[{name: seq, type: number, classification: general}, {name: name, type: string, classification: general}, {name: idNumber, type: string, classification: general}, {name: phone, type: string, classification: general}, {name: address, type: string, classification: general}, {name: enrolled, type: boolean, classification: general}, {name: monthlyPension, type: number, classification: general}]'
  local fields_masked='[{name: seq, type: number, classification: general}, {name: name, type: string, classification: important, personalInfo: name}, {name: idNumber, type: string, classification: important, personalInfo: id-number}, {name: phone, type: string, classification: important, personalInfo: phone}, {name: address, type: string, classification: important, personalInfo: address}, {name: enrolled, type: boolean, classification: general}, {name: monthlyPension, type: number, classification: general}]'
  cat > "$g/policy/catalog.yaml" <<YML
version: "bench-1"
purposes: [{code: bench, name: bench}]
resources:
  - {code: bench.plain, name: plain data set, provider: "$prov", sharing: {type: unconditional}, purposes: [bench],
     delivery: dataset, format: jsonl, fields: $fields_plain, endpoints: [{method: GET, path: /data}]}
  - {code: bench.masked, name: masked data set, provider: "$prov", sharing: {type: unconditional}, purposes: [bench],
     delivery: dataset, format: jsonl, fields: $fields_masked, endpoints: [{method: GET, path: /data}]}
YML
  printf 'version: "bench-1"\nrules: []\n' > "$g/policy/policies.yaml"
  local pport; pport=$(port); local cport; cport=$(port); local pa; pa=$(port); local ca; ca=$(port)
  local key="bench-key-$RANDOM$RANDOM"
  local hash; hash=$(printf '%s' "$key" | sha256sum | cut -d' ' -f1)
  cat > "$g/provider.yaml" <<YML
identity: { keystore: housing/key.p12 }
trust: { certificates: [civil/cert.pem] }
provider:
  listen: 127.0.0.1:$pport
  backends:
    - { resource: bench.plain, url: "http://127.0.0.1:$BACKEND_PORT/plain" }
    - { resource: bench.masked, url: "http://127.0.0.1:$BACKEND_PORT/masked" }
  policy: { dir: policy, hashKeyEnv: SHULIAN_MASK_KEY }
audit: { dir: audit-provider }
admin: { listen: 127.0.0.1:$pa }
YML
  cat > "$g/consumer.yaml" <<YML
identity: { keystore: civil/key.p12 }
trust: { certificates: [housing/cert.pem] }
consumer:
  listen: 127.0.0.1:$cport
  apps: [ { name: bench, apiKeySha256: "$hash" } ]
  routes:
    - { resource: bench.plain, provider: "$prov", endpoint: "https://127.0.0.1:$pport" }
    - { resource: bench.masked, provider: "$prov", endpoint: "https://127.0.0.1:$pport" }
audit: { dir: audit-consumer }
admin: { listen: 127.0.0.1:$ca }
YML
  local opts="$GW_HEAP -XX:+ExitOnOutOfMemoryError ${EXTRA_JAVA_OPTS:-}"
  # GW_JFR=1: a JFR recording (profile settings) of each gateway, written at exit to $g/{provider,consumer}.jfr
  # (with KEEP=1: read it with `jfr print --events jdk.ExecutionSample` or, on JDK 25, `jfr view hot-methods`)
  jfr_opt() { [ "${GW_JFR:-0}" = 1 ] && echo "-XX:StartFlightRecording=filename=$g/$1.jfr,settings=profile,dumponexit=true"; true; }
  (cd "$g" && SHULIAN_MASK_KEY=bench-mask-key-0123456789 exec "$GW_JAVA" $opts $(jfr_opt provider) -jar "$JAR" gateway --config provider.yaml > provider.log 2>&1) &
  local p1=$!; PIDS+=($p1)
  (cd "$g" && exec "$GW_JAVA" $opts $(jfr_opt consumer) -jar "$JAR" gateway --config consumer.yaml > consumer.log 2>&1) &
  local p2=$!; PIDS+=($p2)
  for a in $pa $ca; do
    for _ in $(seq 1 300); do curl -fsS "http://127.0.0.1:$a/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
    curl -fsS "http://127.0.0.1:$a/readyz" >/dev/null 2>&1 || { echo "gateway not ready"; tail -n 20 "$g"/*.log; exit 1; }
  done
  printf -v "${pre}_URL" '%s' "http://127.0.0.1:$cport"
  printf -v "${pre}_PIDS" '%s' "$p1 $p2"
  printf -v "${pre}_KEY" '%s' "$key"
}

# fetch PREFIX RESOURCE [client args...]: the data set through the gateways
fetch() {
  local pre=$1 res=$2; shift 2
  local url="${pre}_URL" key="${pre}_KEY"
  client "${!url}/dataset/$res/data" --header "X-Api-Key: ${!key}" --header "X-Shulian-Purpose: bench" "$@"
}

machine() {
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(java -version 2>&1 | head -1), $(nginx -v 2>&1)"
  echo "gateways on: $("$GW_JAVA" -version 2>&1 | head -1)"
  echo "uptime: $(uptime)"
}
