// Stream routes: an L4 listener (tcp or udp) on a port, optionally matched by TLS SNI, relayed to an upstream.
import { entityView } from '../entities.js';
import { text, commaList, integer } from '../form.js';
import { list } from '../dom.js';

export const render = entityView({
  collection: 'stream-routes',
  title: 'Stream routes',
  singular: 'stream route',
  update: 'PUT', // the API replaces a stream route whole, no PATCH
  columns: [
    ['Listen port', (r) => r.listen_port],
    ['Protocol', (r) => r.protocol],
    ['SNIs', (r) => list(r.snis)],
    ['Upstream', (r) => r.upstream],
    ['Tags', (r) => list(r.tags, '')],
  ],
  fields: [
    { name: 'name', label: 'Name', ...text },
    { name: 'listen_port', label: 'Listen port', hint: '1-65535, on every proxy', ...integer },
    { name: 'protocol', label: 'Protocol', kind: 'select', options: ['tcp', 'udp'], initial: 'tcp', ...text },
    { name: 'snis', label: 'SNIs', hint: 'Comma-separated TLS server names (tcp only); empty: any', ...commaList },
    { name: 'upstream', label: 'Upstream', hint: 'The name of an existing upstream', ...text },
    { name: 'tags', label: 'Tags', hint: 'Comma-separated', ...commaList },
  ],
});
