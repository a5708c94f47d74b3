#!/usr/bin/env python3
"""What the JVM did after a proxy turned ready (bench/cold-start.sh DIAG=1), in counts that load does not distort.

usage: cold-start-diag.py READY_UPTIME_S PROXY_LOG CLASS_LOG VM_LOG

READY_UPTIME_S: the JVM's uptime when /readyz first said 200 (jstat -t). PROXY_LOG holds -XX:+PrintCompilation's
lines (first column: uptime in ms) beside the proxy's own; CLASS_LOG is -Xlog:class+load, VM_LOG -Xlog:gc,safepoint,
both with uptimemillis decorations. Prints compilations (C1 tiers 1-3, C2 tier 4, OSR) and "made not entrant"
(C1 code replaced by C2's, and C2 code thrown away: deopts) after ready, classes first loaded after ready, GC pauses and safepoints over 1 ms after ready.
"""
import collections
import re
import sys

COMPILE = re.compile(r"^\s*(\d+)\s+(\d+)\s+([%sbn! ]{5})\s*(\d)?\s+(\S+)(.*)$")
UPTIME = re.compile(r"^\[(\d+)ms\]")
WARMUP_END = re.compile(r"warm-up ended \(([^)]*)\).* in (\d+) ms.*JVM uptime (\d+) ms")
GC_PAUSE = re.compile(r"Pause .* ([\d.]+)ms$")
SAFEPOINT = re.compile(r'Safepoint "([^"]+)".*Reaching safepoint: (\d+) ns.*Total: (\d+) ns')


def top(counter, n=8):
    return ", ".join(f"{k} {v}" for k, v in counter.most_common(n)) or "-"


def main(ready_s, proxy_log, class_log, vm_log):
    ready_ms = float(ready_s) * 1000
    tiers, deopts, osr = collections.Counter(), collections.Counter(), 0
    c2_after, warmup = collections.Counter(), None
    last_compile_ms = 0
    with open(proxy_log, errors="replace") as f:
        for line in f:
            w = WARMUP_END.search(line)
            if w:
                warmup = w.groups()
            m = COMPILE.match(line)
            if not m:
                continue
            at, flags, tier, method, rest = int(m[1]), m[3], m[4], m[5], m[6]
            if at < ready_ms:
                continue
            last_compile_ms = max(last_compile_ms, at)
            if "made not entrant" in rest:
                # tiers 1-3: C1 code replaced by C2's (normal); tier 4: C2 code thrown away (a deopt)
                deopts["C2 " + method if tier == "4" else "C1 (tier-up)"] += 1
            elif "made zombie" not in rest:
                tiers[tier or "?"] += 1
                osr += "%" in flags
                if tier == "4":
                    c2_after[method.split("::")[0].rsplit(".", 1)[-1]] += 1
    classes = collections.Counter()
    with open(class_log, errors="replace") as f:
        for line in f:
            u = UPTIME.match(line)
            if u and int(u[1]) >= ready_ms:
                name = line.split("]", 1)[1].split()[0] if "]" in line else "?"
                classes[".".join(name.split(".")[:3])] += 1
    gc, safepoints, all_reasons = [], [], collections.Counter()
    with open(vm_log, errors="replace") as f:
        for line in f:
            u = UPTIME.match(line)
            s = SAFEPOINT.search(line)
            if s:
                all_reasons[s[1]] += 1
            if not u or int(u[1]) < ready_ms:
                continue
            g = GC_PAUSE.search(line.strip())
            if g and "safepoint" not in line.lower():
                gc.append(float(g[1]))
            s = SAFEPOINT.search(line)
            if s:
                safepoints.append((int(s[3]) / 1e6, int(s[2]) / 1e6, s[1]))
    slow = [s for s in safepoints if s[0] >= 1]
    print(f"  ready at JVM uptime {ready_ms:.0f} ms" + (f"; warm-up ({warmup[0]}) {warmup[1]} ms, ended at {warmup[2]} ms" if warmup else "; no warm-up"))
    print(f"  after ready: compilations by tier {dict(sorted(tiers.items()))} (OSR {osr}), last at {last_compile_ms:.0f} ms;"
          f" C2 by class: {top(c2_after)}")
    print(f"  after ready: made not entrant {sum(deopts.values())}: {top(deopts)}")
    print(f"  after ready: classes loaded {sum(classes.values())}: {top(classes)}")
    print(f"  after ready: GC pauses {len(gc)}, max {max(gc, default=0):.1f} ms, total {sum(gc):.1f} ms;"
          f" safepoints {len(safepoints)}, {len(slow)} over 1 ms, max {max(safepoints, default=(0, 0, '-'))[0]:.1f} ms"
          f" ({max(safepoints, default=(0, 0, '-'))[2]}), max time to reach {max((s[1] for s in safepoints), default=0):.1f} ms")
    # By reason: on JDK 17 "ICBufferFull" (the inline-cache stub buffer, the launcher's InlineCacheBufferSize) is not a GC's.
    print(f"  after ready: safepoints by reason: {top(collections.Counter(s[2] for s in safepoints))};"
          f" whole run: {top(all_reasons)}")


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    main(*sys.argv[1:])
