// What a config write would change (a dry run's plan) and how far the fleet got applying it.
import { api } from '../api.js';
import { el, table } from '../dom.js';

export function planView(plan) {
  const rows = [
    ...plan.created.map((c) => ['create', c.kind, c.name, '']),
    ...plan.updated.map((c) => ['update', c.kind, c.name, (c.fields || []).join(', ')]),
    ...plan.deleted.map((c) => ['delete', c.kind, c.name, '']),
  ];
  return el('div', { className: 'plan' },
    table('Planned changes', ['Change', 'Kind', 'Name', 'Fields'], rows, 'Nothing would change'),
    plan.problems.length === 0 ? null : el('ul', { className: 'problems', role: 'alert' },
      plan.problems.map((p) => el('li', {}, `${p.field}: ${p.message}`))));
}

/** The ?wait=applied report: which nodes applied, still pend, refused, or were not connected. */
export function convergenceView(c) {
  if (!c) return null;
  return el('dl', { className: 'fields', id: 'convergence' },
    el('dt', {}, 'Revision'), el('dd', {}, String(c.version)),
    el('dt', {}, 'Applied by'), el('dd', {}, c.applied.join(', ') || 'no node'),
    el('dt', {}, 'Pending'), el('dd', {}, c.pending.join(', ') || 'none'),
    el('dt', {}, 'Rejected by'), el('dd', {}, c.rejected.map((r) => `${r.node}: ${r.error}`).join('; ') || 'none'),
    el('dt', {}, 'Disconnected'), el('dd', {}, c.disconnected.join(', ') || 'none'),
    // applied, but without these entities (issue 22): e.g. a site whose files that node could not fetch
    el('dt', {}, 'Applied with quarantined'),
    el('dd', {}, (c.quarantined || []).map((q) => `${q.node}: ${q.entities.join(', ')}`).join('; ') || 'none'));
}

/** While a write waits for the fleet, says every second how many nodes run the newest revision. */
export function watchFleet(line, done) {
  const tick = async () => {
    try {
      const nodes = (await api('/api/v1/nodes?size=1000')).body.data.filter((n) => n.connected);
      if (done.stopped) return;
      const desired = nodes.reduce((max, n) => Math.max(max, n.desired_version || 0), 0);
      const applied = nodes.filter((n) => n.applied_version >= desired).length;
      line.textContent = `Waiting for the fleet: ${applied} of ${nodes.length} connected nodes run revision ${desired}…`;
    } catch {
      // the write's own answer reports failures
    }
  };
  const timer = setInterval(tick, 1000);
  tick();
  return () => clearInterval(timer);
}
