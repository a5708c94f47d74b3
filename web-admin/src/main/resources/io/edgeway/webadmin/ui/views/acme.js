// Requesting a certificate from an ACME CA (Let's Encrypt, ZeroSSL or a private CA's directory URL): the control
// plane's ACME client orders it, answers the challenge through the proxies and stores it; the page shows where
// it stands (pending, valid, failed with the CA's error) and offers a renewal now. The EAB HMAC is a secret:
// a password field, sent once, never answered back.
import { api, path, ApiError } from '../api.js';
import { el, show, notice } from '../dom.js';

const ISSUERS = ['letsencrypt', 'letsencrypt-staging', 'zerossl'];

/** Form fields by the API's field names (acme.email, ...), so each refusal lands next to its input. */
const FIELDS = [
  { field: 'name', id: 'acme-name', label: 'Name' },
  { field: 'snis', id: 'acme-snis', label: 'Host names', hint: 'Comma-separated, e.g. shop.example.com, www.shop.example.com' },
  { field: 'acme.issuer', id: 'acme-issuer', label: 'Issuer', value: 'letsencrypt', list: 'acme-issuers',
    hint: 'letsencrypt, letsencrypt-staging, zerossl, or the https:// directory URL of another ACME CA' },
  { field: 'acme.email', id: 'acme-email', label: 'Contact email', hint: 'Optional: the CA writes here about expiry' },
  { field: 'acme.challenge', id: 'acme-challenge', label: 'Challenge', options: ['http-01', 'tls-alpn-01'],
    hint: 'http-01 is answered by the proxies on port 80, tls-alpn-01 on port 443' },
  { field: 'acme.eab.kid', id: 'acme-eab-kid', label: 'EAB key id', hint: 'Only for CAs that need External Account Binding (ZeroSSL)' },
  { field: 'acme.eab.hmac', id: 'acme-eab-hmac', label: 'EAB HMAC key', secret: true, hint: 'Sent once, never shown again' },
  { field: 'tags', id: 'acme-tags', label: 'Tags', hint: 'Comma-separated' },
];

const commaList = (s) => s.split(',').map((x) => x.trim()).filter(Boolean);

/** '#/certificates/new-acme' */
export function acmeForm(container) {
  const inputs = new Map();
  const errors = new Map();
  const summary = el('div', { id: 'acme-errors', role: 'alert' });
  const form = el('form', { className: 'entity-form', noValidate: true, onsubmit: submit },
    el('datalist', { id: 'acme-issuers' }, ISSUERS.map((i) => el('option', { value: i }))),
    FIELDS.map((f) => {
      const control = f.options
        ? el('select', { id: f.id, name: f.field }, f.options.map((o) => el('option', { value: o }, o)))
        : el('input', { id: f.id, name: f.field, type: f.secret ? 'password' : 'text', value: f.value ?? '',
          autocomplete: 'off', spellcheck: false });
      // input.list is a read-only property: the suggestions are tied by the attribute
      if (f.list) control.setAttribute('list', f.list);
      const error = el('p', { id: `${f.id}-error`, className: 'field-error', hidden: true });
      const hint = f.hint ? el('p', { id: `${f.id}-hint`, className: 'hint' }, f.hint) : null;
      control.setAttribute('aria-describedby', `${hint ? `${f.id}-hint ` : ''}${f.id}-error`);
      inputs.set(f.field, control);
      errors.set(f.field, error);
      return el('div', { className: 'field' }, el('label', { htmlFor: f.id }, f.label), control, hint, error);
    }),
    summary,
    el('button', { type: 'submit', id: 'acme-request' }, 'Request certificate'));

  async function submit(event) {
    event.preventDefault();
    errors.forEach((p, field) => { p.hidden = true; p.textContent = ''; inputs.get(field).removeAttribute('aria-invalid'); });
    show(summary);
    const value = (field) => inputs.get(field).value.trim();
    const acme = { issuer: value('acme.issuer'), challenge: value('acme.challenge') };
    if (value('acme.email')) acme.email = value('acme.email');
    if (value('acme.eab.kid') || value('acme.eab.hmac')) acme.eab = { kid: value('acme.eab.kid'), hmac: value('acme.eab.hmac') };
    const body = { name: value('name'), snis: commaList(value('snis')), tags: commaList(value('tags')), acme };
    try {
      const created = (await api('/api/v1/certificates', { method: 'POST', json: body })).body;
      inputs.get('acme.eab.hmac').value = ''; // the secret leaves the page with the request
      location.hash = `#/certificates/${encodeURIComponent(created.name)}`;
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      showErrors(e, inputs, errors, summary);
    }
  }

  show(container, el('h1', {}, 'Request a certificate by ACME'),
    el('p', {}, el('a', { href: '#/certificates' }, 'All certificates')), form);
}

/** "snis[1]" belongs to snis, "acme.eab.hmac" to its own input; the longest known prefix wins. */
function showErrors(e, inputs, errors, summary) {
  const unplaced = [];
  for (const { field, message } of e.errors) {
    const known = [...errors.keys()].filter((k) => String(field) === k || String(field).startsWith(`${k}[`)
      || String(field).startsWith(`${k}.`)).sort((a, b) => b.length - a.length)[0];
    if (!known) { unplaced.push(message); continue; }
    const p = errors.get(known);
    p.textContent = p.textContent ? `${p.textContent}; ${message}` : message;
    p.hidden = false;
    inputs.get(known).setAttribute('aria-invalid', 'true');
  }
  const first = [...errors.keys()].find((k) => !errors.get(k).hidden);
  show(summary, notice(first ? 'The API refused some fields; see the messages next to them.' : e.message, 'error'),
    unplaced.map((m) => notice(m, 'error')));
  if (first) inputs.get(first).focus();
}

/** Under a managed certificate's fields: its ACME state, kept current while the page is open, and Renew now. */
export function acmeStatus(container, cert, done) {
  const status = el('dd', { id: 'certificate-status' }, cert.status ?? 'unknown');
  const error = el('dd', { id: 'certificate-acme-error' }, cert.last_error ?? 'none');
  const next = el('dd', {}, cert.next_attempt_at ?? '—');
  const said = el('div', { role: 'status', id: 'renew-status' });
  const renew = el('button', { type: 'button', id: 'renew', onclick: async () => {
    try {
      await api(path`/api/v1/certificates/${cert.name}/renew`, { method: 'POST' });
      show(said, notice('Renewal requested: the ACME client orders a new certificate now.'));
    } catch (e) {
      show(said, notice(e.message, 'error'));
    }
  } }, 'Renew now');
  container.querySelector('#certificate-summary').after(el('section', { id: 'acme' },
    el('h2', {}, 'ACME'), el('dl', { className: 'fields' },
      el('dt', {}, 'Status'), status, el('dt', {}, 'Error'), error, el('dt', {}, 'Next attempt'), next),
    renew, said));
  const timer = setInterval(async () => {
    try {
      const now = (await api(path`/api/v1/certificates/${cert.name}`)).body;
      if (done.stopped) return;
      status.textContent = now.status ?? 'unknown';
      error.textContent = now.last_error ?? 'none';
      next.textContent = now.next_attempt_at ?? '—';
      const expires = document.getElementById('certificate-expires');
      if (expires) expires.textContent = now.expires_at ?? 'not issued yet';
      // the generic field list under it (entities.js) was read once: keep it saying the same as the rest
      for (const dt of container.querySelectorAll('dl.fields > dt')) {
        const dd = dt.nextElementSibling;
        if (dd && Object.hasOwn(now, dt.textContent) && dt.closest('#acme, #certificate-summary') === null) {
          const v = now[dt.textContent];
          dd.textContent = typeof v === 'string' ? v : JSON.stringify(v);
        }
      }
    } catch {
      // the next tick tries again
    }
  }, 2000);
  return () => clearInterval(timer);
}
