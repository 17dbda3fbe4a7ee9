// Reading the Prometheus text format of /metrics: samples as {name, labels, value}.

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseMetrics(text) {
  const samples = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (!match) continue;
    const labels = {};
    for (const label of (match[2] || '').matchAll(LABEL)) {
      labels[label[1]] = label[2].replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
    }
    const value = match[3] === '+Inf' ? Infinity : Number(match[3]);
    if (!Number.isNaN(value)) samples.push({name: match[1], labels, value});
  }
  return samples;
}

// The sum of the samples named `name`, by the value of `label` (or one total under '').
export function sumBy(samples, name, label) {
  const sums = new Map();
  for (const sample of samples) {
    if (sample.name !== name) continue;
    const group = label ? sample.labels[label] ?? '' : '';
    sums.set(group, (sums.get(group) || 0) + sample.value);
  }
  return sums;
}

// A histogram's cumulative buckets: [[le, count]...] sorted by le.
export function buckets(samples, name) {
  return samples
    .filter((sample) => sample.name === `${name}_bucket`)
    .map((sample) => [sample.labels.le === '+Inf' ? Infinity : Number(sample.labels.le), sample.value])
    .sort((a, b) => a[0] - b[0]);
}

// The upper bound of the bucket that holds quantile q of the counts between two snapshots of
// cumulative buckets (same bounds), or null when nothing was counted.
export function quantileBetween(before, after, q) {
  if (!before.length || before.length !== after.length) return null;
  const total = after[after.length - 1][1] - before[before.length - 1][1];
  if (total <= 0) return null;
  for (let i = 0; i < after.length; ++i) {
    if (after[i][1] - before[i][1] >= q * total) return after[i][0];
  }
  return after[after.length - 1][0];
}
