// Traffic per route across the fleet (GET /api/v1/metrics/routes), with a line of requests/s per route over the
// last 15 minutes from the control plane's kept reports (GET /api/v1/metrics/routes/history), so the chart is
// filled the moment the page opens instead of holding only what this page has seen.
import { api, path } from '../api.js';
import { el, show, table, notice } from '../dom.js';

const REFRESH_MS = 5000;
const HISTORY = { window: '15m', step: '30s' };
const CHARTED_ROUTES = 20; // one history request per charted route and refresh: bounded
const SVG = 'http://www.w3.org/2000/svg';

function sparkline(values, label) {
  const width = 180;
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

/** requests/s per step, oldest first; a route with no name (unmatched requests) has no history endpoint. */
async function history(route) {
  if (!route) return [];
  const series = (await api(path`/api/v1/metrics/routes/history?route=${route}` + `&window=${HISTORY.window}&step=${HISTORY.step}`)).body;
  return series.data.map((p) => p.requests_per_s);
}

export async function render(container, _params, done) {
  const holder = el('div', { id: 'traffic' });
  show(container, el('h1', {}, 'Traffic'), holder);
  const refresh = async () => {
    try {
      const report = (await api('/api/v1/metrics/routes?window=1m')).body;
      const charted = report.data.slice(0, CHARTED_ROUTES);
      const lines = await Promise.all(charted.map((r) => history(r.route)));
      if (done.stopped) return;
      show(holder, el('p', {}, `Over the last ${report.window_s} s, summed over the nodes that report each route.`),
        table('Traffic per route', ['Route', 'Requests', 'Requests/s', '5xx', '5xx/s', 'p99 (ms)', 'Nodes', 'Requests/s, last 15 min'],
          report.data.map((r, i) => [r.route, r.requests, r.requests_per_s.toFixed(2), r.errors_5xx,
            r.errors_5xx_per_s.toFixed(2), r.p99_s === null ? '—' : (r.p99_s * 1000).toFixed(1), r.nodes,
            i < lines.length && r.route ? sparkline(lines[i], `requests per second of ${r.route} over the last 15 minutes`) : '']),
          'No traffic reported yet'));
    } catch (e) {
      if (!done.stopped) show(holder, notice(e.message, 'error'));
    }
  };
  await refresh();
  const timer = setInterval(refresh, REFRESH_MS);
  return () => clearInterval(timer);
}
