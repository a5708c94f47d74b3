#!/usr/bin/env bash
# Control-plane fan-out benchmark: N simulated node streams in one JVM against an in-process control plane
# with 10,000 routes; time from a single-route PUT's 2xx to all N Acks, heap per stream, serializations.
# Usage: bench/control-plane-fanout.sh [node counts, default 100,1000,5000] [writes per count, default 20]
#        [modes, default full,delta: each count is measured with nodes taking full snapshots, then deltas (issue 22)]
# Env: BENCH_HEAP (default 2g); BENCH_JAVA_OPTS, extra JVM flags (e.g. -XX:StartFlightRecording=filename=f.jfr). A benchmark, not a test: numbers depend on the machine; run it alone.
set -euo pipefail
cd "$(dirname "$0")/.."
counts="${1:-100,1000,5000}"
writes="${2:-20}"
modes="${3:-full,delta}"
# The reactor compiles against this checkout's proto and proxy-dataplane, not whatever ~/.m2 holds.
# One reactor run for both: alone, control-plane's classpath would look for the sibling modules in ~/.m2, where
# nothing is installed. Each module writes the file in turn; control-plane comes last and wins.
cp_file="$(mktemp)"
trap 'rm -f "$cp_file"' EXIT
mvn -q -o -B -pl proto,web-admin,proxy-dataplane,control-plane test-compile dependency:build-classpath \
    -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test
# BENCH_JAVA_OPTS holds several flags: split into words on purpose.
# shellcheck disable=SC2086
java -Xmx"${BENCH_HEAP:-2g}" -XX:+UseG1GC -XX:+ExplicitGCInvokesConcurrent ${BENCH_JAVA_OPTS:-} \
    -Dlogback.configurationFile=bench/logback-quiet.xml \
    -cp "control-plane/target/classes:control-plane/target/test-classes:proto/target/classes:proxy-dataplane/target/classes:$(cat "$cp_file")" \
    io.edgeway.bench.FanoutBench "$counts" "$writes" "$modes"
