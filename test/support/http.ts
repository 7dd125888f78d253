/**
 * A minimal browser-like HTTP client for integration tests: a cookie jar (the session cookie in
 * `cookie`, others such as the staff login's device cookie beside it), the CSRF header.
 */
export interface JsonResponse<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

const SESSION_COOKIE_NAME = 'certdesk_sid';

export class TestClient {
  /** The session cookie, `certdesk_sid=…`. */
  cookie: string | undefined;
  /** Every other cookie the server set, by name (`name=value`). */
  readonly otherCookies = new Map<string, string>();
  csrfToken: string | undefined;
  /** The phone an applicant client logged in with, where tests know it. */
  phone: string | undefined;

  constructor(readonly baseUrl: string, readonly extraHeaders: Record<string, string> = {}) {}

  async request<T = unknown>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<JsonResponse<T>> {
    const h: Record<string, string> = { ...this.extraHeaders, ...headers };
    if (body !== undefined) h['content-type'] = 'application/json';
    if (this.cookieHeader()) h['cookie'] = this.cookieHeader();
    if (this.csrfToken && method !== 'GET' && !('x-csrf-token' in h)) h['x-csrf-token'] = this.csrfToken;
    const res = await fetch(this.baseUrl + path, {
      method,
      headers: h,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const setCookie = res.headers.getSetCookie();
    for (const c of setCookie) {
      const [pair] = c.split(';');
      if (!pair) continue;
      const name = pair.slice(0, pair.indexOf('='));
      const value = pair.slice(pair.indexOf('=') + 1);
      if (name === SESSION_COOKIE_NAME) this.cookie = value === '' ? undefined : pair;
      else if (value === '') this.otherCookies.delete(name);
      else this.otherCookies.set(name, pair);
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  /** A multipart upload of one file in the field `file` (and text fields), as the browser sends it. */
  async upload<T = unknown>(
    path: string,
    data: Buffer,
    filename: string,
    type = 'application/octet-stream',
    fields: Record<string, string> = {},
  ): Promise<JsonResponse<T>> {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('file', new Blob([new Uint8Array(data)], { type }), filename);
    const h: Record<string, string> = { ...this.extraHeaders };
    if (this.cookieHeader()) h['cookie'] = this.cookieHeader();
    if (this.csrfToken) h['x-csrf-token'] = this.csrfToken;
    const res = await fetch(this.baseUrl + path, { method: 'POST', headers: h, body: form });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  private cookieHeader(): string {
    return [...(this.cookie ? [this.cookie] : []), ...this.otherCookies.values()].join('; ');
  }

  get<T = unknown>(path: string) {
    return this.request<T>('GET', path);
  }

  post<T = unknown>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('POST', path, body ?? {}, headers);
  }
}

export type { ErrorBody } from '../../src/http/contract/common.ts';
