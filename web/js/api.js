// api.js — the only place that talks to /api/v1.
//
// The token lives in memory and in sessionStorage (so that a reload keeps the session in that tab
// only); never in localStorage or a cookie. Every failure becomes one of three errors the pages
// know how to show:
//   ProblemError  the API answered application/problem+json (status, detail, field errors);
//   ServiceError  no answer at all (network down) or 502/503/504: say so plainly, offer a retry;
//   AuthError     401: the session is over; the app has already gone to sign-in, remembering the
//                 page to come back to, so callers only stop.

const TOKEN_KEY = 'cdt.token';
const USER_KEY = 'cdt.user';
const BASE = '/api/v1';

let token = null;
let user = null;
let onUnauthorized = () => {};

export class ProblemError extends Error {
  constructor(status, problem) {
    super(problem?.title || `HTTP ${status}`);
    this.name = 'ProblemError';
    this.status = status;
    this.detail = problem?.detail || '';
    this.type = problem?.type || '';
    this.errors = Array.isArray(problem?.errors) ? problem.errors : [];
  }

  /** A write the API asks to confirm (409 confirmation-required): send it again with confirm=true. */
  get needsConfirmation() {
    return this.status === 409 && this.type.endsWith('/confirmation-required');
  }
}

export class ServiceError extends Error {
  constructor(status) {
    super(status ? `HTTP ${status}` : 'network');
    this.name = 'ServiceError';
    this.status = status || 0;
  }
}

export class AuthError extends Error {
  constructor() {
    super('unauthorized');
    this.name = 'AuthError';
  }
}

// ---------------------------------------------------------------------------------------------
// The session.

/** Restores the session saved in this tab, if any. */
export function restoreSession() {
  try {
    token = sessionStorage.getItem(TOKEN_KEY);
    user = JSON.parse(sessionStorage.getItem(USER_KEY) || 'null');
  } catch {
    token = null;
    user = null;
  }
  return Boolean(token);
}

export function setSession(accessToken, account) {
  token = accessToken;
  user = account || null;
  try {
    sessionStorage.setItem(TOKEN_KEY, accessToken);
    sessionStorage.setItem(USER_KEY, JSON.stringify(user));
  } catch {
    // Private mode without storage: the session lasts as long as the page.
  }
}

export function setUser(account) {
  user = account;
  try {
    sessionStorage.setItem(USER_KEY, JSON.stringify(user));
  } catch {
    // as above
  }
}

export function clearSession() {
  token = null;
  user = null;
  try {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(USER_KEY);
  } catch {
    // as above
  }
}

export const signedIn = () => Boolean(token);
export const currentUser = () => user;

/** Called once by the app: what to do when the API answers 401. */
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

// ---------------------------------------------------------------------------------------------
// Requests.

/** "/teams" + {unit: '718', q: ''} → "/api/v1/teams?unit=718"; empty values are left out. */
export function apiUrl(path, query) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query || {})) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  }
  const qs = params.toString();
  return BASE + path + (qs ? `?${qs}` : '');
}

async function readProblem(response) {
  const type = response.headers.get('Content-Type') || '';
  if (!/json/.test(type)) return null;
  try {
    return await response.json();
  } catch {
    return null;
  }
}

function unauthorized() {
  clearSession();
  onUnauthorized();
  return new AuthError();
}

/**
 * One request. opts: query, body (sent as JSON), raw + contentType (sent as is), version (sent
 * as If-Match), accept. Resolves to {status, data, version}; data is parsed JSON, or the text
 * when the answer is not JSON, or null for 204.
 */
export async function request(method, path, opts = {}) {
  const headers = { Accept: opts.accept || 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  let body;
  if (opts.raw !== undefined) {
    body = opts.raw;
    headers['Content-Type'] = opts.contentType || 'application/octet-stream';
  } else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['Content-Type'] = 'application/json';
  }
  if (opts.version !== undefined && opts.version !== null) headers['If-Match'] = `"${opts.version}"`;

  let response;
  try {
    response = await fetch(apiUrl(path, opts.query), { method, headers, body, cache: 'no-store' });
  } catch {
    throw new ServiceError(0);
  }
  const isLogin = path === '/auth/login';
  if (response.status === 401 && !isLogin) throw unauthorized();
  if ([502, 503, 504].includes(response.status)) throw new ServiceError(response.status);
  if (!response.ok) throw new ProblemError(response.status, await readProblem(response));

  const etag = response.headers.get('ETag');
  const version = etag ? Number(etag.replace(/"/g, '')) : undefined;
  if (response.status === 204) return { status: 204, data: null, version };
  const type = response.headers.get('Content-Type') || '';
  // The body can still fail to arrive (the connection drops, the page is reloaded meanwhile):
  // a network failure like a failed fetch, not a bug of the client (a SyntaxError still is).
  let data;
  try {
    data = opts.blob ? await response.blob() : /json/.test(type) ? await response.json() : await response.text();
  } catch (err) {
    if (err instanceof TypeError) throw new ServiceError(0);
    throw err;
  }
  return { status: response.status, data, version };
}

export const get = async (path, query) => (await request('GET', path, { query })).data;
export const post = async (path, body, query) => (await request('POST', path, { body, query })).data;
export const patch = async (path, body, version, query) => (await request('PATCH', path, { body, version, query })).data;
export const put = async (path, body) => (await request('PUT', path, { body })).data;
export const del = async (path, version) => (await request('DELETE', path, { version })).data;

/** Every page of a list (for pickers); stops at `max` items. */
export async function getAll(path, query = {}, max = 5000) {
  const items = [];
  for (let offset = 0; offset < max; offset += 1000) {
    const page = await get(path, { ...query, limit: 1000, offset });
    items.push(...page.items);
    if (items.length >= page.total || page.items.length === 0) break;
  }
  return items;
}

/** Signs in; resolves to the login answer {access_token, user, ...}. */
export async function login(username, password) {
  const { data } = await request('POST', '/auth/login', { body: { username, password } });
  setSession(data.access_token, data.user);
  return data;
}

/** The media type of an Excel workbook (.xlsx), as the API answers it. */
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * Downloads an export with the bearer token and hands the file to the browser as a download:
 * format 'csv' (the API's ?format=csv) or 'xlsx' (an Excel workbook). People get the columns a
 * person reads (columns=labels: Vietnamese headers, names beside codes, dates dd/mm/yyyy);
 * `columns: 'api'` gives the CSV that imports back. `basename` is the file's name without its
 * extension.
 */
export async function downloadExport(path, query, basename, format, { columns = 'labels' } = {}) {
  await download(path, { ...query, format, columns }, `${basename}.${format}`, format === 'xlsx' ? XLSX_TYPE : 'text/csv');
}

/** Fetches path with the bearer token and hands the answer to the browser as the file `filename`. */
export async function download(path, query, filename, accept) {
  const { data } = await request('GET', path, { query, accept, blob: true });
  const url = URL.createObjectURL(data);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/**
 * Uploads a file body (an import) with progress: onProgress(fraction 0..1, phase) where phase
 * is 'upload' while bytes are sent and 'server' while the server works. Same errors as request().
 */
export function upload(path, query, file, contentType, onProgress = () => {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', apiUrl(path, query));
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Content-Type', contentType);
    if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total, 'upload');
    };
    xhr.upload.onload = () => onProgress(1, 'server');
    xhr.onerror = () => reject(new ServiceError(0));
    xhr.ontimeout = () => reject(new ServiceError(0));
    xhr.onload = () => {
      let data = null;
      try {
        data = JSON.parse(xhr.responseText);
      } catch {
        data = null;
      }
      if (xhr.status === 401) reject(unauthorized());
      else if ([502, 503, 504].includes(xhr.status)) reject(new ServiceError(xhr.status));
      else if (xhr.status >= 200 && xhr.status < 300) resolve({ status: xhr.status, data });
      else reject(new ProblemError(xhr.status, data));
    };
    xhr.send(file);
  });
}
