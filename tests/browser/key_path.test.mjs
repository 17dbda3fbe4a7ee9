// The console's key paths (http/ui/api.js keyPath) as a browser resolves them: whatever a
// key holds, the request must name that key and no other path. A "." or ".." part of a key
// is a dot segment to the URL parser (fetch() resolves it away), so a key written by a
// token limited to "t/" as "t/../prod/config" would make the console of an admin read,
// overwrite or delete prod/config, and "t/../../members/1" would make its Delete button
// remove replica 1. Node's URL is the WHATWG parser browsers use.
//
//   node --test tests/browser/key_path.test.mjs
import assert from 'node:assert/strict';
import {test} from 'node:test';

import {keyPath, query} from '../../http/ui/api.js';

const base = 'http://127.0.0.1:8001/ui/';

// The key a replica reads from the request's path, or null when it is no key's path.
function keyRequested(path) {
  const {pathname} = new URL(path, base);
  if (!pathname.startsWith('/v1/kv/')) return null;
  return decodeURIComponent(pathname.slice('/v1/kv/'.length));
}

test('every key keeps its own path, dot segments and all', () => {
  const keys = [
    'plain', 'config/app/db', 't/../prod/config', 't/../../members/1', 't/../../auth/tokens/admin',
    'a/./b', 'a/b/.', 'a/b/..', './x', '../x', 'a/%2e%2e/b', 'a/.%2E/b', 'a//b', '/lead', 'trail/',
    'sp ace/?#&=+', 'ünï/cödé', '..x', 'x..', '...',
  ];
  for (const key of keys) {
    assert.equal(keyRequested(keyPath(key)), key, `key ${JSON.stringify(key)}`);
    assert.equal(keyRequested(keyPath(key) + query({cas: 3})), key, `key ${JSON.stringify(key)} with a query`);
  }
});

test('a key no URL can name is refused, not sent elsewhere', () => {
  for (const key of ['.', '..']) assert.throws(() => keyPath(key), `key ${JSON.stringify(key)}`);
});
