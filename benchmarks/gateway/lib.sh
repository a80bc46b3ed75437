# Shared by the gateway load scripts that compare two configurations in one run (shared-state.sh,
# shipping.sh). Source it after setting WORK (the run's directory), CONN (wrk connections) and
# PIDS=() (processes to stop on exit).

# A free loopback TCP port.
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# Waits until the process with the admin (or hub admin) port $1 answers /readyz; else prints the logs and exits 1.
wait_ready() { for _ in $(seq 1 300); do curl -fsS "http://127.0.0.1:$1/readyz" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "process with admin port $1 not ready"; tail -n 20 "$WORK"/*.log; exit 1; }

# The backend: nginx (1 worker) on 127.0.0.1:$1 answering every path with a 1 KiB JSON document.
start_backend() {
  head -c 1024 /dev/zero | tr '\0' 'x' | sed 's/^.\{12\}/{"note":"   /; s/.\{2\}$/"}/' > "$WORK/record.json"
  mkdir -p "$WORK/nginx"
  cat > "$WORK/nginx/nginx.conf" <<NGX
worker_processes 1; daemon off; pid $WORK/nginx/pid; error_log $WORK/nginx/error.log warn;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000;
  server { listen 127.0.0.1:$1; location / { default_type application/json; root $WORK; try_files /record.json =404; } } }
NGX
  nginx -c "$WORK/nginx/nginx.conf" & PIDS+=($!)
}

# wrk for $1 seconds against URL $2 with the headers of $WORK/headers.lua; prints requests/s
# (non-2xx answers, if any, on stderr).
rps() { wrk -t2 -c"$CONN" -d"$1"s -s "$WORK/headers.lua" "$2" | awk '/Requests\/sec/ {print $2} /Non-2xx/ {print "NON2XX " $5 > "/dev/stderr"}'; }
