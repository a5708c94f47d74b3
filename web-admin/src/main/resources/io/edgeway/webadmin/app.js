// The admin page: reads the admin API and renders three tables. No framework, no build step.
'use strict';

// The token lives in sessionStorage: gone when the tab closes, never sent anywhere but this origin's API.
const TOKEN_KEY = 'edgeway.adminToken';
const tokenForm = document.getElementById('token-form');

class NeedsToken extends Error {}

const askForToken = (message) => {
  sessionStorage.removeItem(TOKEN_KEY);
  if (tokenForm.hidden) {
    tokenForm.hidden = false;
    document.getElementById('token').focus();
  }
  const error = document.getElementById('error');
  error.textContent = message;
  error.hidden = !message;
};

const api = async (path) => {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) throw new NeedsToken('');
  const response = await fetch(path, {
    headers: { Accept: 'application/json', Authorization: `Bearer ${token}` },
  });
  if (response.status === 401) throw new NeedsToken('That token was not accepted; enter an admin token.');
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    throw new Error(`${path}: ${response.status} ${problem.detail || response.statusText}`);
  }
  return response.json();
};

// Builds a row from plain values; textContent keeps entity names from being read as HTML.
const row = (cells) => {
  const tr = document.createElement('tr');
  for (const cell of cells) {
    const td = document.createElement('td');
    if (cell && typeof cell === 'object') {
      td.textContent = cell.text;
      td.className = cell.className;
    } else {
      td.textContent = cell ?? '';
    }
    tr.appendChild(td);
  }
  return tr;
};

const fill = (tableId, items, toCells, columns) => {
  const body = document.querySelector(`#${tableId} tbody`);
  body.replaceChildren();
  if (items.length === 0) {
    const empty = row([`No ${tableId} yet`]);
    empty.firstChild.colSpan = columns;
    empty.firstChild.className = 'empty';
    body.appendChild(empty);
    return;
  }
  for (const item of items) body.appendChild(row(toCells(item)));
};

const any = (list) => (list && list.length ? list.join(', ') : 'any');

async function refresh() {
  const error = document.getElementById('error');
  // waiting for the operator to type a token: the periodic refresh must not wipe the form's message
  if (!sessionStorage.getItem(TOKEN_KEY) && !tokenForm.hidden) return;
  try {
    const [routes, upstreams, nodes] = await Promise.all([
      api('/api/v1/routes'), api('/api/v1/upstreams'), api('/api/v1/nodes'),
    ]);
    fill('routes', routes.data, (r) => [r.name, any(r.hosts), any(r.paths), any(r.methods), r.upstream], 5);
    fill('upstreams', upstreams.data,
      (u) => [u.name, u.targets.map((t) => `${t.host}:${t.port} (w${t.weight})`).join(', ')], 2);
    fill('nodes', nodes.data, (n) => [
      n.id, n.address,
      n.connected ? { text: 'yes', className: 'yes' } : { text: 'no', className: 'no' },
      n.applied_version, n.rejected_version, n.last_error, n.last_seen,
    ], 7);
    const desired = nodes.data.reduce((max, n) => Math.max(max, n.desired_version || 0), 0);
    document.getElementById('revision').textContent = desired ? `config revision ${desired}` : '';
    error.hidden = true;
  } catch (e) {
    if (e instanceof NeedsToken) {
      askForToken(e.message);
      return;
    }
    error.textContent = e.message;
    error.hidden = false;
  }
}

tokenForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const input = document.getElementById('token');
  sessionStorage.setItem(TOKEN_KEY, input.value.trim());
  input.value = '';
  tokenForm.hidden = true;
  refresh();
});
document.getElementById('refresh').addEventListener('click', refresh);
refresh();
setInterval(refresh, 5000);
