// The console's one page: hash routes to the key tree, a key, the live view of a prefix, the
// cluster's status and charts of /metrics. Each page returns a function that stops it
// (aborts its requests, clears its timers) when the user goes elsewhere.
import {call, setToken, token} from './api.js';
import {renderMetrics} from './charts.js';
import {renderKey, renderKeys} from './keys.js';
import {renderStatus} from './status.js';
import {renderWatch} from './watch.js';

const pages = {
  keys: renderKeys,
  key: renderKey,
  watch: renderWatch,
  status: renderStatus,
  metrics: renderMetrics,
};

let stopPage = () => {};

// "#/<page>/<argument>", the argument percent-encoded.
function parseHash() {
  const hash = location.hash.replace(/^#\/?/, '');
  const slash = hash.indexOf('/');
  const name = slash < 0 ? hash : hash.slice(0, slash);
  let argument = slash < 0 ? '' : hash.slice(slash + 1);
  try {
    argument = decodeURIComponent(argument);
  } catch {
    argument = '';
  }
  return pages[name] ? {name, argument} : {name: 'keys', argument: ''};
}

function show() {
  stopPage();
  const {name, argument} = parseHash();
  for (const link of document.querySelectorAll('header nav a')) {
    link.classList.toggle('current', link.dataset.page === name || (name === 'key' && link.dataset.page === 'keys'));
  }
  const main = document.getElementById('main');
  main.replaceChildren();
  notice('');
  stopPage = pages[name](main, argument) || (() => {});
}

function notice(text) {
  const line = document.getElementById('notice');
  line.textContent = text;
  line.hidden = !text;
}

function showTokenState() {
  document.getElementById('token-button').textContent = token() ? 'Token: set' : 'Token: none';
}

function setUpToken() {
  const panel = document.getElementById('token-panel');
  const input = document.getElementById('token-input');
  document.getElementById('token-button').addEventListener('click', () => {
    panel.hidden = !panel.hidden;
    if (!panel.hidden) input.focus();
  });
  document.getElementById('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    setToken(input.value.trim());
    input.value = '';
    panel.hidden = true;
    show();
  });
  document.getElementById('token-clear').addEventListener('click', () => {
    setToken('');
    input.value = '';
    show();
  });
  window.addEventListener('paxoskv-token', showTokenState);
  window.addEventListener('paxoskv-auth', (event) => {
    if (event.detail.status === 401) {
      notice(token()
        ? 'The replica does not accept this token (401): it is unknown or was revoked. Enter another.'
        : 'Authentication is on: enter a token to use the API (401 unauthenticated).');
      panel.hidden = false;
      input.focus();
    } else {
      notice('Permission denied (403): the token may not read or change this; the console shows only what it may read.');
    }
  });
  showTokenState();
}

async function showReplica() {
  try {
    const answer = await call('GET', '/v1/status');
    if (answer.ok && answer.json) {
      document.getElementById('replica').textContent =
        `replica ${answer.json.id} · ${answer.json.has_quorum ? 'quorum' : 'NO QUORUM'}`;
    }
  } catch {
    document.getElementById('replica').textContent = 'replica unreachable';
  }
}

setUpToken();
window.addEventListener('hashchange', show);
show();
showReplica();
