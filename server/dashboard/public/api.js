// The API client of the page. The admin key lives in sessionStorage only (gone when the
// tab closes) and travels in the Authorization header, never in a URL.

const KEY_NAME = 'gatehouse.adminKey';

export class ApiError extends Error {
  constructor(status, body) {
    const error = body?.error ?? {};
    super(error.message ?? `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = error.code ?? (status === 0 ? 'NETWORK_ERROR' : `HTTP_${status}`);
    this.suggestedFix = error.suggestedFix ?? (status === 0 ? 'Check that the gatehouse server is running and reachable.' : '');
    this.details = error.details;
  }
}

export const session = {
  key: () => sessionStorage.getItem(KEY_NAME),
  save: (key) => sessionStorage.setItem(KEY_NAME, key),
  clear: () => sessionStorage.removeItem(KEY_NAME),
};

/** Called when the server refuses the key (revoked, or the wrong role): the app signs out. */
let onUnauthorized = () => {};
export function setUnauthorizedHandler(handler) {
  onUnauthorized = handler;
}

export function authHeaders(key = session.key()) {
  return { Authorization: `Bearer ${key}` };
}

/** JSON request; throws ApiError with the API's code and suggestedFix on any failure. */
export async function api(method, path, { body, key, signal } = {}) {
  let res;
  try {
    res = await fetch(path, {
      method,
      headers: { ...authHeaders(key), Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      signal,
    });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError(0, { error: { message: `The server could not be reached (${error.message}).` } });
  }
  const parsed = await res.json().catch(() => undefined);
  if (!res.ok) {
    const error = new ApiError(res.status, parsed);
    if (res.status === 401 && key === undefined) onUnauthorized(error);
    throw error;
  }
  return parsed;
}

export const get = (path, options) => api('GET', path, options);

export function query(params) {
  const q = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') q.set(name, String(value));
  const text = q.toString();
  return text ? `?${text}` : '';
}
