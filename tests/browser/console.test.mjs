// The web console in a real browser: headless Chromium (Debian's, /usr/bin/chromium) driven by
// playwright-core against a real 3-replica cluster started from the built binary, and a
// 1-replica cluster with tokens on. It browses the key tree, edits with a stale version (the
// conflict is shown and nothing is overwritten), sees a write made by another client arrive
// live, renders a key and value holding markup as text (no dialog fires), checks the status
// and metrics pages, asks for a token, keeps a key holding "../" to itself, and saves a
// screenshot of each page.
//
//   node tests/browser/console.test.mjs     (tools/test --browser installs, builds and runs it)
//
// Environment: PAXOSKV_BINARY (default build/paxoskv), PAXOSKV_BROWSER_ARTIFACTS (default
// build/browser-artifacts), PAXOSKV_BROWSER_PORT_BASE (default: free ports the system picks),
// CHROMIUM (default /usr/bin/chromium).
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {chromium} from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const binary = process.env.PAXOSKV_BINARY || path.join(root, 'build/paxoskv');
const artifacts = process.env.PAXOSKV_BROWSER_ARTIFACTS || path.join(root, 'build/browser-artifacts');
const browserPath = process.env.CHROMIUM || '/usr/bin/chromium';
let nextPort = Number(process.env.PAXOSKV_BROWSER_PORT_BASE || 0);
const ROOT_TOKEN = 'browser-test-root-token';

const children = [];
const scratch = mkdtempSync(path.join(os.tmpdir(), 'paxoskv-browser-'));
mkdirSync(artifacts, {recursive: true});
// Screenshots of an earlier run's failures would mislead.
for (const name of readdirSync(artifacts)) {
  if (name.startsWith('failure-')) rmSync(path.join(artifacts, name));
}

function freePort() {
  if (nextPort) return Promise.resolve(nextPort++);
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually(what, check, limitMs = 15000) {
  const deadline = Date.now() + limitMs;
  let last;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      last = error;
    }
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

// Starts `size` replicas; resolves to their client base URLs once each has a quorum.
async function startCluster(name, size, extraFlags = []) {
  const ids = Array.from({length: size}, (_, i) => i + 1);
  const ports = [];
  for (const id of ids) ports.push({id, client: await freePort(), peer: await freePort()});
  const clusterFlag = ports.map((p) => `${p.id}=127.0.0.1:${p.peer}`).join(',');
  for (const p of ports) {
    const dataDir = path.join(scratch, `${name}-${p.id}`);
    const child = spawn(binary, ['--id', String(p.id), '--data-dir', dataDir,
      '--listen', `127.0.0.1:${p.client}`, '--peer-listen', `127.0.0.1:${p.peer}`,
      '--cluster', clusterFlag, ...extraFlags], {stdio: ['ignore', 'ignore', 'pipe']});
    let log = '';
    child.stderr.on('data', (chunk) => { log = (log + chunk).slice(-4000); });
    child.on('exit', (code, signal) => {
      if (!child.stopping) console.error(`replica ${name}-${p.id} exited (${code ?? signal}):\n${log}`);
    });
    children.push(child);
  }
  const urls = ports.map((p) => `http://127.0.0.1:${p.client}`);
  for (const url of urls) {
    await eventually(`${url} to reach a quorum`, async () => {
      const status = await (await fetch(`${url}/v1/status`)).json();
      return status.has_quorum && status.reachable === size;
    }, 30000);
  }
  return urls;
}

async function api(url, method, target, body, token) {
  const headers = token ? {Authorization: `Bearer ${token}`} : {};
  const response = await fetch(url + target, {method, body, headers});
  const text = await response.text();
  return {status: response.status, json: text ? JSON.parse(text) : null};
}

function stopAll() {
  for (const child of children) {
    child.stopping = true;
    child.kill('SIGTERM');
  }
}

const results = [];
async function step(name, page, body) {
  const started = Date.now();
  try {
    await body();
    results.push({name, ok: true});
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (error) {
    results.push({name, ok: false});
    console.log(`FAIL ${name}: ${error.stack || error}`);
    await page.screenshot({path: path.join(artifacts, `failure-${name.replace(/\W+/g, '-')}.png`), fullPage: true})
      .catch(() => {});
  }
}

async function shot(page, name) {
  await page.screenshot({path: path.join(artifacts, `${name}.png`), fullPage: true});
}

async function main() {
  const [url1, url2] = await startCluster('main', 3);
  const seed = {
    'config/app/db': 'postgres://db:5432',
    'config/app/port': '5432',
    'config/web/title': 'Welcome',
    'services/api/1': '10.0.0.1:8080',
    'services/api/2': '10.0.0.2:8080',
    'readme': 'top-level key',
    'xss/<script>alert(1)</script>': '<img src=x onerror=alert(2)><script>alert(3)</script>',
  };
  for (const [key, value] of Object.entries(seed)) {
    const answer = await api(url1, 'PUT', `/v1/kv/${key.split('/').map(encodeURIComponent).join('/')}`, value);
    assert.equal(answer.status, 200, `seed ${key}`);
  }

  const browser = await chromium.launch({
    executablePath: browserPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({viewport: {width: 1200, height: 760}});
  const page = await context.newPage();
  const dialogs = [];
  const problems = [];
  page.on('dialog', async (dialog) => {
    dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    // A Content-Security-Policy refusal is reported on the console: the page must cause none.
    if (message.type() === 'error' && !/status of (401|403|404|409)/.test(message.text())) {
      problems.push(`console error: ${message.text()}`);
    }
  });

  await step('the page loads under its policy', page, async () => {
    const response = await page.goto(`${url1}/ui`);
    assert.equal(page.url(), `${url1}/ui/`);
    assert.match(response.headers()['content-security-policy'], /^default-src 'self'/);
    await page.getByRole('heading', {name: 'Keys', exact: true}).waitFor();
    await page.locator('#replica').filter({hasText: 'replica 1'}).waitFor();
  });

  await step('browse the key tree', page, async () => {
    await page.getByRole('link', {name: 'config/', exact: true}).click();
    await page.getByRole('heading', {name: 'Keys under config/'}).waitFor();
    await page.getByRole('link', {name: 'app/', exact: true}).click();
    await page.getByRole('link', {name: 'db', exact: true}).waitFor();
    assert.equal(await page.locator('table.keys td.value').first().textContent(), 'postgres://db:5432');
    await shot(page, 'keys');
    await page.getByRole('link', {name: 'db', exact: true}).click();
    await page.locator('#version').filter({hasText: 'version 1'}).waitFor();
    assert.equal(await page.locator('#value').textContent(), 'postgres://db:5432');
    await page.getByRole('button', {name: 'hex', exact: true}).click();
    assert.match(await page.locator('#value').textContent(), /^00000000 {2}70 6f 73 74/);
    await page.getByRole('button', {name: 'base64', exact: true}).click();
    assert.equal(await page.locator('#value').textContent(), Buffer.from('postgres://db:5432').toString('base64'));
    await page.getByRole('button', {name: 'text', exact: true}).click();
    await shot(page, 'key');
  });

  await step('an edit on a stale version shows the conflict and overwrites nothing', page, async () => {
    // Another client changes the key after the page read version 1.
    const other = await api(url2, 'PUT', '/v1/kv/config/app/db', 'postgres://elsewhere:5432');
    assert.equal(other.json.version, 2);
    await page.locator('#editor').fill('postgres://mine:5432');
    await page.locator('#save').click();
    const conflict = page.locator('#conflict');
    await conflict.waitFor();
    assert.match(await conflict.textContent(), /you edited version 1, it is now at version 2/);
    const stored = await api(url1, 'GET', '/v1/kv/config/app/db');
    assert.equal(stored.json.value, 'postgres://elsewhere:5432');
    assert.equal(stored.json.version, 2);
    assert.equal(await page.locator('#editor').inputValue(), 'postgres://mine:5432');
    await shot(page, 'conflict');
    // A stale delete is refused the same way.
    await page.locator('#delete').click();
    await page.locator('#confirm-delete').click();
    await page.locator('#conflict').filter({hasText: 'asked to delete version 1'}).waitFor();
    assert.equal((await api(url1, 'GET', '/v1/kv/config/app/db')).status, 200);
    // After reloading, the edit goes through on the current version.
    await page.locator('#reload').click();
    await page.locator('#version').filter({hasText: 'version 2'}).waitFor();
    await page.locator('#editor').fill('postgres://mine:5432');
    await page.locator('#save').click();
    await page.locator('#outcome').filter({hasText: 'Saved: now version 3'}).waitFor();
    assert.equal((await api(url1, 'GET', '/v1/kv/config/app/db')).json.value, 'postgres://mine:5432');
  });

  await step('a write by another client shows up live', page, async () => {
    await page.goto(`${url1}/ui/#/watch/config/`);
    await page.locator('#live-state').filter({hasText: 'Watching'}).waitFor();
    await sleep(200);  // the long poll is in flight
    assert.equal((await api(url2, 'PUT', '/v1/kv/config/app/feature', 'on')).status, 200);
    const changes = page.locator('#live-changes');
    await changes.locator('tr').filter({hasText: 'config/app/feature'}).filter({hasText: 'on'}).waitFor();
    assert.equal((await api(url2, 'DELETE', '/v1/kv/config/app/port')).status, 200);
    await changes.locator('tr').filter({hasText: 'config/app/port'}).filter({hasText: 'deleted'}).waitFor();
    await page.locator('#live-keys tr').filter({hasText: 'config/app/feature'}).waitFor();
    assert.equal(await page.locator('#live-keys tr').filter({hasText: 'config/app/port'}).count(), 0);
    await shot(page, 'live');
  });

  await step('a key and value holding markup are shown as text', page, async () => {
    // The key's '/' makes "<script>alert(1)</" a folder of xss/ and "script>" a key in it.
    await page.goto(`${url1}/ui/#/keys/xss%2F`);
    const folder = page.getByRole('link', {name: '<script>alert(1)</', exact: true});
    await folder.waitFor();
    assert.ok(await folder.isVisible());
    await folder.click();
    await page.getByRole('heading', {name: 'Keys under xss/<script>alert(1)</', exact: true}).waitFor();
    await shot(page, 'markup-key');
    await page.getByRole('link', {name: 'script>', exact: true}).click();
    await page.locator('#version').filter({hasText: 'version 1'}).waitFor();
    const heading = page.getByRole('heading', {name: 'xss/<script>alert(1)</script>', exact: true});
    assert.ok(await heading.isVisible());
    assert.equal(await page.locator('#value').textContent(),
      '<img src=x onerror=alert(2)><script>alert(3)</script>');
    assert.ok(await page.getByText('<img src=x onerror=alert(2)><script>alert(3)</script>').first().isVisible());
    // In the live view too: a change of the key arrives as text.
    await page.goto(`${url1}/ui/#/watch/xss%2F`);
    await page.locator('#live-state').filter({hasText: 'Watching'}).waitFor();
    await sleep(200);
    await api(url2, 'PUT', `/v1/kv/xss/${encodeURIComponent('<script>alert(1)</script>')}`, '<b onmouseover=alert(4)>bold</b>');
    await page.locator('#live-changes tr').filter({hasText: 'xss/<script>alert(1)</script>'})
      .filter({hasText: '<b onmouseover=alert(4)>bold</b>'}).waitFor();
    assert.equal(await page.locator('main img, main script, main b').count(), 0);
    await sleep(300);
    assert.deepEqual(dialogs, []);
  });

  await step('the cluster status page', page, async () => {
    await page.goto(`${url1}/ui/#/status`);
    await eventually('three reachable members', async () =>
      (await page.locator('.pill.up').count()) === 3);
    assert.match(await page.locator('#status').textContent(), /configuration version/);
    await shot(page, 'status');
  });

  await step('the metrics charts', page, async () => {
    await page.goto(`${url1}/ui/#/metrics`);
    // Traffic to chart, over a few polls.
    for (let i = 0; i < 12; ++i) {
      await api(url1, 'PUT', `/v1/kv/load/${i}`, `value ${i}`);
      await api(url1, 'GET', `/v1/kv/load/${i}`);
      await sleep(400);
    }
    await eventually('lines in the charts', async () => (await page.locator('svg polyline').count()) >= 3);
    const legend = await page.locator('.chart').first().textContent();
    assert.match(legend, /kv_put/);
    await shot(page, 'metrics');
  });

  await step('no page error and no policy violation', page, async () => {
    assert.deepEqual(problems, []);
    assert.deepEqual(dialogs, []);
  });

  // Tokens on: the page asks for one, shows 401 and 403, and only what the token may read.
  const tokenFile = path.join(scratch, 'root-token');
  writeFileSync(tokenFile, `${ROOT_TOKEN}\n`);
  const [secured] = await startCluster('auth', 1, ['--auth-root-token-file', tokenFile]);
  for (const key of ['config/app/db', 'config/app/port', 'secret/password']) {
    assert.equal((await api(secured, 'PUT', `/v1/kv/${key}`, `value of ${key}`)).status, 401);
    assert.equal((await api(secured, 'PUT', `/v1/kv/${key}`, `value of ${key}`, ROOT_TOKEN)).status, 200);
  }
  const created = await api(secured, 'POST', '/v1/auth/tokens',
    JSON.stringify({name: 'viewer', role: 'read', prefix: 'config/app/'}), ROOT_TOKEN);
  assert.equal(created.status, 200);

  await step('with tokens on, the console asks for one and shows only what it may read', page, async () => {
    await page.goto(`${secured}/ui/`);
    await page.locator('#notice').filter({hasText: 'Authentication is on'}).waitFor();
    assert.ok(await page.locator('#token-panel').isVisible());
    assert.match(await page.locator('main').textContent(), /401 unauthenticated/);
    await shot(page, 'token-asked');
    await page.locator('#token-input').fill(created.json.token);
    await page.getByRole('button', {name: 'Use token'}).click();
    await page.getByRole('button', {name: 'Token: set'}).waitFor();
    await page.getByRole('link', {name: 'config/', exact: true}).waitFor();
    assert.equal(await page.getByRole('link', {name: 'secret/', exact: true}).count(), 0);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('paxoskv-console-token')), created.json.token);
    await page.goto(`${secured}/ui/#/key/config%2Fapp%2Fdb`);
    await page.locator('#version').filter({hasText: 'version 1'}).waitFor();
    await page.locator('#editor').fill('not allowed');
    await page.locator('#save').click();
    await page.locator('#outcome').filter({hasText: '403 permission denied'}).waitFor();
    await page.goto(`${secured}/ui/#/key/secret%2Fpassword`);
    await page.locator('#outcome').filter({hasText: '403 permission denied'}).waitFor();
    assert.equal(await page.locator('#value').textContent(), '');
    // Nothing read, nothing to delete: the button stays off.
    assert.ok(await page.locator('#delete').isDisabled());
    await shot(page, 'token-forbidden');
  });

  // A key is named by its whole self: "t/../secret/password", written by a token limited to
  // t/, must not make an admin's console read, edit or delete secret/password, which the URL
  // /v1/kv/t/../secret/password resolves to.
  await step('a key holding dot segments is that key, not the path they lead to', page, async () => {
    const tenant = await api(secured, 'POST', '/v1/auth/tokens',
      JSON.stringify({name: 'tenant', role: 'readwrite', prefix: 't/'}), ROOT_TOKEN);
    assert.equal(tenant.status, 200);
    const trap = 't/../secret/password';
    assert.equal((await api(secured, 'PUT', `/v1/kv/${encodeURIComponent(trap)}`, 'junk', tenant.json.token)).status, 200);
    await page.evaluate((held) => sessionStorage.setItem('paxoskv-console-token', held), ROOT_TOKEN);
    await page.goto(`${secured}/ui/#/key/${encodeURIComponent(trap)}`);
    await page.locator('#version').filter({hasText: 'version 1'}).waitFor();
    assert.equal(await page.locator('#value').textContent(), 'junk');
    await page.locator('#delete').click();
    await page.locator('#confirm-delete').click();
    await page.locator('#outcome').filter({hasText: 'Deleted'}).waitFor();
    assert.equal((await api(secured, 'GET', `/v1/kv/${encodeURIComponent(trap)}`, undefined, ROOT_TOKEN)).status, 404);
    const kept = await api(secured, 'GET', '/v1/kv/secret/password', undefined, ROOT_TOKEN);
    assert.equal(kept.status, 200);
    assert.equal(kept.json.value, 'value of secret/password');
  });

  await browser.close();
}

let failed = false;
try {
  await main();
} catch (error) {
  console.log(`FAIL setting up: ${error.stack || error}`);
  failed = true;
} finally {
  stopAll();
  await sleep(300);
  rmSync(scratch, {recursive: true, force: true});
}
const passed = results.filter((r) => r.ok).length;
console.log(`${passed} of ${results.length} browser steps passed; screenshots in ${artifacts}`);
process.exit(failed || passed !== results.length || results.length === 0 ? 1 : 0);
