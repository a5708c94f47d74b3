// List, detail and form views shared by routes and upstreams; each entity module only describes its fields.
import { api, path, ApiError } from './api.js';
import { el, show, table, notice } from './dom.js';
import { entityForm } from './form.js';
import { confirmButton } from './confirm.js';

const PAGE_SIZE = 20;

/** '#/routes' list, '#/routes/new' form, '#/routes/shop' detail, '#/routes/shop/edit' form. */
export function entityView(spec) {
  return (container, params, done) => {
    if (params[0] === 'new') return entityForm(container, spec, null);
    if (params.length === 2 && params[1] === 'edit') return entityForm(container, spec, params[0]);
    if (params.length === 1) return detail(container, spec, params[0], done);
    return listView(container, spec);
  };
}

function listView(container, spec) {
  const state = { offset: 0, search: '', tags: '' };
  // the API searches (?q=, name contains, any case, up to 128 characters) and pages the matches
  const search = el('input', { id: 'search', type: 'search', name: 'search', maxLength: 128 });
  const tags = el('input', { id: 'tags', type: 'text', name: 'tags', placeholder: 'a,b' });
  const results = el('div', { id: `${spec.collection}-list` });
  const filters = el('form', { className: 'filters', role: 'search', onsubmit: (e) => {
    e.preventDefault();
    Object.assign(state, { offset: 0, search: search.value.trim(), tags: tags.value.trim() });
    load();
  } },
  el('label', { htmlFor: 'search' }, 'Name contains'), search,
  el('label', { htmlFor: 'tags' }, 'Tags'), tags,
  el('button', { type: 'submit' }, 'Filter'));

  async function load() {
    const query = new URLSearchParams({ size: String(PAGE_SIZE), offset: String(state.offset) });
    if (state.search) query.set('q', state.search);
    if (state.tags) query.set('tags', state.tags);
    try {
      const page = (await api(`/api/v1/${spec.collection}?${query}`)).body;
      const rows = page.data.map((item) => [
        el('a', { href: `#/${spec.collection}/${encodeURIComponent(item.name)}` }, item.name),
        ...spec.columns.map(([, value]) => value(item)),
      ]);
      const paging = el('div', { className: 'paging' },
        el('button', { type: 'button', disabled: state.offset === 0, onclick: () => {
          state.offset = Math.max(0, state.offset - PAGE_SIZE); load();
        } }, 'Previous page'),
        el('button', { type: 'button', disabled: page.next === null, onclick: () => {
          state.offset = page.next; load();
        } }, 'Next page'));
      show(results, table(spec.title, ['Name', ...spec.columns.map(([heading]) => heading)], rows,
        `No ${spec.title.toLowerCase()} yet`), paging);
    } catch (e) {
      show(results, notice(e.message, 'error'));
    }
  }

  show(container, el('h1', {}, spec.title),
    el('p', {}, el('a', { className: 'button', href: `#/${spec.collection}/new` }, `New ${spec.singular}`),
      (spec.moreLinks || []).map(([href, label, id]) => [' ', el('a', { className: 'button', href, id }, label)])),
    filters, results);
  return load();
}

async function detail(container, spec, name, done) {
  let answer;
  try {
    answer = await api(path`/api/v1/${spec.collection}/${name}`);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      show(container, el('h1', {}, name), notice(`No ${spec.singular} named ${name}.`, 'error'));
      return undefined;
    }
    throw e;
  }
  const entity = answer.body;
  const etag = answer.headers.get('ETag'); // a delete of a version someone changed since is refused (412)
  const fields = Object.entries(entity).filter(([key]) => key !== 'name');
  const remove = confirmButton('Delete', `Delete ${spec.singular} ${entity.name}?`, async () => {
    await api(path`/api/v1/${spec.collection}/${entity.name}`, { method: 'DELETE', ifMatch: etag });
    location.hash = `#/${spec.collection}`;
  }, 'delete');
  show(container, el('h1', {}, `${spec.singular[0].toUpperCase()}${spec.singular.slice(1)} ${entity.name}`),
    el('p', {}, el('a', { className: 'button', href: `#/${spec.collection}/${encodeURIComponent(name)}/edit` },
      spec.editLabel ?? 'Edit'), ' ', el('a', { href: `#/${spec.collection}` }, `All ${spec.title.toLowerCase()}`)),
    remove,
    el('dl', { className: 'fields' }, fields.map(([key, value]) => [
      el('dt', {}, key), el('dd', {}, typeof value === 'string' ? value : JSON.stringify(value)),
    ])));
  return spec.detailExtra ? spec.detailExtra(container, entity, done) : undefined;
}
