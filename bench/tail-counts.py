"""Summary for bench/tail-counts.sh: argv = run directory, proxy CPU.

Reads, per target (edgeway, nginx): NAME.wrk (latency), NAME.before/.after (per-thread counters from /proc),
NAME.timehist (perf sched timehist --state of the proxy's CPU), and for edgeway the JVM log lines written
during its window (edgeway.jvm-window). Prints counts: what stopped or preempted the thread that serves."""
import collections
import os
import re
import sys

run, cpu = sys.argv[1], int(sys.argv[2])


def wrk(name):
    text = open(os.path.join(run, name + ".wrk")).read()
    reqs = re.search(r"(\d+) requests in", text).group(1)
    p = {k: v for k, v in re.findall(r"^\s+(50|99)%\s+(\S+)", text, re.M)}
    tail = re.search(r"^tail (\d+) (\d+)", text, re.M)
    return f"{reqs} requests, p50 {p.get('50')} p99 {p.get('99')} p99.9 {int(tail.group(1)) / 1000:.2f}ms max {int(tail.group(2)) / 1000:.2f}ms"


def threads(path):
    out = {}
    for line in open(path):
        f = line.split()
        if len(f) == 10:
            out[f[0]] = (f[1], *map(int, f[2:]))
    return out


def thread_deltas(name):
    before, after = threads(os.path.join(run, name + ".before")), threads(os.path.join(run, name + ".after"))
    rows = []
    for tid, a in after.items():
        b = before.get(tid, (a[0],) + (0,) * 8)
        d = [x - y for x, y in zip(a[1:8], b[1:8])]
        if any(d[:7]):
            rows.append((tid, a[0], *d, a[8]))
    return sorted(rows, key=lambda r: -r[3])  # by run time


def print_threads(name, rows):
    print(f"  threads with activity in the window (from /proc/PID/task; {len(rows)} of them):")
    print("    tid      name                      cpu-ms  run-ms   slices  vol-cs  invol-cs  minflt  last-cpu")
    for tid, comm, ticks, run_ns, wait_ns, slices, vol, inv, minflt, last in rows[:14]:
        print(f"    {tid:<8} {comm[:24]:<24} {ticks * 10:>7} {run_ns / 1e6:>7.1f} {slices:>8} {vol:>7} {inv:>9} {minflt:>7} {last:>9}")
    total_flt = sum(r[8] for r in rows)
    print(f"    minor page faults, all threads: {total_flt}")
    rss = os.path.join(run, name + ".rss")
    if os.path.exists(rss):
        print(f"    RSS at the end of the window: {int(open(rss).read().split()[0]) // 1024} MiB")


def timehist(name, serving_tid):
    """Rows of the proxy CPU; the serving thread's time off CPU after each preemption (state R) and who ran."""
    path = os.path.join(run, name + ".timehist")
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        print("  (no perf sched data)")
        return
    row = re.compile(r"^\s*([\d.]+)\s+\[(\d+)\]\s+(.+?)\[(\d+)(?:/(\d+))?\]\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+(\S+)")
    rows = []
    for line in open(path):
        m = row.match(line)
        if m and int(m.group(2)) == cpu:
            rows.append((float(m.group(1)), m.group(3).strip(), m.group(4), m.group(5) or m.group(4),
                         float(m.group(6)), float(m.group(7)), float(m.group(8)), m.group(9)))
    if not rows:
        print("  (no rows for the CPU)")
        return
    span = rows[-1][0] - rows[0][0]
    serving_pid = next((r[3] for r in rows if r[2] == serving_tid), None)
    by = collections.defaultdict(lambda: [0, 0.0])
    for r in rows:
        who = label(r, serving_pid)
        by[who][0] += 1
        by[who][1] += r[6]
    print(f"  who ran on CPU {cpu} during {span:.1f}s (perf sched; the proxy's own threads by name):")
    for who, (n, ms) in sorted(by.items(), key=lambda kv: -kv[1][1])[:14]:
        print(f"    {who[:40]:<40} {n:>7} slices {ms:>9.1f} ms")
    # The serving thread's gaps: each time it left the CPU preempted (state R), who took the CPU from it (the
    # next task on the CPU) and how long it stayed off (the wait time of its next slice).
    mine = [i for i, r in enumerate(rows) if r[2] == serving_tid]
    gaps, preemptors, sleeps_late = [], collections.Counter(), []
    for a, b in zip(mine, mine[1:]):
        if rows[a][7] == "R":
            ran = collections.Counter()
            for r in rows[a + 1:b]:
                ran[label(r, serving_pid)] += r[6]
            if rows[a + 1][2] != serving_tid:  # not its own next slice (a reschedule with nothing else to run)
                preemptors[label(rows[a + 1], serving_pid)] += 1
            gaps.append((rows[b][4], ran))
        elif rows[b][5] > 0.5:  # woken, then waited over 0.5 ms for the CPU
            sleeps_late.append(rows[b][5])
    gaps.sort(key=lambda g: -g[0])
    ms = [g[0] for g in gaps]
    print(f"  serving thread {serving_tid}: {len(mine)} slices; preempted {len(gaps)} times, off CPU then "
          f"{sum(ms):.1f} ms in all; >0.5ms {sum(m > 0.5 for m in ms)}, >1ms {sum(m > 1 for m in ms)}, "
          f">2ms {sum(m > 2 for m in ms)}, >5ms {sum(m > 5 for m in ms)}, max {max(ms, default=0):.2f} ms")
    own = sum(n for k, n in preemptors.items() if not k.startswith("other: ") and not k.startswith(KERNEL))
    kern = sum(n for k, n in preemptors.items() if k.startswith(KERNEL))
    others = sum(n for k, n in preemptors.items() if k.startswith("other: "))
    print(f"    preempted by its own process's threads {own} times, by kernel threads {kern}, by other processes "
          f"{others}, rescheduled at once {len(gaps) - own - kern - others}")
    print("    its own preemptors: " + (", ".join(f"{k} {n}" for k, n in preemptors.most_common()
                                              if not k.startswith("other: ") and not k.startswith(KERNEL)) or "none"))
    print("    preempted by (the next task on the CPU): " + ", ".join(f"{k} {n}" for k, n in preemptors.most_common(10)))
    print(f"    woken but waited > 0.5 ms for the CPU: {len(sleeps_late)} times, max {max(sleeps_late, default=0):.2f} ms")
    for off, ran in gaps[:6]:
        top = ", ".join(f"{k} {v:.2f}" for k, v in ran.most_common(4))
        print(f"    {off:6.2f} ms off: {top}")


KERNEL = ("kworker", "ksoftirq", "kdamond", "rcu", "migration", "swapper", "<idle>", "cpuhp", "watchdog")


def label(r, serving_pid):
    """The proxy's own threads by name, kernel threads by name, anything else as another process."""
    if r[3] == serving_pid:
        return r[1]
    return r[1] if r[1].startswith(KERNEL) else "other: " + r[1]


def jvm_window():
    path = os.path.join(run, "edgeway.jvm-window")
    lines = open(path).read().splitlines() if os.path.exists(path) else []
    sp = collections.defaultdict(list)
    reach = collections.defaultdict(list)
    gcs, compiles = [], 0
    for line in lines:
        m = re.search(r'Safepoint "([^"]+)".*Reaching safepoint: (\d+) ns.*Total: (\d+) ns', line)
        if m:
            sp[m.group(1)].append(int(m.group(3)) / 1e6)
            reach[m.group(1)].append(int(m.group(2)) / 1e6)
            continue
        m = re.search(r"GC\(\d+\) (Pause .*?) ([\d.]+)ms$", line)
        if m:
            gcs.append(float(m.group(2)))
            continue
        if re.match(r"^\[[\d.]+s\]\s+\d+\s", line):
            compiles += 1
    print("  safepoints in the window (reason: count, total / max ms, max time to reach):")
    for k, v in sorted(sp.items(), key=lambda kv: -sum(kv[1])):
        print(f"    {k:<32} {len(v):>5}  {sum(v):8.2f} / {max(v):6.2f}   reach max {max(reach[k]):.2f}")
    if not sp:
        print("    none")
    print(f"  GC pauses: {len(gcs)}, total {sum(gcs):.1f} ms, max {max(gcs, default=0):.2f} ms "
          "(a loaded machine stretches them: the GC thread's own CPU time per pause is in the thread table)")
    print(f"  JIT compilations (incl. OSR, deopt-recompiles): {compiles}")


for name in ("edgeway", "nginx"):
    if not os.path.exists(os.path.join(run, name + ".wrk")):
        continue
    print(f"\n== {name}: {wrk(name)}")
    rows = thread_deltas(name)
    print_threads(name, rows)
    serving = rows[0][0] if rows else None
    if name == "edgeway":
        jvm_window()
    timehist(name, serving)
