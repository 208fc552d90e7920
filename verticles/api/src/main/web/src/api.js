// REST client: every call carries the bearer token; every non-2xx answer becomes an AppError with the server's
// {error:{code,message,field}}.

export class AppError extends Error {
  constructor(status, code, message, field) {
    super(message || code || 'Something went wrong.');
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

let token = null;
let onUnauthorized = () => {};

export function setToken(t) { token = t; }
export function setUnauthorizedHandler(fn) { onUnauthorized = fn; }

async function request(method, path, body, raw) {
  const headers = {};
  if (token) headers.authorization = 'Bearer ' + token;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new AppError(0, 'network', 'The server cannot be reached. Check your connection.');
  }
  if (response.ok && raw) return response;
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
  if (!response.ok) {
    const error = (data && data.error) || {};
    const err = new AppError(response.status, error.code, error.message || response.statusText || 'Request failed', error.field);
    if (response.status === 401 && token && path !== '/api/auth/login') onUnauthorized(err);
    throw err;
  }
  return data;
}

export const api = {
  get: (path) => request('GET', path),
  post: (path, body) => request('POST', path, body === undefined ? {} : body),
  patch: (path, body) => request('PATCH', path, body),
  put: (path, body) => request('PUT', path, body),
  del: (path) => request('DELETE', path),
  /** Downloads an authenticated file (CSV, PDF) through a blob URL: a plain link would not carry the token. */
  async download(path, fallbackName) {
    const response = await request('GET', path, undefined, true);
    const disposition = response.headers.get('content-disposition') || '';
    const match = /filename="?([^";]+)"?/.exec(disposition);
    const blob = await response.blob();
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = match ? match[1] : fallbackName;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  },
};

export function qs(params) {
  const parts = Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => encodeURIComponent(k) + '=' + encodeURIComponent(v));
  return parts.length ? '?' + parts.join('&') : '';
}

export function describe(error) {
  if (!error) return '';
  const base = error.message || String(error);
  return error.code && error.code !== 'network' ? base + ' (' + error.code + ')' : base;
}
