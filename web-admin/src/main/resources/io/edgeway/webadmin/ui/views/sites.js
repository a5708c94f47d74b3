// A static site: its deployments (newest first), which one is active, and a rollback to an earlier one.
// A new version is deployed from here too (deploy.js), the same three steps `edgeway-ctl site deploy` takes.
import { api, path, ApiError } from '../api.js';
import { el, show, table, notice } from '../dom.js';
import { confirmButton } from '../confirm.js';
import { sites } from './resources.js';
import { deployForm } from './deploy.js';

export function render(container, params) {
  return params.length === 1 ? detail(container, params[0]) : sites(container);
}

async function detail(container, name) {
  let site;
  try {
    site = (await api(path`/api/v1/sites/${name}`)).body;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      show(container, el('h1', {}, name), notice(`No site named ${name}.`, 'error'));
      return;
    }
    throw e;
  }
  const deployments = (await api(path`/api/v1/sites/${name}/deployments`)).body.data;
  const status = el('div', { id: 'site-status', role: 'status' });
  const rows = deployments.map((d) => [
    el('code', {}, d.id), d.created_at ?? '', d.actor ?? '', d.files, d.total_size,
    d.active ? { text: `active since ${d.activated_at ?? ''}`, className: 'yes' } : (d.activated_at ? 'was active' : 'never active'),
    d.active ? '' : confirmButton('Roll back', `Serve deployment ${d.id} of ${name} again?`, async () => {
      await api(path`/api/v1/sites/${name}/rollback`, { method: 'POST', json: { to: d.id } });
      await detail(container, name);
      document.getElementById('site-status').append(notice(`Deployment ${d.id} is active again.`));
    }, `rollback-${d.id}`),
  ]);
  show(container, el('h1', {}, `Site ${site.name}`),
    el('p', {}, el('a', { href: '#/sites' }, 'All sites')),
    el('p', {}, 'Served by routes: ', (site.routes || []).join(', ') || 'none yet'),
    status,
    el('h2', {}, 'Deployments'),
    table('Deployments', ['Id', 'Created', 'By', 'Files', 'Bytes', 'State', 'Actions'], rows, 'No deployments yet'),
    deployForm(site.name));
}
