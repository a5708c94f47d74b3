// Certificates: uploaded (PEM chain + key) or managed by ACME. The API never answers a private key, so no page
// can show one; the key textarea is write-only and starts empty when a certificate is replaced.
import { entityView } from '../entities.js';
import { text, commaList } from '../form.js';
import { el, list } from '../dom.js';
import { acmeForm, acmeStatus } from './acme.js';

const pem = { read: (v) => v ?? '', write: (s) => (s.trim() === '' ? null : s.trim()) };

/** Under the generic fields: what an operator looks for first, in words. */
function summary(container, cert, done) {
  const source = cert.acme ? `managed by ACME (${cert.acme.issuer ?? 'letsencrypt'}); status below`
    : 'uploaded';
  container.querySelector('h1').after(el('dl', { className: 'fields', id: 'certificate-summary' },
    el('dt', {}, 'Serves'), el('dd', { id: 'certificate-snis' }, list(cert.snis, 'no names')),
    el('dt', {}, 'Expires'), el('dd', { id: 'certificate-expires' }, cert.expires_at ?? 'not issued yet'),
    el('dt', {}, 'Source'), el('dd', {}, source)));
  return cert.acme ? acmeStatus(container, cert, done) : undefined;
}

const entities = entityView({
  collection: 'certificates',
  title: 'Certificates',
  singular: 'certificate',
  update: 'PUT', // the API replaces a certificate whole (new chain and key), no PATCH
  editLabel: 'Replace',
  columns: [
    ['SNIs', (c) => list(c.snis, '')],
    ['Expires', (c) => c.expires_at ?? ''],
    ['Source', (c) => (c.acme ? `ACME ${c.status ?? ''}` : 'uploaded')],
    ['Fingerprint (SHA-256)', (c) => c.fingerprint_sha256 ?? ''],
  ],
  fields: [
    { name: 'name', label: 'Name', ...text },
    { name: 'cert', label: 'Certificate chain (PEM)', kind: 'pem', hint: 'Leaf first, then intermediates: -----BEGIN CERTIFICATE-----', ...pem },
    { name: 'key', label: 'Private key (PEM)', kind: 'pem', writeOnly: true,
      hint: 'PKCS#8 PEM (RSA or EC) of the leaf; sent once, never shown again', ...pem },
    { name: 'snis', label: 'SNIs', hint: 'Comma-separated host names it serves, e.g. shop.example.com, *.example.com', ...commaList },
    { name: 'tags', label: 'Tags', hint: 'Comma-separated', ...commaList },
  ],
  detailExtra: summary,
  moreLinks: [['#/certificates/new-acme', 'Request by ACME', 'request-acme']],
});

/** '#/certificates/new-acme' is the ACME request form; everything else is the generic list, detail and forms. */
export function render(container, params, done) {
  if (params.length === 1 && params[0] === 'new-acme') return acmeForm(container);
  return entities(container, params, done);
}
