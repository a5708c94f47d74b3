// The fleet: every node with the version it should run, runs and refused; laggards and rejecters stand out.
import { api } from '../api.js';
import { el, show, table, notice } from '../dom.js';

const REFRESH_MS = 3000;

/** A node's state in one word, for the row's highlight and for screen readers (colour alone says nothing). */
export function nodeState(n) {
  if (!n.connected) return 'disconnected';
  if (n.rejected_version && n.rejected_version >= (n.applied_version || 0)) return 'rejecting';
  if ((n.applied_version || 0) < (n.desired_version || 0)) return 'lagging';
  if (n.draining) return 'draining';
  // issue 22: it runs the version, but without some entities (partial rejection): it must stand out too
  if ((n.quarantined || []).length > 0) return `applied with ${n.quarantined.length} quarantined`;
  return 'in sync';
}

/** The CSS class of a state: "in sync" -> in-sync; "applied with N quarantined" -> quarantined. */
function stateClass(state) {
  return state.endsWith('quarantined') ? 'quarantined' : state.replace(' ', '-');
}

export async function render(container, _params, done) {
  const summary = el('p', { id: 'fleet-summary', role: 'status' });
  const holder = el('div', { id: 'nodes' });
  show(container, el('h1', {}, 'Fleet'), summary, holder);
  const refresh = async () => {
    try {
      const nodes = (await api('/api/v1/nodes?size=1000')).body.data;
      if (done.stopped) return;
      const desired = nodes.reduce((max, n) => Math.max(max, n.desired_version || 0), 0);
      const states = nodes.map(nodeState);
      const behind = states.filter((s) => s !== 'in sync' && s !== 'draining').length;
      summary.textContent = nodes.length === 0 ? 'No proxy has connected yet.'
        : `Config revision ${desired}: ${nodes.length - behind} of ${nodes.length} nodes in sync`;
      show(holder, table('Nodes', ['Node', 'State', 'Desired', 'Applied', 'Rejected', 'Last error', 'Quarantined',
        'Draining', 'Connected', 'Identity', 'Requests/s', 'Last seen'], nodes.map((n, i) => [
        n.id, { text: states[i], className: `state ${stateClass(states[i])}` },
        n.desired_version, n.applied_version ?? '—', n.rejected_version ?? '—', n.last_error ?? '',
        (n.quarantined || []).map((q) => `${q.kind} ${q.name}: ${q.message}`).join('; '),
        n.draining ? 'yes' : 'no', n.connected ? 'yes' : 'no', n.identity ?? '',
        n.load ? n.load.requests_per_s.toFixed(1) : '', n.last_seen ?? '',
      ]), 'No nodes yet'));
      for (const [i, row] of [...holder.querySelectorAll('tbody tr')].entries()) {
        if (nodes[i]) row.className = states[i] === 'in sync' ? '' : 'attention';
      }
    } catch (e) {
      if (!done.stopped) show(holder, notice(e.message, 'error'));
    }
  };
  await refresh();
  const timer = setInterval(refresh, REFRESH_MS);
  return () => clearInterval(timer);
}
