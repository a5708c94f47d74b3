#!/usr/bin/env bash
# The launcher's choice of java and of the proxy's start-up cache (issue 21), with fake JDKs: EDGEWAY_JAVA, then
# JAVA_HOME, then the PATH; the version from the JDK's release file (through symlinks) or from `java -version`;
# JDK 25+ gets the AOT cache (recorded at the first run, mapped once it exists), anything older AppCDS.
# pass and fail always return 0, so `cond && pass || fail` is a plain if-then-else here.
# shellcheck disable=SC2015
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
launcher=$here/../../../edgeway
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

# fake_jdk DIR VERSION-LINE [RELEASE-VERSION]: a java that prints VERSION-LINE for -version, and a release file if given.
fake_jdk() {
  mkdir -p "$1/bin"
  printf '#!/bin/sh\necho '\''%s'\'' >&2\n' "$2" >"$1/bin/java"
  chmod +x "$1/bin/java"
  [[ -z ${3:-} ]] || echo "JAVA_VERSION=\"$3\"" >"$1/release"
}
fake_jdk "$work/jdk25" 'openjdk version "99.0.0"' 25.0.3 # the release file wins: no JVM is started to read it
fake_jdk "$work/jdk17" 'openjdk version "17.0.15" 2025-04-15'
fake_jdk "$work/jdk8" 'java version "1.8.0_402"'
fake_jdk "$work/broken" 'no version here'
mkdir -p "$work/alternatives" && ln -s "$work/jdk25/bin/java" "$work/alternatives/java"
export EDGEWAY_CDS_DIR=$work/cds
unset JAVA_HOME EDGEWAY_JAVA

# jvm ENV...: the launcher's `jvm` answer with that environment, on one line.
jvm() { env "$@" "$launcher" jvm | tr '\n' ' '; }

out=$(jvm EDGEWAY_JAVA="$work/jdk25/bin/java")
[[ $out == *"version=25 "* && $out == *"-XX:AOTCacheOutput=$work/cds/dataplane-"*"-jdk25.aot"* ]] \
  && pass "JDK 25: records an AOT cache named for its JDK" || fail "JDK 25 without a cache: $out"
[[ $out != *ArchiveClassesAtExit* && $out != *SharedArchiveFile* ]] && pass "JDK 25: no AppCDS flags" || fail "$out"

mkdir -p "$work/cds" && touch "$work/cds/$(sed -n 's/.*cache=.*\/\(dataplane-[^ ]*\.aot\).*/\1/p' <<<"$out")"
out=$(jvm EDGEWAY_JAVA="$work/jdk25/bin/java")
[[ $out == *"-XX:AOTCache=$work/cds/dataplane-"*"-jdk25.aot"* && $out != *AOTCacheOutput* ]] \
  && pass "JDK 25: maps the cache once it exists" || fail "JDK 25 with a cache: $out"

out=$(jvm JAVA_HOME="$work/jdk25")
[[ $out == "java=$work/jdk25/bin/java version=25 "* ]] && pass "JAVA_HOME picks the JDK" || fail "JAVA_HOME: $out"
out=$(jvm JAVA_HOME="$work/jdk25" EDGEWAY_JAVA="$work/jdk17/bin/java")
[[ $out == "java=$work/jdk17/bin/java version=17 "* ]] && pass "EDGEWAY_JAVA wins over JAVA_HOME" || fail "$out"
out=$(jvm EDGEWAY_JAVA="$work/alternatives/java")
[[ $out == *"version=25 "* ]] && pass "a symlinked java (update-alternatives) finds its JDK's release file" || fail "$out"

out=$(jvm EDGEWAY_JAVA="$work/jdk17/bin/java")
[[ $out == *"version=17 "* && $out == *"-XX:ArchiveClassesAtExit=$work/cds/dataplane-"*".jsa"* && $out != *AOT* ]] \
  && pass "JDK 17 (version from java -version): AppCDS, no AOT flag it would refuse" || fail "JDK 17: $out"
out=$(jvm EDGEWAY_JAVA="$work/jdk17/bin/java" EDGEWAY_EXTRA_JAVA_OPTS="-agentpath:/opt/prof/libasyncProfiler.so=start")
[[ $out == *"-agentpath:/opt/prof/"* && $out != *ArchiveClassesAtExit* ]] \
  && pass "a native agent (profiler): no cache recorded, which the JVM would refuse at start" || fail "agent: $out"
touch "$work/cds/dataplane-x-jdk17.aot"
out=$(jvm PATH="$work/jdk17/bin:$PATH")
[[ $out == "java=java version=17 "* && $out != *AOT* ]] && pass "the PATH's java when nothing is set" || fail "PATH: $out"
out=$(jvm EDGEWAY_JAVA="$work/jdk8/bin/java")
[[ $out == *"version=8 "* && $out != *AOT* ]] && pass "1.8.0_402 reads as 8" || fail "Java 8: $out"
out=$(jvm EDGEWAY_JAVA="$work/broken/bin/java")
[[ $out == *"version=0 "* && $out != *AOT* ]] && pass "an unreadable version gets no JDK 25 flags" || fail "broken: $out"
out=$(jvm EDGEWAY_JAVA="$work/missing/java")
[[ $out == *"version=0 "* && $out != *AOT* ]] && pass "a missing java gets no JDK 25 flags" || fail "missing: $out"

# The proxy's warm-tail flags (issue 21): no periodic safepoint on every JDK; hsperfdata sampled once a second on
# JDK 17-24 (JDK 25 removed the sampler and warns about the flag); EDGEWAY_JAVA_OPTS replaces all defaults;
# EDGEWAY_EXTRA_JAVA_OPTS comes last, so that its flags win.
out=$(jvm EDGEWAY_JAVA="$work/jdk17/bin/java")
[[ $out == *"proxy_flags="*"-XX:GuaranteedSafepointInterval=0"*"-XX:PerfDataSamplingInterval=1000"* ]] \
  && pass "JDK 17: no periodic safepoint, hsperfdata sampled once a second" || fail "JDK 17 flags: $out"
out=$(jvm EDGEWAY_JAVA="$work/jdk25/bin/java")
[[ $out == *"-XX:GuaranteedSafepointInterval=0"* && $out != *PerfDataSamplingInterval* ]] \
  && pass "JDK 25: no periodic safepoint, no sampling flag it would warn about" || fail "JDK 25 flags: $out"
# A larger inline-cache stub buffer (fewer ICBufferFull safepoints) only where the JVM has the flag: 17.0.11+, 21.0.3+
# and 22 (backports of JDK-8314220); an older update or JDK 23+ would refuse it or has no such buffer.
for case in "17.0.11 yes" "17.0.15 yes" "17.0.10 no" "21.0.3 yes" "21.0.2 no" "22.0.1 yes" "23.0.2 no" "25.0.3 no" "17 no"; do
  v=${case% *} want=${case#* }
  fake_jdk "$work/jdk-$v" "openjdk version \"$v\"" "$v"
  out=$(jvm EDGEWAY_JAVA="$work/jdk-$v/bin/java")
  if [[ $out == *"-XX:+UnlockExperimentalVMOptions -XX:InlineCacheBufferSize=128k"* ]]; then got=yes; else got=no; fi
  [[ $got == "$want" ]] && pass "JDK $v: larger inline-cache buffer $want" || fail "JDK $v: wanted the buffer flag: $want; $out"
done
# A build of such an update without the backport refuses the flag: the launcher asks, and leaves it out.
fake_jdk "$work/jdk-refuses" 'openjdk version "17.0.12"' 17.0.12
printf '#!/bin/sh\ncase "$*" in *InlineCacheBufferSize*) echo "Unrecognized VM option" >&2; exit 1;; esac\n' >"$work/jdk-refuses/bin/java"
out=$(jvm EDGEWAY_JAVA="$work/jdk-refuses/bin/java")
[[ $out == *"proxy_flags="* && $out != *InlineCacheBufferSize* ]] \
  && pass "a JDK 17.0.12 that refuses the buffer flag starts without it" || fail "refused buffer flag: $out"
out=$(jvm EDGEWAY_JAVA="$work/jdk17/bin/java" EDGEWAY_JAVA_OPTS=-Xmx1g)
[[ $out == *"proxy_flags=-Xmx1g "* && $out != *GuaranteedSafepointInterval* && $out != *PerfDataSamplingInterval* && $out != *InlineCacheBufferSize* ]] \
  && pass "EDGEWAY_JAVA_OPTS replaces the defaults" || fail "EDGEWAY_JAVA_OPTS: $out"
out=$(jvm EDGEWAY_JAVA="$work/jdk17/bin/java" EDGEWAY_EXTRA_JAVA_OPTS=-Xlog:gc)
[[ $out == *"-XX:+UseParallelGC"*"-XX:PerfDataSamplingInterval=1000"*"InlineCacheBufferSize=128k -Xlog:gc " ]] \
  && pass "EDGEWAY_EXTRA_JAVA_OPTS is added after the defaults" || fail "EDGEWAY_EXTRA_JAVA_OPTS: $out"

# Real JVMs, where this machine has them (the PATH's java; JAVA25, default Temurin 25): each starts with exactly the
# flags the launcher gives the proxy, with the defaults and with EDGEWAY_JAVA_OPTS replacing them, and takes its
# start-up cache path from them. The fake JDKs above cannot see a flag a JVM refuses (a misspelt -Xlog tag, a
# diagnostic flag without its unlock, a JDK 25 flag given to 17): the proxy would then not start at all.
for real_java in "$(command -v java || true)" "${JAVA25:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}"; do
  [[ -n $real_java && -x $real_java ]] || { echo "skip: no real java at '$real_java'"; continue; }
  for opts in "" -Xmx256m; do
    mapfile -t lines < <(env EDGEWAY_JAVA="$real_java" EDGEWAY_JAVA_OPTS="$opts" "$launcher" jvm)
    flags="${lines[2]#proxy_flags=} ${lines[1]#options=}"
    cache=${lines[0]##*cache=}
    # shellcheck disable=SC2086 # the launcher splits its flags into words too
    real=$(cd "$work" && "$real_java" $flags -XX:+PrintFlagsFinal -version 2>&1) || true
    line=$(grep -m1 -E ' (AOTCache|AOTCacheOutput|SharedArchiveFile|ArchiveClassesAtExit) += [^ ]' <<<"$real" || true)
    [[ $line == *"= $cache "*"command line"* ]] \
      && pass "real ${lines[0]%% cache=*} (EDGEWAY_JAVA_OPTS='$opts') starts with the launcher's flags and its cache" \
      || fail "real $real_java with '$flags': $(grep -m3 -iE 'error|unrecognized|improperly' <<<"$real")"
  done
done

(( failures == 0 )) || { echo "$failures failure(s)" >&2; exit 1; }
echo "all launcher tests passed"
