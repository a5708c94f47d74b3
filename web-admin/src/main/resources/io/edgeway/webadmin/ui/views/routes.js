// Routes: match (hosts, paths, methods) and the upstream they proxy to.
import { entityView } from '../entities.js';
import { text, commaList } from '../form.js';
import { list } from '../dom.js';

export const render = entityView({
  collection: 'routes',
  title: 'Routes',
  singular: 'route',
  columns: [
    ['Hosts', (r) => list(r.hosts)],
    ['Paths', (r) => list(r.paths)],
    ['Methods', (r) => list(r.methods)],
    ['Upstream', (r) => r.upstream ?? (r.site ? `site ${r.site.name}` : '')],
    ['Tags', (r) => list(r.tags, '')],
  ],
  fields: [
    { name: 'name', label: 'Name', ...text },
    { name: 'hosts', label: 'Hosts', hint: 'Comma-separated, e.g. shop.example.com, *.example.com; empty: any host', ...commaList },
    { name: 'paths', label: 'Paths', hint: 'Comma-separated prefixes, e.g. /, /api', ...commaList },
    { name: 'methods', label: 'Methods', hint: 'Comma-separated, e.g. GET, POST; empty: any method', ...commaList },
    { name: 'upstream', label: 'Upstream', hint: 'The name of an existing upstream', ...text },
    { name: 'tags', label: 'Tags', hint: 'Comma-separated', ...commaList },
  ],
});
