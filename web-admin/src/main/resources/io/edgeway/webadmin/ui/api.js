// The admin API client: bearer token from sessionStorage (this tab only), problem+json turned into ApiError.
const TOKEN_KEY = 'edgeway.adminToken';

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (value) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** An API refusal: status, the problem's detail and its field errors ([{field, message}]). */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
  }
}

/** Listeners told when the API refuses the token (the shell shows the sign-in form again). */
const unauthorized = new Set();
export const onUnauthorized = (listener) => unauthorized.add(listener);

/**
 * Calls the API. options: {method, json, text, contentType, ifMatch, accept}. Answers {status, body, headers}
 * with body parsed as JSON when the response is JSON, as text otherwise; throws ApiError on 4xx/5xx.
 */
export async function api(path, options = {}) {
  const headers = { Accept: options.accept || 'application/json' };
  const secret = token.get();
  if (secret) headers.Authorization = `Bearer ${secret}`;
  if (options.ifMatch) headers['If-Match'] = options.ifMatch;
  let body;
  if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.text !== undefined) {
    headers['Content-Type'] = options.contentType || 'text/plain';
    body = options.text;
  }
  // no-store: never a cached answer. A managed certificate's ETag covers its config, not its ACME status, so a
  // revalidated GET (If-None-Match, 304) would keep showing "pending" after the order failed.
  const response = await fetch(path, { method: options.method || 'GET', headers, body, credentials: 'omit', cache: 'no-store' });
  const type = response.headers.get('Content-Type') || '';
  const parsed = type.includes('json') ? await response.json().catch(() => ({})) : await response.text();
  if (response.status === 401) {
    token.clear();
    unauthorized.forEach((listener) => listener());
  }
  if (!response.ok) {
    throw new ApiError(response.status, typeof parsed === 'object' ? parsed : { detail: parsed });
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

/** Path segments are always encoded: a name can never turn into another path. */
export const path = (strings, ...values) =>
  strings.reduce((out, s, i) => out + s + (i < values.length ? encodeURIComponent(values[i]) : ''), '');
