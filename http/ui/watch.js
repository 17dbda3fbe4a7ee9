// The live view of a prefix: its keys as listed once, then kept current by the prefix long
// poll (GET /v1/kv?prefix=P&wait=I), which answers with the changes this replica applied
// after its change index I. Every change is also logged, newest first.
import {call, describeFailure, entryKey, preview, query} from './api.js';
import {el} from './dom.js';
import {keyLink, keysLink} from './keys.js';

const LOG_LIMIT = 200;
const LIST_LIMIT = 500;

export function renderWatch(main, prefix) {
  const controller = new AbortController();
  const current = new Map();  // key -> entry, for the table
  const table = el('tbody', {id: 'live-keys'});
  const log = el('tbody', {id: 'live-changes'});
  const state = el('p', {class: 'muted', id: 'live-state'});
  const input = el('input', {type: 'text', size: 40, value: prefix, 'aria-label': 'prefix to watch'});
  const form = el('form', {class: 'toolbar'}, 'Prefix', input, el('button', {type: 'submit'}, 'Watch'),
    el('a', {href: keysLink(prefix)}, 'Browse these keys'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    location.hash = `#/watch/${encodeURIComponent(input.value)}`;
  });

  function paintTable() {
    table.replaceChildren(...[...current.values()].sort((a, b) => (a.key < b.key ? -1 : 1)).map((entry) =>
      el('tr', {}, el('td', {class: 'key'}, el('a', {href: keyLink(entry.key)}, entry.key)),
        el('td', {class: 'num'}, `v${entry.version}`), el('td', {class: 'value'}, preview(entry)))));
  }

  function record(change) {
    const key = entryKey(change);
    if (key !== null) {
      if (change.deleted) current.delete(key);
      else current.set(key, change);
    }
    for (const row of log.querySelectorAll('tr.fresh')) row.classList.remove('fresh');
    log.prepend(el('tr', {class: 'fresh'},
      el('td', {class: 'num'}, new Date().toLocaleTimeString()),
      el('td', {class: 'key'}, key ?? `(base64) ${change.key_base64}`),
      el('td', {class: 'num'}, `v${change.version}`),
      change.deleted ? el('td', {class: 'deleted'}, 'deleted') : el('td', {class: 'value'}, preview(change))));
    while (log.children.length > LOG_LIMIT) log.lastChild.remove();
  }

  async function run() {
    const listed = await call('GET', '/v1/kv' + query({prefix, limit: LIST_LIMIT}), {signal: controller.signal});
    if (!listed.ok) {
      state.className = 'error';
      state.textContent = describeFailure(listed);
      return;
    }
    for (const item of listed.json.items) {
      const key = entryKey(item);
      if (key !== null) current.set(key, {...item, key});
    }
    paintTable();
    let index = Number(listed.headers.get('X-Paxoskv-Index') || 0);
    let failures = 0;
    while (!controller.signal.aborted) {
      state.className = 'muted';
      state.textContent = `Watching ${prefix ? `“${prefix}”` : 'every key'} from change index ${index}` +
        (listed.json.more ? ` (the table shows the first ${LIST_LIMIT} keys and those that change)` : '');
      let answer;
      try {
        answer = await call('GET', '/v1/kv' + query({prefix, wait: index, timeout: '25s'}),
          {signal: controller.signal});
      } catch (error) {
        if (error.name === 'AbortError') return;
        answer = null;
      }
      if (!answer || !answer.ok) {
        state.className = 'error';
        state.textContent = answer ? describeFailure(answer) : 'The replica did not answer; trying again.';
        if (answer && (answer.status === 401 || answer.status === 403)) return;
        failures = Math.min(failures + 1, 5);
        await new Promise((resolve) => setTimeout(resolve, 500 * failures));
        continue;
      }
      failures = 0;
      for (const change of answer.json.changes) record(change);
      if (answer.json.changes.length) paintTable();
      index = answer.json.index;
    }
  }

  main.append(el('h1', {}, prefix ? `Live: ${prefix}` : 'Live: every key'), form, state,
    el('h2', {}, 'Keys now'),
    el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'key'), el('th', {}, 'version'),
      el('th', {}, 'value'))), table),
    el('h2', {}, 'Changes since this page opened'),
    el('table', {class: 'changes'}, el('thead', {}, el('tr', {}, el('th', {}, 'seen at'), el('th', {}, 'key'),
      el('th', {}, 'version'), el('th', {}, 'value'))), log));
  run().catch((error) => {
    if (error.name === 'AbortError') return;
    state.className = 'error';
    state.textContent = `The replica did not answer: ${error.message}`;
  });
  return () => controller.abort();
}
