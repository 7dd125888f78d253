/**
 * The one door from the browser to the server: JSON (or a multipart upload) over fetch with the
 * session cookie. A client keeps its CSRF token only in memory (an HttpOnly cookie carries the
 * session, so script never sees it) and sends it on every unsafe method. A 401 from a protected
 * call means the session ended: the client's registered handler takes the user to a login page.
 *
 * The portal and the console each have a client (`applicantClient` here, `staffClient` in
 * console/api.ts): the same code, each with its own token and its own way back to its login. The
 * answers' types come from the server's schemas (src/http/contract.ts).
 */
import type { ApplicantSession, ErrorBody, SmsCodeSent } from '../../src/http/contract.ts';
import { common } from './strings';

export type Session = ApplicantSession;
export type ApplicantPrincipal = ApplicantSession['principal'];

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> | undefined,
    /** The server's id of the request (error.requestId, or the X-Request-Id header a proxy's page came with). */
    readonly requestId?: string,
  ) {
    super(message);
  }

  /** A whole number of seconds the server asked us to wait, if it said so. */
  get retryAfterSeconds(): number | undefined {
    const value = this.details?.['retryAfterSeconds'];
    return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.ceil(value) : undefined;
  }
}

/**
 * The message to show for anything a call may throw. A failure of the server (5xx, or an answer
 * that is not ours) names the request (报错编号), so that support finds it in the log; a refusal
 * the user can act on (4xx) says only what to do.
 */
export function errorMessage(err: unknown): string {
  if (!(err instanceof ApiError)) return common.serverError;
  return err.requestId && (err.status >= 500 || err.code === 'UNEXPECTED') ? common.withRequestId(err.message, err.requestId) : err.message;
}

export interface RequestOptions {
  /** JSON, or a FormData sent as multipart. */
  body?: unknown;
  /** The call exists to find out whether there is a session: a 401 is an answer, not an expiry. */
  anonymousAllowed?: boolean;
}

export interface ApiClient {
  request<T>(method: string, path: string, options?: RequestOptions): Promise<T>;
  /**
   * A multipart upload of one file in the field `file` (text fields first). XMLHttpRequest rather
   * than fetch, because only it reports how much of the body has been sent: `onProgress` gets 0–100.
   */
  upload<T>(path: string, file: Blob, filename: string, onProgress: (percent: number) => void, fields?: Record<string, string>): Promise<T>;
  /** After a login or a session check: the token unsafe methods carry; undefined when it ended. */
  setCsrfToken(token: string | undefined): void;
  onUnauthorized(handler: (() => void) | undefined): void;
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function isErrorEnvelope(value: unknown): value is ErrorBody {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error: unknown = value.error;
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    typeof error.code === 'string' &&
    'message' in error &&
    typeof error.message === 'string'
  );
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    // A proxy's HTML error page, for instance: the caller treats it as a server failure.
    return undefined;
  }
}

const networkError = () => new ApiError(0, 'NETWORK', common.networkError, undefined);

export function createApiClient(): ApiClient {
  let csrfToken: string | undefined;
  let unauthorizedHandler: (() => void) | undefined;

  /** The error a non-2xx answer stands for; a 401 on a protected call also ends the session here. */
  function failure(status: number, payload: unknown, headerRequestId: string | null, anonymousAllowed = false): ApiError {
    if (status === 401 && !anonymousAllowed) {
      csrfToken = undefined;
      unauthorizedHandler?.();
    }
    if (isErrorEnvelope(payload)) {
      const { code, message, details, requestId } = payload.error;
      return new ApiError(status, code, message, details, requestId ?? headerRequestId ?? undefined);
    }
    return new ApiError(status, 'UNEXPECTED', common.serverError, undefined, headerRequestId ?? undefined);
  }

  return {
    async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
      const { body } = options;
      const multipart = body instanceof FormData;
      const headers: Record<string, string> = { accept: 'application/json' };
      if (body !== undefined && !multipart) headers['content-type'] = 'application/json';
      if (csrfToken && UNSAFE_METHODS.has(method)) headers['x-csrf-token'] = csrfToken;

      let response: Response;
      try {
        response = await fetch(path, {
          method,
          headers,
          credentials: 'same-origin',
          body: body === undefined ? undefined : multipart ? body : JSON.stringify(body),
        });
      } catch {
        throw networkError();
      }
      const payload = parseJson(await response.text());
      if (response.ok) return payload as T;
      throw failure(response.status, payload, response.headers.get('x-request-id'), options.anonymousAllowed);
    },

    upload<T>(path: string, file: Blob, filename: string, onProgress: (percent: number) => void, fields: Record<string, string> = {}): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const xhr = new XMLHttpRequest();
        xhr.open('POST', path);
        xhr.withCredentials = true;
        xhr.setRequestHeader('accept', 'application/json');
        if (csrfToken) xhr.setRequestHeader('x-csrf-token', csrfToken);
        xhr.upload.onprogress = (event) => {
          if (event.lengthComputable && event.total > 0) onProgress(Math.min(100, Math.round((event.loaded / event.total) * 100)));
        };
        xhr.onload = () => {
          const payload = parseJson(xhr.responseText);
          if (xhr.status >= 200 && xhr.status < 300) resolve(payload as T);
          else reject(failure(xhr.status, payload, xhr.getResponseHeader('x-request-id')));
        };
        xhr.onerror = () => reject(networkError());
        const form = new FormData();
        // Text fields first: the server reads the parts in order.
        for (const [k, v] of Object.entries(fields)) form.append(k, v);
        form.append('file', file, filename);
        xhr.send(form);
      });
    },

    setCsrfToken(token) {
      csrfToken = token;
    },

    onUnauthorized(handler) {
      unauthorizedHandler = handler;
    },
  };
}

/** The applicant's (and the public pages') client. */
export const applicantClient = createApiClient();
export const { request, upload, onUnauthorized } = applicantClient;

export const authApi = {
  /** 获取验证码: resolves with the cooldown the server imposes before the next request. */
  requestCode(phone: string): Promise<SmsCodeSent> {
    return request('POST', '/api/auth/sms-code', { body: { phone } });
  },

  async login(phone: string, code: string): Promise<Session> {
    const session = await request<Session>('POST', '/api/auth/login', { body: { phone, code } });
    applicantClient.setCsrfToken(session.csrfToken);
    return session;
  },

  /** The current session, or null when nobody is logged in. */
  async session(): Promise<Session | null> {
    try {
      const session = await request<Session>('GET', '/api/auth/session', { anonymousAllowed: true });
      applicantClient.setCsrfToken(session.csrfToken);
      return session;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        applicantClient.setCsrfToken(undefined);
        return null;
      }
      throw err;
    }
  },

  async logout(): Promise<void> {
    await request<void>('POST', '/api/auth/logout', { body: {} });
    applicantClient.setCsrfToken(undefined);
  },
};
