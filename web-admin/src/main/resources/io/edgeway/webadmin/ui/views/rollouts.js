// Canary rollouts (issue 22): which config revision is baking on which nodes, the signals that decide it, why one
// rolled back, and pause / resume / promote / abort, each asked first. A write becomes a rollout with
// ?rollout=canary (the YAML view offers it); these endpoints only move an existing one.
import { api, path, ApiError } from '../api.js';
import { el, show, table, notice } from '../dom.js';
import { confirmButton } from '../confirm.js';

const REFRESH_MS = 3000;

/** Which moves the API accepts from a state (RolloutApi): anything else would answer 409. */
const MOVES = {
  canary: ['pause', 'promote', 'abort'],
  paused: ['resume', 'promote', 'abort'],
};
const QUESTIONS = {
  pause: (r) => `Pause rollout ${r.id}? The canaries keep revision ${r.revision}; the bake stops deciding.`,
  resume: (r) => `Resume rollout ${r.id}? The bake decides again.`,
  promote: (r) => `Promote rollout ${r.id}? Every node gets revision ${r.revision} now.`,
  abort: (r) => `Abort rollout ${r.id}? Revision ${r.previous_revision}'s content comes back as a new revision.`,
};

/** What the watcher checks, in words: the error ratio, the minimum traffic it needs, and how long it bakes. */
export const signals = (r) => `5xx ratio over ${r.max_error_ratio} or p99 over ${r.max_p99_ratio}x after ${r.min_requests} requests, rejections; bake ${r.bake}`;

export function render(container, params, done) {
  return params.length === 1 ? detail(container, params[0], done) : listView(container, done);
}

async function listView(container, done) {
  const holder = el('div', { id: 'rollouts-list' });
  show(container, el('h1', {}, 'Rollouts'),
    el('p', { className: 'hint' }, 'A config write sent as a canary (YAML view: "Apply as a canary rollout") opens one.'),
    holder);
  const refresh = async () => {
    const page = (await api('/api/v1/rollouts?size=100')).body;
    if (done.stopped) return;
    show(holder, table('Rollouts', ['Id', 'State', 'Revision', 'Canary nodes', 'Watched signals', 'Why', 'Started', 'By'],
      page.data.map((r) => [
        el('a', { href: `#/rollouts/${encodeURIComponent(r.id)}` }, `Rollout ${r.id}`),
        { text: r.state, className: `state ${r.state}` },
        `${r.previous_revision} → ${r.revision}`, r.selector || 'none', signals(r), r.reason ?? '', r.started, r.actor ?? '',
      ]), 'No rollouts yet'));
  };
  await refresh();
  const timer = setInterval(() => refresh().catch(() => {}), REFRESH_MS);
  return () => clearInterval(timer);
}

async function detail(container, id, done) {
  let rollout;
  try {
    rollout = (await api(path`/api/v1/rollouts/${id}`)).body;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      show(container, el('h1', {}, `Rollout ${id}`), notice(`No rollout ${id}.`, 'error'));
      return undefined;
    }
    throw e;
  }
  const summary = el('div', { id: 'rollout-summary' });
  const actions = el('div', { id: 'rollout-actions', className: 'actions' });
  const status = el('div', { id: 'rollout-status', role: 'status' });
  const nodes = el('div', { id: 'rollout-nodes' });
  let shownState = null;

  const draw = (r) => {
    show(summary, el('dl', { className: 'fields' },
      el('dt', {}, 'State'), el('dd', { id: 'rollout-state' }, r.state),
      el('dt', {}, 'Revision'), el('dd', {}, `${r.revision} (before: ${r.previous_revision})`),
      el('dt', {}, 'Canary nodes'), el('dd', {}, `selector ${r.selector || 'none'}`),
      el('dt', {}, 'Watched signals'), el('dd', { id: 'rollout-signals' }, signals(r)),
      el('dt', {}, 'Bake until'), el('dd', {}, r.bake_until ?? '—'),
      el('dt', {}, 'Why it ended'), el('dd', { id: 'rollout-reason' }, r.reason ?? 'still open'),
      el('dt', {}, 'Restored revision'), el('dd', {}, r.restored_revision ?? '—'),
      el('dt', {}, 'Started'), el('dd', {}, `${r.started} by ${r.actor ?? 'unknown'}`),
      el('dt', {}, 'Ended'), el('dd', {}, r.ended ?? '—')));
    show(nodes, table('Nodes', ['Node', 'Canary', 'Connected', 'Should run', 'Runs', 'Rejected'], r.nodes.map((n) => [
      n.id, n.canary ? { text: 'canary', className: 'yes' } : 'no', n.connected ? 'yes' : 'no',
      n.desired_version, n.applied_version ?? '—', n.rejected_version ?? '—',
    ]), 'No node has connected'));
    // the buttons are redrawn only when the state moved, so a refresh never closes an open confirmation
    if (r.state !== shownState) {
      shownState = r.state;
      show(actions, (MOVES[r.state] || []).map((move) => confirmButton(move[0].toUpperCase() + move.slice(1),
        QUESTIONS[move](r), async () => {
          const moved = (await api(path`/api/v1/rollouts/${r.id}/${move}`, { method: 'POST' })).body;
          const now = (await api(path`/api/v1/rollouts/${r.id}`)).body;
          draw(now);
          show(status, notice(`Rollout ${moved.id} is ${now.state}.`));
        }, move)));
    }
  };

  show(container, el('h1', {}, `Rollout ${rollout.id}`),
    el('p', {}, el('a', { href: '#/rollouts' }, 'All rollouts')), status, actions, summary,
    el('h2', {}, 'Nodes'), nodes);
  draw(rollout);
  // the watcher may promote or roll back on its own: keep the page current while it is open
  const timer = setInterval(async () => {
    try {
      const now = (await api(path`/api/v1/rollouts/${id}`)).body;
      if (!done.stopped) draw(now);
    } catch {
      // the next tick tries again; an action's own refusal is shown next to its button
    }
  }, REFRESH_MS);
  return () => clearInterval(timer);
}
