"""bench/cold-start.sh's summary: python3 bench/cold-start-summary.py CSV (a Markdown table on stdout)."""
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
opts = list(dict.fromkeys(r["option"] for r in rows))
med = statistics.median
print("| option | ready ms | CPU ms to ready | JIT compiles at ready | CPU ms to steady | p99 1st s ms | median per-second p99 ms | worst per-second p99 ms | max stall ms | last-10 s p99 ms | worst p99 / last-10 s p99 | CPU-µs/req over the load |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
res = {}
for o in opts:
    rs = [r for r in rows if r["option"] == o]
    rounds = sorted({r["round"] for r in rs})
    per = {k: [] for k in ("ready", "cpu", "jit", "steady", "first", "medp99", "worst", "max", "tail", "ratio", "cpureq")}
    for rd in rounds:
        x = sorted((r for r in rs if r["round"] == rd), key=lambda r: int(r["second"]))
        p99 = [float(r["p99_us"]) / 1000 for r in x]
        per["ready"].append(float(x[0]["ready_ms"])); per["cpu"].append(float(x[0]["cpu_ms_to_ready"]))
        if x[0]["jit_at_ready"]: per["jit"].append(float(x[0]["jit_at_ready"]))
        per["first"].append(p99[0]); per["medp99"].append(med(p99)); per["worst"].append(max(p99))
        per["max"].append(max(float(r["max_us"]) for r in x) / 1000)
        tail = med(p99[-10:]); per["tail"].append(tail); per["ratio"].append(max(p99) / tail)
        # Steady: the first second whose CPU per request is within 1.25x of the last 10 s's median; the CPU
        # spent from exec until then (JIT threads included) is what reaching full speed cost.
        cpr = [float(r["cpu_ms"]) * 1000 / max(1, int(r["requests"])) for r in x]
        settled = med(cpr[-10:]) * 1.25
        first_steady = next((i for i, c in enumerate(cpr) if c <= settled), len(cpr))
        per["steady"].append(float(x[0]["cpu_ms_to_ready"]) + sum(float(r["cpu_ms"]) for r in x[:first_steady]))
        per["cpureq"].append(sum(float(r["cpu_ms"]) for r in x) * 1000 / max(1, sum(int(r["requests"]) for r in x)))
    m = {k: (med(v) if v else None) for k, v in per.items()}
    res[o] = m
    f = lambda v, p="{:.1f}": "—" if v is None else p.format(v)
    print(f"| {o} | {f(m['ready'], '{:.0f}')} | {f(m['cpu'], '{:.0f}')} | {f(m['jit'], '{:.0f}')} | {f(m['steady'], '{:.0f}')} | {f(m['first'], '{:.2f}')} | "
          f"{f(m['medp99'], '{:.2f}')} | {f(m['worst'], '{:.2f}')} | {f(m['max'])} | {f(m['tail'], '{:.2f}')} | {f(m['ratio'], '{:.2f}x')} | {f(m['cpureq'])} |")
if "nginx" in res:
    print("\n| vs nginx started fresh (medians of rounds) | worst per-second p99 | max stall | p99 1st s |")
    print("|---|---:|---:|---:|")
    n = res["nginx"]
    for o in opts:
        if o != "nginx":
            r = res[o]
            print(f"| {o} / nginx | {r['worst'] / n['worst']:.2f}x | {r['max'] / n['max']:.2f}x | {r['first'] / n['first']:.2f}x |")
# An A/B run (EDGEWAY_B_CMD): OPTION is this build, OPTION-b the other one, started alike in the same rotation.
pairs = [o for o in opts if o + "-b" in res]
if pairs:
    print("\n| A / B (medians of rounds; below 1 = A better) | ready ms | CPU ms to steady | p99 1st s | worst per-second p99 | max stall | CPU-µs/req |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    ratio = lambda a, b: "—" if a is None or not b else f"{a / b:.2f}x"
    for o in pairs:
        a, b = res[o], res[o + "-b"]
        print(f"| {o} / {o}-b | " + " | ".join(ratio(a[k], b[k]) for k in ("ready", "steady", "first", "worst", "max", "cpureq")) + " |")
