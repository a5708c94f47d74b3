// Admin and join tokens (create, revoke) and static sites (list; a site's deployments and rollback in sites.js).
import { api, path, ApiError } from '../api.js';
import { confirmButton } from '../confirm.js';
import { el, show, table, notice, list } from '../dom.js';
import { fieldOf } from '../form.js';
import { deployForm } from './deploy.js';

async function listing(title, url, headings, toRow, empty) {
  const items = (await api(url)).body.data;
  return el('section', {}, el('h2', {}, title), table(title, headings, items.map(toRow), empty));
}

export async function sites(container) {
  show(container, el('h1', {}, 'Sites'), await listing('Sites', '/api/v1/sites',
    ['Name', 'Active deployment', 'Deployments', 'Routes', 'Updated'],
    (s) => [el('a', { href: `#/sites/${encodeURIComponent(s.name)}` }, s.name), s.active_deployment ?? 'none', s.deployments, list(s.routes, ''), s.updated_at ?? ''],
    'No sites yet'), deployForm(null));
}

export async function tokens(container) {
  const area = el('div', { id: 'token-lists' });
  const refresh = async () => show(area,
    await listing('Admin tokens', '/api/v1/tokens', ['Name', 'Role', 'Created', 'Actions'],
      (t) => [t.name, t.role, t.created_at, revoke('token', 'admin token', path`/api/v1/tokens/${t.name}`, t.name)],
      'No tokens'),
    await listing('Join tokens', '/api/v1/join-tokens', ['Name', 'Created', 'Expires', 'Actions'],
      (t) => [t.name, t.created_at, t.expires_at, revoke('join', 'join token', path`/api/v1/join-tokens/${t.name}`, t.name)],
      'No join tokens'));
  // a revoked token stops working at once (the API checks every request); the list then shows it gone
  const revoke = (prefix, what, url, name) => confirmButton('Revoke', `Revoke ${what} ${name}?`, async () => {
    await api(url, { method: 'DELETE' });
    await refresh();
  }, `revoke-${prefix}-${name}`);
  show(container, el('h1', {}, 'Tokens'),
    secretForm('token', 'New admin token', '/api/v1/tokens', [
      { name: 'name', label: 'Token name' },
      { name: 'role', label: 'Role', hint: 'admin or read' }], refresh),
    secretForm('join', 'New join token', '/api/v1/join-tokens', [
      { name: 'name', label: 'Join token name' },
      { name: 'ttl', label: 'Lifetime', hint: 'e.g. 30m, 24h, 7d (default 24h)' }], refresh),
    area);
  await refresh();
}

/** A small create form whose answer carries a secret shown once (it is not kept anywhere by the page). */
export function secretForm(id, title, url, fields, after) {
  const result = el('div', { role: 'status' });
  const errors = new Map();
  const inputs = new Map();
  const form = el('form', { className: 'inline-form', 'aria-labelledby': `${id}-title`, onsubmit: async (e) => {
    e.preventDefault();
    errors.forEach((p) => { p.hidden = true; p.textContent = ''; });
    const body = {};
    inputs.forEach((input, name) => { if (input.value.trim()) body[name] = input.value.trim(); });
    try {
      const created = (await api(url, { method: 'POST', json: body })).body;
      show(result, notice(`Created ${created.name}. Copy it now, it is not shown again:`),
        el('code', { className: 'secret' }, created.token ?? ''));
      inputs.forEach((input) => { input.value = ''; });
      await after();
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      const unplaced = err.errors.filter(({ field, message }) => {
        const p = errors.get(fieldOf(field));
        if (p) { p.textContent = message; p.hidden = false; }
        return !p;
      });
      show(result, notice(unplaced.length || !err.errors.length ? err.message : 'See the field messages.', 'error'));
    }
  } },
  el('h2', { id: `${id}-title` }, title),
  fields.map((f) => {
    const input = el('input', { id: `${id}-${f.name}`, name: f.name, type: 'text', autocomplete: 'off',
      'aria-describedby': `${id}-${f.name}-error` });
    const error = el('p', { id: `${id}-${f.name}-error`, className: 'field-error', hidden: true });
    inputs.set(f.name, input);
    errors.set(f.name, error);
    return el('div', { className: 'field' }, el('label', { htmlFor: input.id }, f.label), input,
      f.hint ? el('p', { className: 'hint' }, f.hint) : null, error);
  }),
  el('button', { type: 'submit' }, 'Create'), result);
  return form;
}
