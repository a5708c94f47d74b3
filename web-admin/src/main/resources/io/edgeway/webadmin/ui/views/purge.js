// Cache purge: by URL, path prefix or tag; the proxies report when they have done it.
import { api, path, ApiError } from '../api.js';
import { el, show, notice } from '../dom.js';

export function render(container) {
  const kind = el('select', { id: 'purge-kind', name: 'kind' },
    ['url', 'prefix', 'tag'].map((k) => el('option', { value: k }, k)));
  const value = el('input', { id: 'purge-value', name: 'value', type: 'text', autocomplete: 'off',
    'aria-describedby': 'purge-hint' });
  const result = el('div', { id: 'purge-result', role: 'status' });
  const form = el('form', { className: 'inline-form', onsubmit: async (e) => {
    e.preventDefault();
    try {
      const purge = (await api('/api/v1/cache/purge', { method: 'POST', json: { [kind.value]: value.value.trim() } })).body;
      show(result, notice(`Purge ${purge.id} requested.`), progressButton(result, purge.id));
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      show(result, notice(err.message, 'error'));
    }
  } },
  el('div', { className: 'field' }, el('label', { htmlFor: 'purge-kind' }, 'Purge by'), kind),
  el('div', { className: 'field' }, el('label', { htmlFor: 'purge-value' }, 'URL, prefix or tag'), value,
    el('p', { id: 'purge-hint', className: 'hint' }, 'e.g. https://shop.example.com/img/logo.png, https://shop.example.com/img/, or a tag')),
  el('button', { type: 'submit' }, 'Purge'), result);
  show(container, el('h1', {}, 'Cache purge'), form);
}

// Kept after each check: the proxies apply a purge one by one, so an operator checks until every one has.
function progressButton(result, id) {
  return el('button', { type: 'button', onclick: async () => {
    const now = (await api(path`/api/v1/cache/purges/${id}`)).body;
    show(result, notice(`Purge ${id}: ${JSON.stringify(now)}`), progressButton(result, id));
  } }, 'Check progress');
}
