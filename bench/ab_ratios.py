"""The B/A columns of the A/B benches (proxy-, tls- and edge-bench with EDGEWAY_B_CMD): edgeway-b against edgeway.

Each round's B run and A run are minutes apart at most: their ratio cancels the machine's drift between rounds
(and between runs of the bench), which the medians of each alone do not. So the summary is the median of the
per-round ratios, with the ratios themselves beside it.
"""
import statistics


def per_round(rows, metric, **where):
    """edgeway-b / edgeway of `metric` in each round both ran, in round order, over the rows matching `where`."""
    def by_round(target):
        return {r["round"]: float(r[metric]) for r in rows
                if r["target"] == target and all(r[k] == v for k, v in where.items())}
    a, b = by_round("edgeway"), by_round("edgeway-b")
    return [b[k] / a[k] for k in sorted(a, key=int) if k in b and a[k]]


def cells(per):
    """The two table cells 'median of per-round ratios | per round' ('—' and nothing when no round has both)."""
    median = f"{statistics.median(per):.3f}x" if per else "—"
    return f"{median} | {' '.join(f'{x:.3f}' for x in per)}"
