// Traffic per route across the fleet (GET /api/v1/metrics/routes), with a small line of requests/s per route
// from the samples this page has taken since it opened.
import { api } from '../api.js';
import { el, show, table, notice } from '../dom.js';

const REFRESH_MS = 5000;
const KEPT_SAMPLES = 60;
const SVG = 'http://www.w3.org/2000/svg';

function sparkline(values, label) {
  const width = 120;
  const height = 24;
  const max = Math.max(...values, 1);
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(height - (v / max) * height).toFixed(1)}`).join(' ');
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('width', String(width));
  svg.setAttribute('height', String(height));
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  const line = document.createElementNS(SVG, 'polyline');
  line.setAttribute('points', points);
  line.setAttribute('class', 'spark');
  svg.append(line);
  return svg;
}

export async function render(container, _params, done) {
  const samples = new Map(); // route → requests/s, oldest first
  const holder = el('div', { id: 'traffic' });
  show(container, el('h1', {}, 'Traffic'), holder);
  const refresh = async () => {
    try {
      const report = (await api('/api/v1/metrics/routes?window=1m')).body;
      if (done.stopped) return;
      for (const r of report.data) {
        const kept = samples.get(r.route) || [];
        kept.push(r.requests_per_s);
        samples.set(r.route, kept.slice(-KEPT_SAMPLES));
      }
      show(holder, el('p', {}, `Over the last ${report.window_s} s, summed over the nodes that report each route.`),
        table('Traffic per route', ['Route', 'Requests', 'Requests/s', '5xx', '5xx/s', 'p99 (ms)', 'Nodes', 'Requests/s since opened'],
          report.data.map((r) => [r.route, r.requests, r.requests_per_s.toFixed(2), r.errors_5xx,
            r.errors_5xx_per_s.toFixed(2), r.p99_s === null ? '—' : (r.p99_s * 1000).toFixed(1), r.nodes,
            sparkline(samples.get(r.route), `requests per second of ${r.route}`)]), 'No traffic reported yet'));
    } catch (e) {
      if (!done.stopped) show(holder, notice(e.message, 'error'));
    }
  };
  await refresh();
  const timer = setInterval(refresh, REFRESH_MS);
  return () => clearInterval(timer);
}
