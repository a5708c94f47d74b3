#!/usr/bin/env bash
# The image build's training step (deploy/scripts/edgeway-image-train.sh, run by deploy/packer): with a fake
# launcher that answers `jvm` like the real one and records how `train` was called. JDK 25+ trains once, as the
# service user, into the cache directory the unit maps; JDK 17 and an unreadable java do not train at all.
# Needs root (it switches to the service user, `nobody` here, as the image build switches to edgeway).
# pass and fail always return 0, so `cond && pass || fail` is a plain if-then-else here.
# shellcheck disable=SC2015
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
script=$here/../edgeway-image-train.sh
[[ $(id -u) -eq 0 ]] || { echo "edgeway-image-train tests: SKIPPED (needs root)"; exit 0; }
work=$(mktemp -d)
chmod 0755 "$work"
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

# fake_launcher VERSION: answers `jvm` for a java of that major version; `train` appends "user cds_dir" to a log.
fake_launcher() {
  cat >"$work/edgeway" <<FAKE
#!/bin/sh
case \$1 in
  jvm) echo "java=/usr/lib/jvm/fake/bin/java version=$1 cache=\$EDGEWAY_CDS_DIR/dataplane-x-jdk$1.aot"; echo "options=" ;;
  train) echo "\$(id -un) \$EDGEWAY_CDS_DIR" >>"$work/trained.log" ;;
  *) exit 64 ;;
esac
FAKE
  chmod 0755 "$work/edgeway"
  rm -f "$work/trained.log"
  touch "$work/trained.log" && chmod 0666 "$work/trained.log"
}
run() { EDGEWAY_LAUNCHER="$work/edgeway" EDGEWAY_CDS_DIR="$work/cache" EDGEWAY_USER=nobody "$script"; }

fake_launcher 25
run >/dev/null
[[ $(cat "$work/trained.log") == "nobody $work/cache" ]] \
  && pass "JDK 25: trains once, as the service user, into the unit's cache directory" \
  || fail "JDK 25: train calls: '$(cat "$work/trained.log")'"
[[ $(stat -c %U "$work/cache") == nobody ]] && pass "JDK 25: the cache directory belongs to the service user" \
  || fail "cache directory owned by $(stat -c %U "$work/cache")"

rm -rf "$work/cache"
fake_launcher 17
out=$(run)
[[ ! -s $work/trained.log && ! -e $work/cache ]] && pass "JDK 17: no training, no cache directory made" \
  || fail "JDK 17 trained: '$(cat "$work/trained.log")'"
[[ $out == *"java 17 has no AOT cache"* ]] && pass "JDK 17: says why it skips" || fail "JDK 17 said: $out"

fake_launcher "" # `jvm` printed no version (a missing or broken java)
run >/dev/null
[[ ! -s $work/trained.log ]] && pass "no readable version: no training" || fail "trained without a version"

(( failures == 0 )) || { echo "$failures failure(s)" >&2; exit 1; }
echo "all edgeway-image-train tests passed"
