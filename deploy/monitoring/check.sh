#!/usr/bin/env bash
# Checks deploy/monitoring with promtool: the alert rules parse and their unit tests pass, and every query of the
# Grafana dashboard is valid PromQL (each becomes a recording rule for `promtool check rules`; Grafana's
# $__rate_interval is replaced by 5m first).
set -euo pipefail
cd "$(dirname "$0")"
promtool check rules edgeway-alerts.yml
promtool test rules edgeway-alerts.test.yml
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - edgeway-dashboard.json "$tmp/dashboard-queries.yml" <<'PY'
import json, sys
dash = json.load(open(sys.argv[1]))
exprs = [t["expr"].replace("$__rate_interval", "5m") for p in dash["panels"] for t in p.get("targets", [])]
assert exprs, "the dashboard has no queries"
with open(sys.argv[2], "w") as f:
    f.write("groups:\n  - name: dashboard\n    rules:\n")
    for i, e in enumerate(exprs):
        f.write("      - record: edgeway:dashboard_query_%d\n        expr: %s\n" % (i, json.dumps(e)))
print("dashboard: %d queries" % len(exprs))
PY
promtool check rules "$tmp/dashboard-queries.yml"
