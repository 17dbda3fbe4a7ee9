// The key tree (a prefix's keys, grouped by '/' into folders, a page at a time through the
// listing API) and one key's page: its value as text, base64 or hex, its version, and edits
// and deletes that are compare-and-set on the version shown, so a change made meanwhile by
// someone else is reported, never overwritten.
import {
  call, describeFailure, entryKey, fromBase64, keyPath, preview, query, toBase64, toHex, valueBytes,
} from './api.js';
import {el, message} from './dom.js';

export const keysLink = (prefix) => `#/keys/${encodeURIComponent(prefix)}`;
export const keyLink = (key) => `#/key/${encodeURIComponent(key)}`;
export const watchLink = (prefix) => `#/watch/${encodeURIComponent(prefix)}`;

// Links to the root and to each folder of `path` ("a/b/" for "a/b/c").
function crumbs(path) {
  const links = [el('a', {href: keysLink('')}, '(root)')];
  let at = 0;
  for (let slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', at)) {
    const folder = path.slice(0, slash + 1);
    links.push(' / ', el('a', {href: keysLink(folder)}, path.slice(at, slash)));
    at = slash + 1;
  }
  return el('div', {class: 'crumbs'}, links);
}

// Consecutive keys under the same next folder are one row.
function group(prefix, items) {
  const rows = [];
  for (const item of items) {
    const key = entryKey(item);
    if (key === null) {
      rows.push({kind: 'binary', item});
      continue;
    }
    const rest = key.slice(prefix.length);
    const slash = rest.indexOf('/');
    if (slash >= 0 && slash < rest.length - 1) {
      const folder = prefix + rest.slice(0, slash + 1);
      const last = rows[rows.length - 1];
      if (last && last.kind === 'folder' && last.folder === folder) ++last.count;
      else rows.push({kind: 'folder', folder, count: 1});
    } else {
      rows.push({kind: 'key', key, item});
    }
  }
  return rows;
}

export function renderKeys(main, prefix) {
  const controller = new AbortController();
  let pageSize = 50;
  const pages = [''];  // the "after" of each page seen, for Previous
  const table = el('tbody');
  const status = el('p', {class: 'muted'});
  const previous = el('button', {type: 'button', disabled: true}, 'Previous page');
  const next = el('button', {type: 'button', disabled: true}, 'Next page');
  const size = el('select', {'aria-label': 'page size'},
    [25, 50, 100, 500].map((n) => el('option', {value: n, selected: n === pageSize}, `${n} per page`)));

  async function load() {
    const after = pages[pages.length - 1];
    status.textContent = 'Loading…';
    const answer = await call('GET', '/v1/kv' + query({prefix, limit: pageSize, after: after || undefined}),
      {signal: controller.signal});
    table.replaceChildren();
    if (!answer.ok) {
      status.className = 'error';
      status.textContent = describeFailure(answer);
      return;
    }
    const items = answer.json.items;
    for (const row of group(prefix, items)) {
      if (row.kind === 'folder') {
        table.append(el('tr', {class: 'folder'},
          el('td', {class: 'key'}, el('a', {href: keysLink(row.folder)}, row.folder.slice(prefix.length))),
          el('td', {class: 'num'}, ''),
          el('td', {class: 'value'}, `${row.count} key${row.count === 1 ? '' : 's'} on this page`)));
      } else if (row.kind === 'key') {
        table.append(el('tr', {class: 'entry'},
          el('td', {class: 'key'}, el('a', {href: keyLink(row.key)}, row.key.slice(prefix.length))),
          el('td', {class: 'num'}, `v${row.item.version}`),
          el('td', {class: 'value'}, preview(row.item))));
      } else {
        table.append(el('tr', {},
          el('td', {class: 'key'}, `(key not UTF-8, base64) ${row.item.key_base64}`),
          el('td', {class: 'num'}, `v${row.item.version}`),
          el('td', {class: 'value'}, preview(row.item))));
      }
    }
    status.className = 'muted';
    const first = entryKey(items[0] || {}) ?? '…';
    const last = entryKey(items[items.length - 1] || {}) ?? '…';
    status.textContent = items.length === 0
      ? (pages.length > 1 ? 'No more keys.' : 'No keys under this prefix (that this token may read).')
      : `${items.length} key${items.length === 1 ? '' : 's'}, “${first}” to “${last}”; ` +
        `this replica's change index ${answer.headers.get('X-Paxoskv-Index')}.`;
    previous.disabled = pages.length <= 1;
    next.disabled = !answer.json.more;
    next.onclick = () => {
      const last = items[items.length - 1];
      pages.push(entryKey(last) ?? '');
      load().catch(failed);
    };
  }
  function failed(error) {
    if (error.name === 'AbortError') return;
    status.className = 'error';
    status.textContent = `The replica did not answer: ${error.message}`;
  }
  previous.addEventListener('click', () => {
    pages.pop();
    load().catch(failed);
  });
  size.addEventListener('change', () => {
    pageSize = Number(size.value);
    pages.splice(1);
    load().catch(failed);
  });

  main.append(
    el('h1', {}, prefix ? `Keys under ${prefix}` : 'Keys'),
    crumbs(prefix),
    el('div', {class: 'toolbar'},
      el('a', {href: watchLink(prefix)}, 'Watch this prefix live'), size, previous, next),
    status,
    el('table', {class: 'keys'},
      el('thead', {}, el('tr', {}, el('th', {}, 'key'), el('th', {}, 'version'), el('th', {}, 'value'))),
      table),
    newKeyForm(prefix, controller));
  load().catch(failed);
  return () => controller.abort();
}

// A new key: put with cas=0, so an existing key is never overwritten from here.
function newKeyForm(prefix, controller) {
  const name = el('input', {type: 'text', id: 'new-key', size: 50, value: prefix, 'aria-label': 'new key'});
  const value = el('textarea', {id: 'new-value', 'aria-label': 'new value'});
  const outcome = el('p', {class: 'muted'});
  const form = el('form', {id: 'new-key-form'},
    el('h2', {}, 'New key'),
    el('div', {class: 'toolbar'}, name, el('button', {type: 'submit'}, 'Create')),
    value, outcome);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const key = name.value;
    if (!key) return;
    const answer = await call('PUT', keyPath(key) + query({cas: 0}),
      {body: value.value, signal: controller.signal});
    if (answer.ok) {
      location.hash = keyLink(key);
    } else {
      outcome.className = answer.status === 409 ? 'conflict' : 'error';
      outcome.textContent = answer.status === 409
        ? `Not created: the key already exists (version ${answer.json.version}). Open it to edit it.`
        : describeFailure(answer);
    }
  });
  return form;
}

function bytesAsText(bytes) {
  try {
    return new TextDecoder('utf-8', {fatal: true}).decode(bytes);
  } catch {
    return null;
  }
}

export function renderKey(main, key) {
  const controller = new AbortController();
  // What the page shows: the edits and deletes are made against this version.
  let shown = {present: false, version: 0, bytes: new Uint8Array()};
  let view = 'text';
  const heading = el('h1', {}, key);
  const versionLine = el('p', {id: 'version'});
  const valueBox = el('pre', {id: 'value'});
  const outcome = el('div', {id: 'outcome', 'aria-live': 'polite'});
  const editor = el('textarea', {id: 'editor', 'aria-label': 'value to write'});
  const encoding = el('select', {id: 'editor-encoding', 'aria-label': 'editor encoding'},
    el('option', {value: 'text'}, 'as text'), el('option', {value: 'base64'}, 'as base64'));
  const viewButtons = ['text', 'base64', 'hex'].map((mode) =>
    el('button', {type: 'button', 'data-view': mode, onclick: () => { view = mode; paint(); }}, mode));
  const save = el('button', {type: 'submit', id: 'save'}, 'Save (compare-and-set)');
  // Until a read of the key answered, there is no version to delete.
  const remove = el('button', {type: 'button', id: 'delete', class: 'danger', disabled: true}, 'Delete');
  const confirmRemove = el('button', {type: 'button', id: 'confirm-delete', class: 'danger', hidden: true},
    'Really delete this version');

  function paint() {
    versionLine.textContent = shown.present
      ? `version ${shown.version} · ${shown.bytes.length} bytes`
      : `absent (version ${shown.version}${shown.version ? ', deleted' : ', never written'})`;
    const text = bytesAsText(shown.bytes);
    if (!shown.present) valueBox.textContent = '';
    else if (view === 'text') valueBox.textContent = text ?? '(not UTF-8 text: see base64 or hex)';
    else if (view === 'base64') valueBox.textContent = toBase64(shown.bytes);
    else valueBox.textContent = toHex(shown.bytes);
    for (const button of viewButtons) button.disabled = button.dataset.view === view;
    remove.disabled = !shown.present;
    save.textContent = shown.present ? `Save if still version ${shown.version}` : 'Create if still absent';
  }

  function fillEditor() {
    const text = bytesAsText(shown.bytes);
    encoding.value = text === null ? 'base64' : 'text';
    editor.value = text ?? toBase64(shown.bytes);
  }

  function say(text, kind) {
    outcome.replaceChildren(el('p', {class: kind}, text));
  }

  async function load() {
    const answer = await call('GET', keyPath(key), {signal: controller.signal});
    if (answer.status === 200) {
      shown = {present: true, version: answer.json.version, bytes: valueBytes(answer.json)};
    } else if (answer.status === 404 && answer.json && 'version' in answer.json) {
      shown = {present: false, version: answer.json.version, bytes: new Uint8Array()};
    } else {
      say(describeFailure(answer), 'error');
      versionLine.textContent = '';
      return;
    }
    paint();
    fillEditor();
  }

  function conflict(answer, what) {
    const now = answer.json && answer.json.version !== undefined ? answer.json.version : '?';
    outcome.replaceChildren(el('div', {class: 'conflict', id: 'conflict'},
      el('strong', {}, 'Conflict: nothing was written. '),
      `The key changed since this page read it: you ${what} version ${shown.version}, it is now at ` +
      `version ${now}. Your text is still in the editor; reload to see the current value, then decide.`,
      ' ', el('button', {type: 'button', id: 'reload', onclick: () => reload()}, 'Reload current value')));
  }

  async function reload() {
    outcome.replaceChildren();
    await load().catch(failed);
  }

  async function write() {
    let body;
    try {
      body = encoding.value === 'base64' ? fromBase64(editor.value) : editor.value;
    } catch {
      say('The editor does not hold valid base64.', 'error');
      return;
    }
    const answer = await call('PUT', keyPath(key) + query({cas: shown.present ? shown.version : 0}),
      {body, signal: controller.signal});
    if (answer.ok) {
      say(`Saved: now version ${answer.json.version}.`, 'ok');
      shown = {present: true, version: answer.json.version,
        bytes: typeof body === 'string' ? new TextEncoder().encode(body) : body};
      paint();
    } else if (answer.status === 409) {
      conflict(answer, 'edited');
    } else {
      say(describeFailure(answer), 'error');
    }
  }

  async function erase() {
    confirmRemove.hidden = true;
    const answer = await call('DELETE', keyPath(key) + query({cas: shown.version}), {signal: controller.signal});
    if (answer.ok) {
      say(`Deleted: the key is absent at version ${answer.json.version}.`, 'ok');
      shown = {present: false, version: answer.json.version, bytes: new Uint8Array()};
      paint();
    } else if (answer.status === 409) {
      conflict(answer, 'asked to delete');
    } else {
      say(describeFailure(answer), 'error');
    }
  }

  function failed(error) {
    if (error.name === 'AbortError') return;
    say(`The replica did not answer: ${error.message}`, 'error');
  }

  const form = el('form', {id: 'edit-form'},
    el('h2', {}, 'Edit'),
    editor,
    el('div', {class: 'toolbar'}, encoding, save, remove, confirmRemove));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    write().catch(failed);
  });
  remove.addEventListener('click', () => { confirmRemove.hidden = false; });
  confirmRemove.addEventListener('click', () => erase().catch(failed));

  const slash = key.lastIndexOf('/');
  main.append(heading, crumbs(key), versionLine,
    el('div', {class: 'toolbar'}, 'Show value as', viewButtons,
      el('button', {type: 'button', id: 'reload-value', onclick: () => reload()}, 'Reload'),
      el('a', {href: keysLink(slash >= 0 ? key.slice(0, slash + 1) : '')}, 'Back to the folder')),
    valueBox, outcome, form);
  load().catch(failed);
  return () => controller.abort();
}
