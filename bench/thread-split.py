#!/usr/bin/env python3
"""CPU-µs per request of each Edgeway JVM thread group, per run: reads proxy-bench.sh's THREADS_OUT directory.

    THREADS_OUT=/tmp/threads OBSERVABILITY=1 bench/proxy-bench.sh && bench/thread-split.py /tmp/threads

Why (issue 16): the bench's CPU-µs per request is the whole JVM's (event loop, access-log writer, GC, JIT);
this says which thread a difference between two targets is in. Threads are grouped by name without digits.
"""
import collections
import os
import re
import sys


def ticks(path):
    out = {}
    for line in open(path):
        tid, rest = line.rstrip("\n").split("|", 1)
        name, t = rest.rsplit("|", 1)  # a thread's name may hold a "|"
        out[tid] = (name, int(t))
    return out


def main(d):
    hz = os.sysconf("SC_CLK_TCK")
    for run in sorted(f[: -len("-before")] for f in os.listdir(d) if f.endswith("-before")):
        if not os.path.exists(f"{d}/{run}-after"):
            continue
        before, after = ticks(f"{d}/{run}-before"), ticks(f"{d}/{run}-after")
        reqs = int(open(f"{d}/{run}-reqs").read().split()[0])
        groups = collections.Counter()
        for tid, (name, t) in after.items():
            groups[re.sub(r"[0-9]+", "#", name)] += t - before.get(tid, (name, 0))[1]
        us = {g: v / hz * 1e6 / reqs for g, v in groups.items() if v}
        print(f"{run}: {reqs} requests, {sum(us.values()):.2f} CPU-us/req: "
              + ", ".join(f"{g} {v:.2f}" for g, v in sorted(us.items(), key=lambda kv: -kv[1])))


if __name__ == "__main__":
    main(sys.argv[1])
