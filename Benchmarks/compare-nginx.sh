#!/usr/bin/env bash
# TrustGate against nginx, side by side on this machine: same PKI (made by `trustgate pki`), same upstream,
# same load generator (`trustgate-load`), same pinning (server on core SRV_CPU, load generator and upstream on
# CLI_CPU), repetitions interleaved (order reversed on even repetitions). Prints per-metric medians, the
# median of per-repetition ratios TrustGate/nginx, and as its last line:
#
#   trustgate/nginx: full_hs=R resumed=R ka_per_cpu=R p99=R rss_per_conn=R
#
# (throughput ratios: above 1 is better; p99 and rss_per_conn: below 1 is better).
#
#   Benchmarks/compare-nginx.sh [REPS=3] [SECONDS=5]
#
# Environment: WORK (default /tmp/trustgate-compare), SRV_CPU (0), CLI_CPU (1), CONNS (64), IDLE_N (500),
# SKIP_BUILD=1 (use the release binaries already built), CHAIN (3: root → intermediate → client, the client sends leaf + intermediate; 2: the root issues the client
# certificate directly),
# RESUME_CLIENTS (4 parallel `openssl s_time -reuse`: NIOSSL has no client session-resumption API, so resumed
# handshakes are driven by OpenSSL's own client for both servers).
# Installs nginx with apt-get when it is missing. Defaults finish in about 4 minutes (plus the first build).
set -euo pipefail
REPS=${1:-3}
SECS=${2:-5}
WORK=${WORK:-/tmp/trustgate-compare}
SRV_CPU=${SRV_CPU:-0}
CLI_CPU=${CLI_CPU:-1}
CONNS=${CONNS:-64}
IDLE_N=${IDLE_N:-500}
RESUME_CLIENTS=${RESUME_CLIENTS:-4}
CHAIN=${CHAIN:-3}
case "$CHAIN" in 2|3) ;; *) echo "compare-nginx.sh: CHAIN must be 2 or 3" >&2; exit 2 ;; esac
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
UP_PORT=19180 NGX_PORT=19543 TG_PORT=19546

log() { echo "[compare] $*" >&2; }
die() { echo "compare-nginx.sh: $*" >&2; exit 2; }

# --- tools -----------------------------------------------------------------------------------------------
if ! command -v nginx >/dev/null 2>&1; then
  log "installing nginx"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null || die "cannot install nginx"
fi
for tool in openssl taskset python3 curl; do command -v $tool >/dev/null || die "$tool is required"; done
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  log "building trustgate and trustgate-load (release)"
  (cd "$ROOT" && swift build -c release --product trustgate >/dev/null && swift build -c release --product trustgate-load >/dev/null) || die "build failed"
fi
TG="$ROOT/.build/release/trustgate"
LOAD="$ROOT/.build/release/trustgate-load"

# --- PKI (EC P-256 chain, the client sends leaf + intermediate, root-only trust, both CRLs) --------------
rm -rf "$WORK"; mkdir -p "$WORK/pki" "$WORK/run"
P="$WORK/pki"
if [ "$CHAIN" = 3 ]; then INTERMEDIATE=--intermediate; else INTERMEDIATE=; fi
"$TG" pki init-ca --dir "$P/ca" --name "CN=Compare Root CA" $INTERMEDIATE >/dev/null
"$TG" pki issue --ca "$P/ca" --type server --cn localhost --dns localhost --ip 127.0.0.1 --out "$P/server" >/dev/null
"$TG" pki issue --ca "$P/ca" --type client --cn bench-client --out "$P/client" >/dev/null
cp "$P/ca/root.pem" "$P/root.pem"
if [ "$CHAIN" = 3 ]; then
  "$TG" pki crl --ca "$P/ca" --days 30 --out "$P/int.crl.pem" >/dev/null
  "$TG" pki crl --ca "$P/ca" --root --days 30 --out "$P/root.crl.pem" >/dev/null
  cat "$P/int.crl.pem" "$P/root.crl.pem" > "$P/crl.pem"
  cat "$P/ca/root.pem" "$P/ca/intermediate.pem" > "$P/ca-bundle.pem"
else
  "$TG" pki crl --ca "$P/ca" --days 30 --out "$P/crl.pem" >/dev/null
  cp "$P/ca/root.pem" "$P/ca-bundle.pem"
fi

# --- configurations ----------------------------------------------------------------------------------------
cat > "$WORK/run/upstream.conf" <<NGX
worker_processes 1; pid $WORK/run/upstream.pid; error_log $WORK/run/upstream.err;
events { worker_connections 4096; }
http { access_log off; keepalive_timeout 300s; keepalive_requests 10000000;
  client_body_temp_path $WORK/run/u-body; proxy_temp_path $WORK/run/u-proxy; fastcgi_temp_path $WORK/run/u-fcgi;
  uwsgi_temp_path $WORK/run/u-uwsgi; scgi_temp_path $WORK/run/u-scgi;
  server { listen 127.0.0.1:$UP_PORT; location / { return 200 "ok\n"; } } }
NGX
cat > "$WORK/run/nginx.conf" <<NGX
worker_processes 1; pid $WORK/run/nginx.pid; error_log $WORK/run/nginx.err;
events { worker_connections 4096; }
http { access_log off; keepalive_timeout 300s; keepalive_requests 10000000;
  client_body_temp_path $WORK/run/n-body; proxy_temp_path $WORK/run/n-proxy; fastcgi_temp_path $WORK/run/n-fcgi;
  uwsgi_temp_path $WORK/run/n-uwsgi; scgi_temp_path $WORK/run/n-scgi;
  upstream app { server 127.0.0.1:$UP_PORT; keepalive 128; }
  server {
    listen 127.0.0.1:$NGX_PORT ssl;
    ssl_certificate $P/server-chain.pem; ssl_certificate_key $P/server.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_verify_client on; ssl_client_certificate $P/root.pem; ssl_verify_depth 2; ssl_crl $P/crl.pem;
    location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_set_header X-ARR-ClientCert \$ssl_client_escaped_cert; }
  } }
NGX

# --- process control ----------------------------------------------------------------------------------------
UP_PID=""
start_upstream() { taskset -c "$CLI_CPU" nginx -g 'daemon off;' -c "$WORK/run/upstream.conf" & UP_PID=$!; wait_port $UP_PORT; }
wait_port() { for _ in $(seq 1 300); do (echo > /dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.1; done; die "port $1 did not open"; }
SRV_PID=""
start_server() {  # $1 = nginx | trustgate
  if [ "$1" = nginx ]; then
    setsid taskset -c "$SRV_CPU" nginx -g 'daemon off;' -c "$WORK/run/nginx.conf" >/dev/null 2>&1 & SRV_PID=$!; wait_port $NGX_PORT
  else
    setsid taskset -c "$SRV_CPU" "$ROOT/Benchmarks/gateway-for-bench.sh" --port $TG_PORT --chain "$P/server-chain.pem" \
      --key "$P/server.key" --ca "$P/root.pem" --crl "$P/crl.pem" --upstream "http://127.0.0.1:$UP_PORT" --work "$WORK" \
      --binary "$TG" >"$WORK/run/trustgate.log" 2>&1 & SRV_PID=$!; wait_port $TG_PORT
  fi
}
server_pids() { echo "$SRV_PID $(pgrep -P "$SRV_PID" 2>/dev/null | tr '\n' ' ')"; }
stop_server() { for p in $(server_pids); do kill "$p" 2>/dev/null || true; done; wait "$SRV_PID" 2>/dev/null || true; SRV_PID=""; }
cpu_ticks() { local t=0; for p in $(server_pids); do [ -r /proc/$p/stat ] && t=$((t + $(awk '{print $14 + $15}' /proc/$p/stat))); done; echo $t; }
rss_kib() { local r=0; for p in $(server_pids); do [ -r /proc/$p/status ] && r=$((r + $(awk '/VmRSS/{print $2}' /proc/$p/status))); done; echo $r; }
cleanup() { stop_server; [ -n "$UP_PID" ] && kill "$UP_PID" 2>/dev/null || true; }
trap cleanup EXIT
HZ=$(getconf CLK_TCK)

port_of() { [ "$1" = nginx ] && echo $NGX_PORT || echo $TG_PORT; }
loadgen() {  # $1 server, $2 mode → JSON report
  taskset -c "$CLI_CPU" "$LOAD" --url "https://127.0.0.1:$(port_of "$1")/" --mode "$2" --connections "$CONNS" \
    --duration "$SECS" --warmup 1 --cert "$P/client-chain.pem" --key "$P/client.key" --json
}
# Runs a command while measuring the server's CPU seconds; prints "<cpu_seconds>" on fd 3.
measure() { local before after; before=$(cpu_ticks); "$@"; after=$(cpu_ticks); awk -v a="$after" -v b="$before" -v hz="$HZ" 'BEGIN { printf "%.4f\n", (a - b) / hz }' > "$WORK/run/cpu"; }

RESULTS="$WORK/results.tsv"
echo -e "rep\tserver\tmetric\tvalue" > "$RESULTS"
record() { echo -e "$1\t$2\t$3\t$4" >> "$RESULTS"; }

run_server() {  # $1 rep, $2 server
  local rep=$1 s=$2 json cpu
  start_server "$s"
  for mode in new keepalive; do
    json=$(measure loadgen "$s" "$mode"); cpu=$(cat "$WORK/run/cpu")
    python3 - "$rep" "$s" "$mode" "$cpu" "$json" >> "$RESULTS" <<'PY'
import json, sys
rep, server, mode, cpu, text = sys.argv[1:6]
r = json.loads(text)
ok, secs = r["ok"], r["duration_s"]
cpu = float(cpu) or 1e-9
name = "full_hs" if mode == "new" else "ka"
print(f"{rep}\t{server}\t{name}_per_s\t{ok / secs:.1f}")
# Server CPU was measured over warm-up (1 s, same load) + the measured window: CPU-seconds per second.
print(f"{rep}\t{server}\t{name}_per_cpu\t{(ok / secs) / (cpu / (secs + 1)):.1f}")
if mode == "keepalive":
    print(f"{rep}\t{server}\tp50_ms\t{r['latency_ms']['p50']}")
    print(f"{rep}\t{server}\tp99_ms\t{r['latency_ms']['p99']}")
PY
  done
  # Resumed handshakes: parallel OpenSSL clients, each reusing its session (TLS 1.3 tickets).
  local before after total=0 clients=()
  before=$(cpu_ticks)
  for i in $(seq 1 "$RESUME_CLIENTS"); do
    # OpenSSL builds the chain it sends from -CAfile, so the intermediate goes out with the leaf.
    taskset -c "$CLI_CPU" openssl s_time -connect "127.0.0.1:$(port_of "$s")" -cert "$P/client.pem" -key "$P/client.key" \
      -CAfile "$P/ca-bundle.pem" -reuse -time "$SECS" -www / > "$WORK/run/stime.$i" 2>&1 &
    clients+=($!)
  done
  wait "${clients[@]}" 2>/dev/null || true
  after=$(cpu_ticks)
  for i in $(seq 1 "$RESUME_CLIENTS"); do
    n=$(awk '/connections in [0-9]+ real seconds/{print $1; exit}' "$WORK/run/stime.$i" | tail -1); total=$((total + ${n:-0}))
  done
  record "$rep" "$s" resumed_per_s "$(awk -v t="$total" -v s="$SECS" 'BEGIN { printf "%.1f", t / s }')"
  record "$rep" "$s" resumed_per_cpu "$(awk -v t="$total" -v hz="$HZ" -v a="$after" -v b="$before" 'BEGIN { printf "%.1f", t * hz / ((a - b) + 1) }')"
  stop_server
  # RSS per idle connection: fresh server, warmed, then IDLE_N connections that did one request each.
  start_server "$s"
  taskset -c "$CLI_CPU" "$LOAD" --url "https://127.0.0.1:$(port_of "$s")/" --mode keepalive --connections 4 --duration 1 --warmup 0 \
    --cert "$P/client-chain.pem" --key "$P/client.key" >/dev/null 2>&1 || true
  sleep 0.5
  local rss0 rss1 idle_pid
  rss0=$(rss_kib)
  taskset -c "$CLI_CPU" "$LOAD" --url "https://127.0.0.1:$(port_of "$s")/" --mode idle --idle-count "$IDLE_N" --duration 8 \
    --cert "$P/client-chain.pem" --key "$P/client.key" > "$WORK/run/idle.out" 2>&1 & idle_pid=$!
  sleep 6
  rss1=$(rss_kib)
  kill -INT $idle_pid 2>/dev/null || true; wait $idle_pid 2>/dev/null || true
  record "$rep" "$s" rss_per_conn_kib "$(awk -v a="$rss1" -v b="$rss0" -v n="$IDLE_N" 'BEGIN { printf "%.2f", (a - b) / n }')"
  stop_server
}

start_upstream
for rep in $(seq 1 "$REPS"); do
  if [ $((rep % 2)) -eq 1 ]; then order="nginx trustgate"; else order="trustgate nginx"; fi
  for s in $order; do log "rep $rep: $s"; run_server "$rep" "$s"; done
done

python3 - "$RESULTS" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
data = {}
for r in rows:
    data.setdefault(r["metric"], {}).setdefault(r["server"], {})[int(r["rep"])] = float(r["value"])
def ratio(metric):
    d = data.get(metric, {})
    reps = sorted(set(d.get("trustgate", {})) & set(d.get("nginx", {})))
    vals = [d["trustgate"][k] / d["nginx"][k] for k in reps if d["nginx"][k]]
    return statistics.median(vals) if vals else float("nan")
order = ["full_hs_per_s", "full_hs_per_cpu", "resumed_per_s", "resumed_per_cpu", "ka_per_s", "ka_per_cpu", "p50_ms", "p99_ms", "rss_per_conn_kib"]
print(f"| metric | nginx (median) | trustgate (median) | trustgate/nginx (median of per-rep ratios) |")
print("|---|---|---|---|")
for m in order:
    if m not in data: continue
    n = statistics.median(data[m]["nginx"].values()); t = statistics.median(data[m]["trustgate"].values())
    print(f"| {m} | {n:,.2f} | {t:,.2f} | {ratio(m):.2f} |")
print(f"trustgate/nginx: full_hs={ratio('full_hs_per_cpu'):.2f} resumed={ratio('resumed_per_cpu'):.2f} "
      f"ka_per_cpu={ratio('ka_per_cpu'):.2f} p99={ratio('p99_ms'):.2f} rss_per_conn={ratio('rss_per_conn_kib'):.2f}")
PY
