// Upstreams: targets, balancing policy, and each target's health as each node sees it.
import { api, path } from '../api.js';
import { entityView } from '../entities.js';
import { text, commaList } from '../form.js';
import { el, list, table, notice } from '../dom.js';

const POLICIES = ['round_robin', 'weighted', 'least_request', 'consistent_hash'];

// One target a line: "host:port weight" (weight optional, default 1). "[::1]:8080" keeps an IPv6 host whole.
const targetLines = {
  read: (targets) => (targets || []).map((t) => `${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port} ${t.weight}`).join('\n'),
  write: (value) => value.split('\n').map((line) => line.trim()).filter(Boolean).map((line) => {
    const [address, weight] = line.split(/\s+/);
    const colon = address.lastIndexOf(':');
    const host = address.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
    // a malformed line is sent as written so the API names the problem next to the field
    return { host: colon < 0 ? address : host, port: colon < 0 ? 0 : Number(address.slice(colon + 1)), weight: weight === undefined ? 1 : Number(weight) };
  }),
};

async function health(container, upstream, done) {
  const holder = el('section', { 'aria-labelledby': 'health-title' }, el('h2', { id: 'health-title' }, 'Target health per node'));
  container.append(holder);
  try {
    const report = (await api(path`/api/v1/upstreams/${upstream.name}/health`)).body;
    if (done.stopped) return;
    const rows = report.nodes.flatMap((n) => n.targets.map((t) => [n.node, t.target,
      { text: t.healthy ? 'healthy' : 'unhealthy', className: t.healthy ? 'yes' : 'no' }, t.reason ?? '']));
    holder.append(table('Target health', ['Node', 'Target', 'Health', 'Reason'], rows, 'No node reports this upstream yet'));
  } catch (e) {
    holder.append(notice(e.message, 'error'));
  }
}

export const render = entityView({
  collection: 'upstreams',
  title: 'Upstreams',
  singular: 'upstream',
  columns: [
    ['Targets', (u) => u.targets.map((t) => `${t.host}:${t.port} (w${t.weight})`).join(', ')],
    ['Policy', (u) => u.policy],
    ['Tags', (u) => list(u.tags, '')],
  ],
  fields: [
    { name: 'name', label: 'Name', ...text },
    { name: 'targets', label: 'Targets', kind: 'lines', hint: 'One a line: host:port weight, e.g. 10.0.0.5:8080 1', ...targetLines },
    { name: 'policy', label: 'Policy', kind: 'select', options: POLICIES, initial: 'round_robin', ...text },
    { name: 'tags', label: 'Tags', hint: 'Comma-separated', ...commaList },
  ],
  detailExtra: health,
});
