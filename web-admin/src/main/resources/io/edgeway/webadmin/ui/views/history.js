// History: revisions newest first, one revision's field-level diff, and rollback with its plan shown first.
import { api, path } from '../api.js';
import { el, show, table, notice } from '../dom.js';
import { planView, convergenceView, watchFleet } from './plan.js';

const PAGE_SIZE = 20;

export function render(container, params, done) {
  return params.length ? revision(container, params[0], done) : revisions(container, 0);
}

async function revisions(container, offset) {
  const page = (await api(`/api/v1/revisions?size=${PAGE_SIZE}&offset=${offset}`)).body;
  const rows = page.data.map((r) => [
    el('a', { href: `#/history/${r.revision}` }, `Revision ${r.revision}`), r.time, r.actor ?? '',
    r.entries.map((e) => `${e.action} ${e.kind} ${e.name}`).join('; '),
  ]);
  show(container, el('h1', {}, 'History'),
    table('Revisions', ['Revision', 'When', 'Who', 'Changes'], rows, 'No revisions yet'),
    el('div', { className: 'paging' },
      el('button', { type: 'button', disabled: offset === 0,
        onclick: () => revisions(container, Math.max(0, offset - PAGE_SIZE)) }, 'Newer'),
      el('button', { type: 'button', disabled: !page.next,
        onclick: () => revisions(container, offset + PAGE_SIZE) }, 'Older')));
}

const json = (value) => (value === undefined ? '' : JSON.stringify(value));

function diffTable(entry) {
  const { added, removed, changed } = entry.diff;
  const rows = [
    ...Object.entries(changed).map(([field, c]) => [field, json(c.before), json(c.after)]),
    ...Object.entries(added).map(([field, value]) => [field, '', json(value)]),
    ...Object.entries(removed).map(([field, value]) => [field, json(value), '']),
  ];
  return table(`${entry.kind} ${entry.name}`, ['Field', 'Before', 'After'], rows, 'No field changed');
}

async function revision(container, n, done) {
  const r = (await api(path`/api/v1/revisions/${n}`)).body;
  const rollbackArea = el('div', { id: 'rollback-area' });
  show(container, el('h1', {}, `Revision ${r.revision}`),
    el('p', {}, `${r.time} by ${r.actor ?? 'unknown'}. `, el('a', { href: '#/history' }, 'All revisions')),
    r.entries.map((e) => el('section', { className: 'entry' },
      el('h2', {}, `${e.action} ${e.kind} ${e.name}`), diffTable(e))),
    el('button', { type: 'button', id: 'rollback', onclick: () => confirmRollback(rollbackArea, r.revision, done) },
      `Roll back to revision ${r.revision}`),
    rollbackArea);
}

/** Asks the API what a rollback would change (dry run) and only then offers to do it. */
async function confirmRollback(area, n, done) {
  show(area, notice('Working out what a rollback would change…'));
  try {
    const plan = (await api(path`/api/v1/revisions/${n}/rollback?dry_run=true`, { method: 'POST' })).body;
    const dialog = el('section', { id: 'rollback-plan', role: 'region', 'aria-labelledby': 'plan-title' },
      el('h2', { id: 'plan-title' }, `Rolling back to revision ${n} would:`),
      planView(plan),
      el('button', { type: 'button', id: 'confirm-rollback', disabled: plan.problems.length > 0,
        onclick: () => rollback(area, n, done) }, 'Confirm rollback'),
      ' ',
      el('button', { type: 'button', onclick: () => show(area) }, 'Cancel'));
    show(area, dialog);
    dialog.querySelector('#confirm-rollback').focus();
  } catch (e) {
    show(area, notice(e.message, 'error'));
  }
}

/** Rolls back and waits for the fleet (?wait=applied), showing the nodes' progress meanwhile. */
async function rollback(area, n, done) {
  const progress = el('p', { id: 'rollback-progress', role: 'status' }, 'Rolling back…');
  show(area, progress);
  const stop = watchFleet(progress, done);
  try {
    const answer = (await api(path`/api/v1/revisions/${n}/rollback?wait=applied&timeout=30s`, { method: 'POST' })).body;
    stop();
    show(area, notice(`Rolled back to revision ${n} as revision ${answer.revision}.`), convergenceView(answer.convergence),
      el('p', {}, el('a', { href: '#/fleet' }, 'See the fleet')));
  } catch (e) {
    stop();
    show(area, notice(e.message, 'error'));
  }
}
