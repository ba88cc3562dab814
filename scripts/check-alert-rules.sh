#!/usr/bin/env bash
# Checks docs/alerts/trustgate.rules.yml: every trustgate_* metric it names is one the gateway exports (as named
# in Sources/TrustGateGateway/Operations/GatewayMetrics.swift), the rules parse (`promtool check rules`) and they
# fire as their unit tests expect (`promtool test rules`). promtool comes with Debian's prometheus package; without
# it only the metric names are checked, with a notice.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
RULES=docs/alerts/trustgate.rules.yml
TESTS=docs/alerts/trustgate.rules.test.yml
METRICS=Sources/TrustGateGateway/Operations/GatewayMetrics.swift

missing=0
for name in $(grep -o 'trustgate_[a-z0-9_]*' "$RULES" | sort -u); do
    # Rule names such as trustgate.rules are not metrics; metric names appear quoted in the registry.
    if ! grep -q "\"$name\"" "$METRICS"; then
        echo "check-alert-rules: $RULES names $name, which $METRICS does not export" >&2
        missing=1
    fi
done
[[ $missing == 0 ]] || exit 1
echo "check-alert-rules: every metric in $RULES exists"

if ! command -v promtool > /dev/null; then
    echo "check-alert-rules: NOTICE: promtool not found (apt-get install prometheus); rules not parsed or tested" >&2
    exit 0
fi
promtool check rules "$RULES"
(cd "$(dirname "$TESTS")" && promtool test rules "$(basename "$TESTS")")
