#!/usr/bin/env bash
# Runs the commands of docs/PRODUCTION.md, as written, in a Debian root that has no Swift toolchain: install the
# .deb, lay out /etc/trustgate, check the configuration as the service user, start the gateway as systemd would
# (user trustgate, only CAP_NET_BIND_SERVICE, port 443), fetch CRLs, rotate the server certificate without a
# restart, back up and restore the token store, check the Kubernetes example's configuration and logrotate's.
#
# Usage: scripts/production-guide-check.sh DEBIAN_ROOT [DEB]
#   DEBIAN_ROOT: e.g. made by `debootstrap --variant=minbase bookworm DIR` (needs root; the root needs network
#   for apt-get unless curl openssl sqlite3 logrotate jq python3 are installed in it already).
#   DEB: default dist/trustgate_$(cat VERSION)_amd64.deb (scripts/package.sh makes it).
# The root is changed (the package is installed, then purged at the end; /tmp/guide is left for inspection).
# It binds 127.0.0.1:443, :9901 and :8080 inside the root (the host's network): run it where those are free.
set -euo pipefail

die() { echo "production-guide-check: error: $*" >&2; exit 1; }
step() { echo "production-guide-check: $*" >&2; }

cd "$(dirname "${BASH_SOURCE[0]}")/.."
[[ $# -ge 1 ]] || die "usage: $0 DEBIAN_ROOT [DEB]"
CH=$(cd "$1" && pwd)
VERSION=$(tr -d '[:space:]' < VERSION)
DEB=${2:-dist/trustgate_${VERSION}_amd64.deb}
[[ $(id -u) == 0 ]] || die "needs root (chroot)"
[[ -x $CH/usr/bin/apt-get ]] || die "$CH is not a Debian root"
[[ -f $DEB ]] || die "no $DEB: run scripts/package.sh first"
[[ -e $CH/opt/swift ]] && die "$CH has /opt/swift: the check would prove nothing"
for port in 443 9901 8080; do
    ss -ltn "sport = :$port" | grep -q LISTEN && die "port $port is in use on this machine"
done

# /proc mounted in a private mount namespace: the Swift runtime reads its arguments from /proc/self/cmdline.
in_root() {
    # shellcheck disable=SC2016 # expanded by the inner shell
    unshare --mount sh -c 'mount -t proc proc "$0/proc" && exec chroot "$0" "$@"' "$CH" \
        env -i PATH=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root DEBIAN_FRONTEND=noninteractive "$@"
}
[[ -f $CH/etc/resolv.conf ]] || cp /etc/resolv.conf "$CH/etc/resolv.conf"
in_root sh -c 'command -v curl && command -v openssl && command -v sqlite3 && command -v logrotate && command -v jq && command -v python3' > /dev/null 2>&1 \
    || in_root sh -c 'apt-get update -q && apt-get install -y -q --no-install-recommends curl openssl sqlite3 logrotate jq python3 ca-certificates' > /dev/null

rm -rf "$CH/tmp/guide"
mkdir -p "$CH/tmp/guide"
cp "$DEB" "$CH/tmp/guide/"
TARBALL=$(dirname "$DEB")/trustgate-$VERSION-linux-x86_64.tar.gz
[[ -f $TARBALL ]] || die "no $TARBALL next to $DEB"
cp "$TARBALL" "$CH/tmp/guide/"
cp docs/examples/echo-upstream.py "$CH/tmp/guide/"
# The Kubernetes example's ConfigMap, as the guide shows it.
python3 - docs/PRODUCTION.md "$CH/tmp/guide/k8s-gateway.yaml" << 'PY'
import re, sys
text = open(sys.argv[1]).read()
blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
manifest = next(b for b in blocks if "kind: ConfigMap" in b)
try:
    import yaml
    docs = list(yaml.safe_load_all(manifest))
    gateway = docs[0]["data"]["gateway.yaml"]
except ImportError:  # without PyYAML: cut the block scalar out by its indentation
    lines = manifest.split("\n")
    start = next(i for i, l in enumerate(lines) if l.startswith("  gateway.yaml: |")) + 1
    body = []
    for l in lines[start:]:
        if l and not l.startswith("    "):
            break
        body.append(l[4:])
    gateway = "\n".join(body)
open(sys.argv[2], "w").write(gateway)
PY

# The guide's commands, in its order. A stand-in for the corporate PKI comes first (the guide assumes you have one).
cat > "$CH/tmp/guide/run.sh" << 'GUIDE'
set -euxo pipefail
# (No `grep -q` at the end of a pipe: it stops reading early, the writer dies of SIGPIPE and pipefail fails.)
cd /tmp/guide
as_service() { setpriv --reuid=trustgate --regid=trustgate --init-groups "$@"; }

# --- Install
apt-get install -y -q ./trustgate_*_amd64.deb
trustgate version | grep -x 'trustgate [0-9].*'
id trustgate
stat -c '%a %U:%G %n' /etc/trustgate /etc/trustgate/gateway.yaml /etc/trustgate/tls /var/lib/trustgate

# --- A stand-in corporate PKI
trustgate pki init-ca --dir pki/clients --name "CN=Corp Root CA, O=Corp" --intermediate --intermediate-name "CN=Corp Issuing CA, O=Corp" > /dev/null
trustgate pki init-ca --dir pki/servers --name "CN=Corp Server CA, O=Corp" > /dev/null
trustgate pki issue --ca pki/servers --type server --cn gateway.example.com --dns gateway.example.com --ip 127.0.0.1 --out server > /dev/null
trustgate pki issue --ca pki/clients --type client --subject "CN=orders, OU=Payments, O=Corp" --out client > /dev/null
trustgate pki issue --ca pki/clients --type client --cn revoked --out revoked > /dev/null
trustgate pki revoke --ca pki/clients --cert revoked.pem --reason keyCompromise > /dev/null
cp pki/clients/root.pem clients-root.pem
cp pki/clients/intermediate.pem clients-intermediates.pem
trustgate pki crl --ca pki/clients --out crl.pem > /dev/null

# --- File layout and permissions
install -m 0640 -g trustgate server-chain.pem /etc/trustgate/tls/server-chain.pem
install -m 0640 -g trustgate server.key /etc/trustgate/tls/server.key
install -m 0640 -g trustgate clients-root.pem clients-intermediates.pem crl.pem /etc/trustgate/ca/
setpriv --reuid=trustgate --regid=trustgate --init-groups trustgate serve --config /etc/trustgate/gateway.yaml --check-config | tail -3

# --- Your own corporate CA
trustgate cert inspect /etc/trustgate/ca/clients-root.pem | head -3
trustgate check --policy /etc/trustgate/policy.yaml client-chain.pem | head -1
if trustgate check --policy /etc/trustgate/policy.yaml revoked-chain.pem > revoked.txt; then exit 1; fi
grep -q revoked revoked.txt
cp client.pem /tmp/guide/client-only.pem
( cd /tmp/guide && trustgate cert inspect client.pem | grep Subject && openssl x509 -in client.pem -noout -subject -nameopt RFC2253 )

# --- Getting CRLs onto disk (file:// URLs stand in for the CA's web server; one DER, one PEM)
trustgate pki crl --ca pki/clients --der --out issuing.crl > /dev/null
trustgate pki crl --ca pki/clients --root --out root.crl.pem > /dev/null
install -m 0755 /usr/share/doc/trustgate/examples/trustgate-fetch-crls /usr/local/sbin/trustgate-fetch-crls
install -m 0644 /usr/share/doc/trustgate/examples/trustgate-fetch-crls.service /usr/share/doc/trustgate/examples/trustgate-fetch-crls.timer /etc/systemd/system/
cat > /etc/trustgate/crl-urls << EOF
# one URL per line: every CA of the chain, root included (revocation.mode: chain checks them all)
file:///tmp/guide/issuing.crl
file:///tmp/guide/root.crl.pem
EOF
trustgate-fetch-crls
stat -c '%a %U:%G' /etc/trustgate/ca/crl.pem | grep -qx '640 root:trustgate'

# --- Start the gateway as the unit does: user trustgate, CAP_NET_BIND_SERVICE only, empty environment, port 443
sed -i 's/address: 0.0.0.0:443 /address: 127.0.0.1:443 /' /etc/trustgate/gateway.yaml
python3 echo-upstream.py 8080 > upstream.log 2>&1 &
echo $! > upstream.pid
setpriv --reuid=trustgate --regid=trustgate --init-groups --inh-caps=+net_bind_service --ambient-caps=+net_bind_service \
    env -i /usr/bin/trustgate serve --config /etc/trustgate/gateway.yaml > access.log 2> gateway.log &
echo $! > gateway.pid
for _ in $(seq 50); do curl -s -o /dev/null http://127.0.0.1:9901/readyz && break; sleep 0.2; done
for _ in $(seq 50); do curl -s -o /dev/null http://127.0.0.1:8080/ && break; sleep 0.2; done   # the stand-in app
grep -q 'starting trustgate' gateway.log
curl -s http://127.0.0.1:9901/metrics | grep '^trustgate_build_info'
R="--resolve gateway.example.com:443:127.0.0.1 --cacert pki/servers/root.pem"
curl -s -o /dev/null -w '%{http_code}\n' $R --cert client-chain.pem --key client.key https://gateway.example.com/hello | grep -qx 200
curl -s -o /dev/null -w '%{http_code}\n' $R --cert revoked-chain.pem --key revoked.key https://gateway.example.com/hello | grep -qx 403

# --- Rotating the server certificate
old_serial=$(openssl s_client -connect 127.0.0.1:443 -servername gateway.example.com < /dev/null 2> /dev/null | openssl x509 -noout -serial)
trustgate pki issue --ca pki/servers --type server --cn gateway.example.com --dns gateway.example.com --ip 127.0.0.1 --days 90 --out new > /dev/null
trustgate cert inspect new-chain.pem | grep -E 'Subject|SAN|Not'
[ "$(openssl x509 -in new-chain.pem -noout -pubkey | openssl sha256)" = "$(openssl pkey -in new.key -pubout | openssl sha256)" ]
install -m 0640 -g trustgate new.key /etc/trustgate/tls/server.key.next
install -m 0640 -g trustgate new-chain.pem /etc/trustgate/tls/server-chain.pem.next
mv /etc/trustgate/tls/server.key.next /etc/trustgate/tls/server.key && mv /etc/trustgate/tls/server-chain.pem.next /etc/trustgate/tls/server-chain.pem
for _ in $(seq 50); do grep -q 'configuration reloaded' gateway.log && break; sleep 0.2; done
grep -q 'configuration reloaded' gateway.log
curl -s http://127.0.0.1:9901/metrics | grep 'trustgate_certificate_expiry_days{kind="server_certificate"'
openssl s_client -connect 127.0.0.1:443 -servername gateway.example.com < /dev/null 2> /dev/null | openssl x509 -noout -serial -enddate
new_serial=$(openssl s_client -connect 127.0.0.1:443 -servername gateway.example.com < /dev/null 2> /dev/null | openssl x509 -noout -serial)
[ "$old_serial" != "$new_serial" ]
curl -s http://127.0.0.1:9901/metrics | grep '^trustgate_config_last_reload_successful 1' > /dev/null
# What the guide says of a poll between the two renames: that reload is refused, the old pair keeps serving, the
# next poll applies the pair.
trustgate pki issue --ca pki/servers --type server --cn gateway.example.com --dns gateway.example.com --ip 127.0.0.1 --days 60 --out third > /dev/null
install -m 0640 -g trustgate third.key /etc/trustgate/tls/server.key
for _ in $(seq 50); do grep -q 'the key does not match the certificate' gateway.log && break; sleep 0.2; done
grep 'configuration reload refused' gateway.log | grep 'the key does not match the certificate' > /dev/null
curl -s http://127.0.0.1:9901/metrics | grep '^trustgate_config_last_reload_successful 0' > /dev/null
[ "$(openssl s_client -connect 127.0.0.1:443 -servername gateway.example.com < /dev/null 2> /dev/null | openssl x509 -noout -serial)" = "$new_serial" ]
install -m 0640 -g trustgate third-chain.pem /etc/trustgate/tls/server-chain.pem
for _ in $(seq 50); do curl -s http://127.0.0.1:9901/metrics | grep '^trustgate_config_last_reload_successful 1' && break; sleep 0.2; done > /dev/null
curl -s http://127.0.0.1:9901/metrics | grep '^trustgate_config_last_reload_successful 1' > /dev/null

# The guide's variant: certificate and key in a directory behind a symlink, swapped with one rename.
mkdir -p /etc/trustgate/tls/2026-11 /etc/trustgate/tls/2026-12
install -m 0640 -g trustgate third-chain.pem /etc/trustgate/tls/2026-11/server-chain.pem
install -m 0640 -g trustgate third.key /etc/trustgate/tls/2026-11/server.key
ln -sfn 2026-11 /etc/trustgate/tls/current
sed -i 's#tls/server-chain.pem#tls/current/server-chain.pem#; s#tls/server.key#tls/current/server.key#' /etc/trustgate/gateway.yaml
kill -HUP "$(cat gateway.pid)"
for _ in $(seq 50); do [ "$(grep -c 'configuration reloaded' gateway.log)" -ge 3 ] && break; sleep 0.2; done
trustgate pki issue --ca pki/servers --type server --cn gateway.example.com --dns gateway.example.com --ip 127.0.0.1 --days 30 --out fourth > /dev/null
install -m 0640 -g trustgate fourth-chain.pem /etc/trustgate/tls/2026-12/server-chain.pem
install -m 0640 -g trustgate fourth.key /etc/trustgate/tls/2026-12/server.key
cd /etc/trustgate
ln -sfn 2026-12 tls/current.new && mv -T tls/current.new tls/current
cd /tmp/guide
fourth_serial=$(openssl x509 -in fourth.pem -noout -serial)
for _ in $(seq 50); do [ "$(openssl s_client -connect 127.0.0.1:443 -servername gateway.example.com < /dev/null 2> /dev/null | openssl x509 -noout -serial)" = "$fourth_serial" ] && break; sleep 0.2; done
[ "$(openssl s_client -connect 127.0.0.1:443 -servername gateway.example.com < /dev/null 2> /dev/null | openssl x509 -noout -serial)" = "$fourth_serial" ]
if grep 'the key does not match' gateway.log | sed -n 2p | grep . > /dev/null; then exit 1; fi   # the swap refused nothing

# --- Logs: the access log is JSON lines (the guide filters the journal for them with jq)
grep '^{' access.log | jq -c 'select(.status >= 400) | {status, verdict}'
cat > /etc/logrotate.d/trustgate << 'EOF'
/var/log/trustgate/access.log {
    daily
    rotate 14
    compress
    delaycompress
    missingok
    notifempty
    copytruncate
}
EOF
logrotate -d /etc/logrotate.d/trustgate 2>&1 | grep 'rotating pattern: /var/log/trustgate/access.log' > /dev/null

kill -TERM "$(cat gateway.pid)"
wait "$(cat gateway.pid)" || true
grep -q '^trustgate: stopped' gateway.log

# --- The token store: backup and restore
trustgate keys create-store-key /root/store.key
install -m 0400 -o trustgate -g trustgate /root/store.key /etc/trustgate/store.key && shred -u /root/store.key
setpriv --reuid=trustgate --regid=trustgate --init-groups trustgate resource add api://orders --name Orders --role orders.read --store /var/lib/trustgate/tokens.db
setpriv --reuid=trustgate --regid=trustgate --init-groups trustgate keys rotate --store /var/lib/trustgate/tokens.db --key-file /etc/trustgate/store.key > /dev/null
install -d -m 0700 /var/backups/trustgate
sqlite3 /var/lib/trustgate/tokens.db ".backup '/var/backups/trustgate/tokens-$(date +%F).db'"
sqlite3 /var/backups/trustgate/tokens-$(date +%F).db 'PRAGMA integrity_check' | grep -qx ok
trustgate resource list --store /var/backups/trustgate/tokens-$(date +%F).db | grep api://orders > /dev/null
cp /etc/trustgate/store.key /root/store.key.backup
rm -f /var/lib/trustgate/tokens.db-wal /var/lib/trustgate/tokens.db-shm
install -m 0600 -o trustgate -g trustgate /var/backups/trustgate/tokens-$(date +%F).db /var/lib/trustgate/tokens.db
cp /var/lib/trustgate/tokens.db /root/verify.db && trustgate keys rotate --store /root/verify.db --key-file /etc/trustgate/store.key && rm /root/verify.db
# ... and with the wrong key it refuses, as the guide says.
trustgate keys create-store-key /root/wrong.key > /dev/null
cp /var/lib/trustgate/tokens.db /root/verify.db
if trustgate keys rotate --store /root/verify.db --key-file /root/wrong.key 2> wrong.txt; then exit 1; fi
grep -q 'the store key does not match' wrong.txt
rm -f /root/verify.db /root/wrong.key
rm -f /root/store.key.backup

# --- Kubernetes: the ConfigMap's gateway.yaml with files where the pod mounts them
mkdir -p /etc/trustgate/config
cp k8s-gateway.yaml /etc/trustgate/config/gateway.yaml
cp /etc/trustgate/tls/server-chain.pem /etc/trustgate/tls/tls.crt
cp /etc/trustgate/tls/server.key /etc/trustgate/tls/tls.key
trustgate serve --config /etc/trustgate/config/gateway.yaml --check-config | tail -1 | grep -qx 'configuration OK'
rm -rf /etc/trustgate/config /etc/trustgate/tls/tls.crt /etc/trustgate/tls/tls.key

kill "$(cat upstream.pid)" || true
rm -f /etc/logrotate.d/trustgate /usr/local/sbin/trustgate-fetch-crls /etc/systemd/system/trustgate-fetch-crls.*
apt-get purge -y -q trustgate > /dev/null
test ! -e /usr/bin/trustgate
test -d /var/lib/trustgate
rm -rf /var/lib/trustgate /etc/trustgate /var/backups/trustgate
userdel trustgate

# --- From the tarball instead (libsqlite3-0 is installed: sqlite3 depends on it)
tar -xzf trustgate-*-linux-x86_64.tar.gz
cd trustgate-*-linux-x86_64
install -m 0755 bin/trustgate /usr/bin/trustgate
install -m 0644 trustgate.service /lib/systemd/system/trustgate.service
useradd --system --user-group --home-dir /var/lib/trustgate --no-create-home --shell /usr/sbin/nologin trustgate
install -d -m 0700 -o trustgate -g trustgate /var/lib/trustgate
install -d -m 0750 -g trustgate /etc/trustgate /etc/trustgate/tls /etc/trustgate/ca
install -m 0640 -g trustgate examples/gateway.yaml examples/policy.yaml /etc/trustgate/
setpriv --reuid=trustgate --regid=trustgate --init-groups trustgate version | grep -x 'trustgate [0-9].*'
rm -rf /usr/bin/trustgate /lib/systemd/system/trustgate.service /var/lib/trustgate /etc/trustgate
userdel trustgate
GUIDE
step "running the guide's commands in $CH (trace: $CH/tmp/guide/trace.txt)"
if ! in_root bash /tmp/guide/run.sh > "$CH/tmp/guide/trace.txt" 2>&1; then
    tail -30 "$CH/tmp/guide/trace.txt" >&2
    [[ -f $CH/tmp/guide/gateway.log ]] && tail -5 "$CH/tmp/guide/gateway.log" >&2
    for pid in gateway upstream; do
        [[ -f $CH/tmp/guide/$pid.pid ]] && kill "$(cat "$CH/tmp/guide/$pid.pid")" 2> /dev/null || true
    done
    die "a command of the guide failed (above)"
fi
step "every command ran as the guide writes it"
