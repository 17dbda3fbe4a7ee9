// Live charts from /metrics, polled every 2 s: the rate or mean of each counter between two
// polls, drawn as SVG line charts built here (no library). Requests and latency by route,
// Paxos conflicts and retries, fsync latency.
import {call, describeFailure} from './api.js';
import {el, svg} from './dom.js';
import {buckets, parseMetrics, quantileBetween, sumBy} from './prometheus.js';

const PERIOD_MS = 2000;
const POINTS = 90;  // 3 minutes
const WIDTH = 480;
const HEIGHT = 180;
const PAD = {left: 48, right: 8, top: 8, bottom: 20};

// One chart: named series of numbers (null: no point), the newest last.
class Chart {
  constructor(title, unit) {
    this.unit = unit;
    this.series = new Map();
    this.colors = new Map();  // a series keeps its colour: the order it first came in
    this.picture = svg('svg', {viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-label': title});
    this.legend = el('ul', {class: 'legend'});
    this.node = el('section', {class: 'chart'}, el('h3', {}, title), this.picture, this.legend);
  }

  // Adds one point to each series named in `values` (a Map), null to the others.
  push(values) {
    for (const name of values.keys()) {
      if (!this.series.has(name)) {
        this.series.set(name, new Array(this.length()).fill(null));
        this.colors.set(name, this.colors.size % 8);
      }
    }
    for (const [name, points] of this.series) {
      points.push(values.has(name) ? values.get(name) : null);
      if (points.length > POINTS) points.shift();
    }
  }

  length() {
    for (const points of this.series.values()) return points.length;
    return 0;
  }

  draw() {
    // The busiest series first; at most eight, the rest left out of the picture.
    const shown = [...this.series]
      .map(([name, points]) => [name, points, points.reduce((a, b) => a + (b || 0), 0)])
      .filter(([, points]) => points.some((p) => p !== null))
      .sort((a, b) => b[2] - a[2]).slice(0, 8);
    const top = niceTop(Math.max(0, ...shown.flatMap(([, points]) => points.filter((p) => p !== null && Number.isFinite(p)))));
    const plotW = WIDTH - PAD.left - PAD.right;
    const plotH = HEIGHT - PAD.top - PAD.bottom;
    const x = (i) => PAD.left + (plotW * i) / (POINTS - 1);
    const y = (v) => PAD.top + plotH - (plotH * Math.max(0, Math.min(v, top))) / top;
    const parts = [];
    for (const fraction of [0, 0.5, 1]) {
      const at = y(top * fraction);
      parts.push(svg('line', {class: fraction ? 'gridline' : 'axis', x1: PAD.left, x2: WIDTH - PAD.right, y1: at, y2: at}),
        svg('text', {x: PAD.left - 4, y: at + 4, 'text-anchor': 'end'}, format(top * fraction)));
    }
    parts.push(svg('line', {class: 'axis', x1: PAD.left, x2: PAD.left, y1: PAD.top, y2: PAD.top + plotH}),
      svg('text', {x: PAD.left, y: HEIGHT - 4}, `${(POINTS * PERIOD_MS) / 60000} min ago`),
      svg('text', {x: WIDTH - PAD.right, y: HEIGHT - 4, 'text-anchor': 'end'}, `now · ${this.unit}`));
    shown.forEach(([name, points]) => {
      const n = this.colors.get(name);
      const offset = POINTS - points.length;
      let run = [];
      const flush = () => {
        if (run.length) parts.push(svg('polyline', {class: `s${n}`, points: run.join(' ')}));
        run = [];
      };
      points.forEach((p, i) => {
        if (p === null || !Number.isFinite(p)) flush();
        else run.push(`${x(offset + i).toFixed(1)},${y(p).toFixed(1)}`);
      });
      flush();
    });
    this.picture.replaceChildren(...parts);
    this.legend.replaceChildren(...shown.map(([name, points]) => {
      const n = this.colors.get(name);
      const last = [...points].reverse().find((p) => p !== null);
      return el('li', {}, el('span', {class: `swatch s${n}`}), `${name || 'all'}: ${format(last)} ${this.unit}`);
    }));
    if (!shown.length) this.legend.replaceChildren(el('li', {class: 'muted'}, 'nothing yet'));
  }
}

function niceTop(max) {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (max <= step * power) return step * power;
  return 10 * power;
}

function format(value) {
  if (value === undefined || value === null || !Number.isFinite(value)) return '–';
  if (value === 0) return '0';
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 1) return value.toFixed(1);
  return value.toPrecision(2);
}

// Per second between two maps of counters; keys absent before count from 0.
function rates(before, after, seconds) {
  const out = new Map();
  for (const [name, value] of after) out.set(name, Math.max(0, value - (before.get(name) || 0)) / seconds);
  return out;
}

// Mean in ms of a histogram between two polls, by label: delta sum / delta count.
function means(beforeSum, afterSum, beforeCount, afterCount) {
  const out = new Map();
  for (const [name, count] of afterCount) {
    const n = count - (beforeCount.get(name) || 0);
    if (n > 0) out.set(name, ((afterSum.get(name) - (beforeSum.get(name) || 0)) / n) * 1000);
  }
  return out;
}

function snapshot(samples) {
  return {
    time: performance.now(),
    requests: sumBy(samples, 'paxoskv_http_requests_total', 'route'),
    latencySum: sumBy(samples, 'paxoskv_http_request_duration_seconds_sum', 'route'),
    latencyCount: sumBy(samples, 'paxoskv_http_request_duration_seconds_count', 'route'),
    paxos: new Map([
      ['conflicts', sumBy(samples, 'paxoskv_paxos_conflicts_total').get('') || 0],
      ['retries', sumBy(samples, 'paxoskv_paxos_retries_total').get('') || 0],
    ]),
    fsyncSum: sumBy(samples, 'paxoskv_fsync_duration_seconds_sum'),
    fsyncCount: sumBy(samples, 'paxoskv_fsync_duration_seconds_count'),
    fsyncBuckets: buckets(samples, 'paxoskv_fsync_duration_seconds'),
  };
}

export function renderMetrics(main) {
  const controller = new AbortController();
  const charts = {
    requests: new Chart('Requests by route', 'req/s'),
    latency: new Chart('Mean latency by route', 'ms'),
    paxos: new Chart('Paxos conflicts and retries', '/s'),
    fsync: new Chart('fsync latency (mean, p99 bucket)', 'ms'),
  };
  const state = el('p', {class: 'muted', id: 'metrics-state'}, 'Reading /metrics…');
  let previous = null;
  let timer = 0;

  async function poll() {
    try {
      const answer = await call('GET', '/metrics', {signal: controller.signal});
      if (!answer.ok) {
        state.className = 'error';
        state.textContent = describeFailure(answer);
      } else {
        const now = snapshot(parseMetrics(answer.text));
        if (previous) {
          const seconds = (now.time - previous.time) / 1000;
          charts.requests.push(rates(previous.requests, now.requests, seconds));
          charts.latency.push(means(previous.latencySum, now.latencySum, previous.latencyCount, now.latencyCount));
          charts.paxos.push(rates(previous.paxos, now.paxos, seconds));
          const fsync = means(previous.fsyncSum, now.fsyncSum, previous.fsyncCount, now.fsyncCount);
          const p99 = quantileBetween(previous.fsyncBuckets, now.fsyncBuckets, 0.99);
          const points = new Map([['mean', fsync.get('') ?? null]]);
          points.set('p99 (bucket bound)', p99 === null ? null : p99 * 1000);
          charts.fsync.push(points);
          for (const chart of Object.values(charts)) chart.draw();
          state.className = 'muted';
          state.textContent = `Updated ${new Date().toLocaleTimeString()}: rates and means over the last ` +
            `${seconds.toFixed(1)} s, polled every ${PERIOD_MS / 1000} s (this page's own polls count too).`;
        }
        previous = now;
      }
    } catch (error) {
      if (error.name === 'AbortError') return;
      state.className = 'error';
      state.textContent = `The replica did not answer: ${error.message}`;
    }
    if (!controller.signal.aborted) timer = setTimeout(poll, previous ? PERIOD_MS : 300);
  }

  main.append(el('h1', {}, 'Metrics'), state,
    el('div', {class: 'grid'}, Object.values(charts).map((chart) => chart.node)));
  for (const chart of Object.values(charts)) chart.draw();
  poll();
  return () => {
    controller.abort();
    clearTimeout(timer);
  };
}
