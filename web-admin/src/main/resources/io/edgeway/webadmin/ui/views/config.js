// The whole config as YAML: edit, see the dry-run plan, then apply and wait for the fleet.
import { api, ApiError } from '../api.js';
import { el, show, notice } from '../dom.js';
import { planView, convergenceView, watchFleet } from './plan.js';

const YAML = 'application/yaml';

export async function render(container, _params, done) {
  const current = (await api('/api/v1/config?format=yaml', { accept: YAML })).body;
  const editor = el('textarea', { id: 'yaml', name: 'yaml', rows: 24, spellcheck: false, value: current,
    'aria-describedby': 'yaml-hint' });
  const result = el('div', { id: 'config-result' });
  const apply = el('button', { type: 'button', id: 'apply', disabled: true, onclick: () => applyNow() }, 'Apply');
  const edited = () => { apply.disabled = true; };
  // ?rollout=canary: the write reaches only the nodes the selector picks until it is promoted (see Rollouts)
  const canary = el('input', { id: 'canary', type: 'checkbox', name: 'canary' });
  const selector = el('input', { id: 'canary-selector', type: 'text', name: 'selector', value: 'canary=true', autocomplete: 'off' });
  const bake = el('input', { id: 'canary-bake', type: 'text', name: 'bake', value: '60s', autocomplete: 'off' });
  const rolloutQuery = () => (canary.checked
    ? `&${new URLSearchParams({ rollout: 'canary', selector: selector.value.trim(), bake: bake.value.trim() })}` : '');
  editor.addEventListener('input', edited);

  async function dryRun() {
    show(result, notice('Checking…'));
    try {
      const plan = (await api('/api/v1/config?dry_run=true', { method: 'POST', text: editor.value, contentType: YAML })).body;
      show(result, el('h2', {}, 'Applying would:'), planView(plan));
      apply.disabled = plan.problems.length > 0; // apply only what was just checked
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      show(result, notice(e.message, 'error'), el('ul', {}, e.errors.map((x) => el('li', {}, `${x.field}: ${x.message}`))));
    }
  }

  async function applyNow() {
    apply.disabled = true;
    const progress = el('p', { role: 'status' }, 'Applying…');
    show(result, progress);
    const stop = watchFleet(progress, done);
    try {
      const answer = (await api(`/api/v1/config?wait=applied&timeout=30s${rolloutQuery()}`, { method: 'POST', text: editor.value, contentType: YAML })).body;
      stop();
      show(result, notice(`Applied as revision ${answer.revision}.`), convergenceView(answer.convergence),
        canary.checked ? el('p', {}, el('a', { href: '#/rollouts', id: 'rollout-link' }, 'Watch the rollout')) : null);
    } catch (e) {
      stop();
      if (!(e instanceof ApiError)) throw e;
      show(result, notice(e.message, 'error'), el('ul', {}, e.errors.map((x) => el('li', {}, `${x.field}: ${x.message}`))));
    }
  }

  show(container, el('h1', {}, 'Config as YAML'),
    el('label', { htmlFor: 'yaml' }, 'The whole config'),
    el('p', { id: 'yaml-hint', className: 'hint' },
      'Everything not in the document is deleted on apply. Certificate keys are not exported; a certificate without a key keeps its stored key.'),
    editor,
    el('fieldset', { className: 'canary' }, el('legend', {}, 'Rollout'),
      el('div', {}, canary, ' ', el('label', { htmlFor: 'canary' }, 'Apply as a canary rollout')),
      el('div', { className: 'field' }, el('label', { htmlFor: 'canary-selector' }, 'Canary nodes (label selector)'), selector),
      el('div', { className: 'field' }, el('label', { htmlFor: 'canary-bake' }, 'Bake for'), bake)),
    el('div', { className: 'actions' }, el('button', { type: 'button', id: 'dry-run', onclick: dryRun }, 'Dry run'), ' ', apply),
    result);
}
