// The shell: sign-in, navigation and a hash router that gives each view the content element.
import { api, token, onUnauthorized, ApiError } from './api.js';
import { show, notice } from './dom.js';
import * as fleet from './views/fleet.js';
import * as routes from './views/routes.js';
import * as upstreams from './views/upstreams.js';
import * as history from './views/history.js';
import * as resources from './views/resources.js';
import * as certificates from './views/certificates.js';
import * as streamRoutes from './views/streamRoutes.js';
import * as sites from './views/sites.js';
import * as purge from './views/purge.js';
import * as config from './views/config.js';
import * as traffic from './views/traffic.js';
import * as rollouts from './views/rollouts.js';

const content = document.getElementById('content');
const form = document.getElementById('token-form');
const signOut = document.getElementById('sign-out');
const menu = document.getElementById('menu');

// '#/routes/shop/edit' → views['routes'] with params ['shop', 'edit']
const views = {
  fleet: fleet.render,
  routes: routes.render,
  upstreams: upstreams.render,
  history: history.render,
  certificates: certificates.render,
  'stream-routes': streamRoutes.render,
  tokens: resources.tokens,
  sites: sites.render,
  purge: purge.render,
  config: config.render,
  traffic: traffic.render,
  rollouts: rollouts.render,
};

let stopCurrent = () => {};

function route() {
  stopCurrent();
  stopCurrent = () => {};
  if (!token.get()) {
    askForToken('');
    return;
  }
  const [name, ...params] = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const view = views[name] || views.fleet;
  markCurrent(views[name] ? name : 'fleet');
  menu.setAttribute('aria-expanded', 'false');
  const done = { stopped: false };
  stopCurrent = () => { done.stopped = true; };
  Promise.resolve(view(content, params.filter(Boolean), done))
    .then((cleanup) => {
      if (typeof cleanup === 'function') {
        const previous = stopCurrent;
        stopCurrent = () => { previous(); cleanup(); };
      }
    })
    .catch((e) => {
      if (e instanceof ApiError && e.status === 401) return; // the sign-in form is already back
      show(content, notice(e.message, 'error'));
    });
}

function markCurrent(name) {
  for (const link of document.querySelectorAll('#nav a')) {
    if (link.getAttribute('href') === `#/${name}`) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

function askForToken(message) {
  show(content);
  form.hidden = false;
  signOut.hidden = true;
  const error = document.getElementById('token-error');
  error.textContent = message;
  error.hidden = !message;
  document.getElementById('token').focus();
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = document.getElementById('token');
  token.set(input.value.trim());
  input.value = '';
  try {
    await api('/api/v1/nodes?size=1'); // proves the token before showing anything
    form.hidden = true;
    signOut.hidden = false;
    route();
  } catch (e) {
    askForToken(e instanceof ApiError && e.status === 401
      ? 'That token was not accepted; enter an admin token.' : e.message);
  }
});

signOut.addEventListener('click', () => {
  token.clear();
  askForToken('');
});

menu.addEventListener('click', () => {
  menu.setAttribute('aria-expanded', String(menu.getAttribute('aria-expanded') !== 'true'));
});

onUnauthorized(() => {
  stopCurrent();
  askForToken('That token was not accepted; enter an admin token.');
});

// '#view' (the skip link) only moves focus; views live under '#/'.
window.addEventListener('hashchange', () => { if (location.hash === '' || location.hash.startsWith('#/')) route(); });
if (token.get()) {
  form.hidden = true;
  signOut.hidden = false;
}
route();
