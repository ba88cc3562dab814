#!/usr/bin/env bash
# Starts `trustgate serve` configured like the benchmark anchors (nginx / HAProxy): one listener, client
# certificate required and verified against the root alone, both CRLs checked, the certificate forwarded as
# X-ARR-ClientCert, access log off, keep-alive upstream. Stays in the foreground (exec).
#
#   gateway-for-bench.sh --port P --chain SERVER_CHAIN --key KEY --ca ROOT --crl CRLS --upstream URL --work DIR [--binary PATH]
#
# Used by Benchmarks/compare-nginx.sh, and as GW_CMD for ../shared/bench (see docs/PERFORMANCE.md).
set -euo pipefail
binary="$(cd "$(dirname "$0")/.." && pwd)/.build/release/trustgate"
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --chain) chain="$2"; shift 2 ;;
    --key) key="$2"; shift 2 ;;
    --ca) ca="$2"; shift 2 ;;
    --crl) crl="$2"; shift 2 ;;
    --upstream) upstream="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --binary) binary="$2"; shift 2 ;;
    *) echo "gateway-for-bench.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$work/run"
config="$work/run/trustgate-gw.yaml"
cat > "$config" <<YAML
listeners:
  - name: bench
    address: 127.0.0.1:$port
    tls: { min_version: "1.2", http2: false }
    hosts:
      - names: ["*"]
        certificate: $chain
        key: $key
        client_certificate:
          mode: required
          policy:
            trust: { anchors: [$ca] }
            revocation: { mode: chain, crls: [$crl], require_crl: true }
upstreams:
  app: { url: "$upstream", idle_timeout: 300s, max_idle_connections: 256 }
routes:
  - { name: all, upstream: app, forward_certificate: [x-arr-clientcert] }
access_log: off
reload: { watch_files: false }
YAML
exec "$binary" serve --config "$config"
