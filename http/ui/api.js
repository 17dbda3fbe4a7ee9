// The replica's HTTP API as the console uses it: the token (kept in sessionStorage, sent as
// "Authorization: Bearer"), key paths, and plain words for failures.

const TOKEN_KEY = 'paxoskv-console-token';

export function token() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}

export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
  window.dispatchEvent(new CustomEvent('paxoskv-token'));
}

// fetch() with the token; the answer as {status, ok, json, text, headers}. A 401 or 403 is
// also announced (event "paxoskv-auth") so that the page can ask for a token.
export async function call(method, path, {body, signal} = {}) {
  const headers = {};
  const held = token();
  if (held) headers.Authorization = `Bearer ${held}`;
  const response = await fetch(path, {method, headers, body, signal, cache: 'no-store'});
  const text = await response.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  if (response.status === 401 || response.status === 403) {
    window.dispatchEvent(new CustomEvent('paxoskv-auth', {detail: {status: response.status, path}}));
  }
  return {status: response.status, ok: response.ok, json, text, headers: response.headers};
}

// /v1/kv/<key>: the whole key percent-encoded (UTF-8), its '/' as %2F (the replica decodes
// the path). Never a '/' per part: a "." or ".." part would be a dot segment that fetch()
// resolves away, and a key such as "t/../../members/1" would send the request to another
// key or endpoint with the user's token. The keys "." and ".." stay dot segments however
// encoded: no URL names them, so they are refused here.
export function keyPath(key) {
  if (key === '.' || key === '..') {
    throw new Error(`the key "${key}" cannot be named in a URL: use the API or paxoskvctl`);
  }
  return '/v1/kv/' + encodeURIComponent(key);
}

export function query(parameters) {
  const parts = [];
  for (const [name, value] of Object.entries(parameters)) {
    if (value === undefined || value === null) continue;
    parts.push(value === true ? name : `${name}=${encodeURIComponent(value)}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

// What went wrong, in words.
export function describeFailure(answer) {
  const said = answer.json && typeof answer.json.error === 'string' ? answer.json.error : answer.text;
  switch (answer.status) {
    case 401:
      return '401 unauthenticated: the API needs a token here (use "Token" above), or the token is unknown or revoked.';
    case 403:
      return '403 permission denied: the token may not do this (its role or prefix does not reach it).';
    case 409:
      return `409 conflict: ${said}`;
    case 503:
      return `503 ${said}: no majority answered in time; a write's outcome is unknown until read back.`;
    default:
      return `${answer.status} ${said}`;
  }
}

// Bytes of an entry: "value" (UTF-8 text) or "value_base64".
export function valueBytes(entry) {
  if (typeof entry.value === 'string') return new TextEncoder().encode(entry.value);
  if (typeof entry.value_base64 === 'string') return fromBase64(entry.value_base64);
  return new Uint8Array();
}

export function fromBase64(text) {
  const binary = atob(text.replace(/\s+/g, ''));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; ++i) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function toBase64(bytes) {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

export function toHex(bytes) {
  const lines = [];
  for (let offset = 0; offset < bytes.length; offset += 16) {
    const row = Array.from(bytes.subarray(offset, offset + 16), (b) => b.toString(16).padStart(2, '0'));
    lines.push(`${offset.toString(16).padStart(8, '0')}  ${row.join(' ')}`);
  }
  return lines.join('\n');
}

// The entry's key as text; a key that is not UTF-8 comes as "key_base64".
export function entryKey(entry) {
  return typeof entry.key === 'string' ? entry.key : null;
}

// A short, one-line preview of a value.
export function preview(entry, length = 80) {
  if (typeof entry.value !== 'string') {
    return entry.value_base64 !== undefined ? `(binary, ${valueBytes(entry).length} bytes)` : '';
  }
  const flat = entry.value.replace(/\s+/g, ' ');
  return flat.length > length ? `${flat.slice(0, length)}…` : flat;
}
