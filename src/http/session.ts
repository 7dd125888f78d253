/**
 * Sessions on every request: the cookie's token is looked up in the database and the principal put
 * on the request. Unsafe methods are protected against CSRF twice: a cross-site Origin is refused
 * outright, and a request made inside a session must carry that session's token in X-CSRF-Token.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import type {} from '@fastify/cookie';
import { AppError } from '../domain/errors.ts';
import type { Principal, StaffRole } from '../domain/principal.ts';
import type { AuthService, ResolvedSession } from '../modules/auth/service.ts';

export const SESSION_COOKIE = 'certdesk_sid';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

declare module 'fastify' {
  interface FastifyRequest {
    session: ResolvedSession | undefined;
    principal: Principal | undefined;
  }
}

export interface SessionPluginOptions {
  auth: AuthService;
  cookieSecure: boolean | undefined;
  /** Path prefixes called server-to-server (simulated gateways): no browser, no cookie, no CSRF. */
  csrfExemptPrefixes: string[];
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function crossSite(request: FastifyRequest): boolean {
  if (request.headers['sec-fetch-site'] === 'cross-site') return true;
  const origin = request.headers.origin;
  if (!origin) return false;
  try {
    return new URL(origin).host !== request.host;
  } catch {
    return true;
  }
}

export const sessionPlugin = fp<SessionPluginOptions>(async (app, opts) => {
  app.decorateRequest('session', undefined);
  app.decorateRequest('principal', undefined);

  app.addHook('onRequest', async (request) => {
    const token = request.cookies[SESSION_COOKIE];
    if (!token) return;
    const session = await opts.auth.resolveSession(token);
    request.session = session;
    request.principal = session?.principal;
  });

  app.addHook('preHandler', async (request) => {
    if (!UNSAFE.has(request.method)) return;
    if (opts.csrfExemptPrefixes.some((p) => request.url.startsWith(p))) return;
    if (crossSite(request)) throw new AppError('CSRF', '请求来源不受信任', 403);
    if (!request.session) return;
    const sent = request.headers['x-csrf-token'];
    if (typeof sent !== 'string' || !sameToken(sent, request.session.csrfToken)) {
      throw new AppError('CSRF', '页面已过期，请刷新后重试', 403);
    }
  });

  app.decorate('sessionCookie', {
    set(request: FastifyRequest, reply: FastifyReply, token: string) {
      reply.setCookie(SESSION_COOKIE, token, {
        httpOnly: true,
        sameSite: 'lax',
        secure: opts.cookieSecure ?? request.protocol === 'https',
        path: '/',
      });
    },
    setLasting(request: FastifyRequest, reply: FastifyReply, cookie: { name: string; value: string; path: string; maxAgeSeconds: number }) {
      reply.setCookie(cookie.name, cookie.value, {
        httpOnly: true,
        sameSite: 'lax',
        secure: opts.cookieSecure ?? request.protocol === 'https',
        path: cookie.path,
        maxAge: cookie.maxAgeSeconds,
      });
    },
    clear(reply: FastifyReply) {
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
    },
  });
});

declare module 'fastify' {
  interface FastifyInstance {
    sessionCookie: {
      set(request: FastifyRequest, reply: FastifyReply, token: string): void;
      /** A cookie that outlives the session (the staff login's device cookie), Secure as the session's. */
      setLasting(request: FastifyRequest, reply: FastifyReply, cookie: { name: string; value: string; path: string; maxAgeSeconds: number }): void;
      clear(reply: FastifyReply): void;
    };
  }
}

/** preHandler: an applicant must be logged in. */
export const requireApplicant: preHandlerAsyncHookHandler = async (request) => {
  if (request.principal?.kind !== 'applicant') throw new AppError('UNAUTHENTICATED', '请先登录', 401);
};

/** The logged-in applicant of a request that passed requireApplicant. */
export function applicantOf(request: FastifyRequest): Extract<Principal, { kind: 'applicant' }> {
  const p = request.principal;
  if (p?.kind !== 'applicant') throw new AppError('UNAUTHENTICATED', '请先登录', 401);
  return p;
}

/** The logged-in staff member of a request that passed requireStaff. */
export function staffOf(request: FastifyRequest): Extract<Principal, { kind: 'staff' }> {
  const p = request.principal;
  if (p?.kind !== 'staff') throw new AppError('UNAUTHENTICATED', '请先登录', 401);
  return p;
}

/** preHandler: a staff member holding one of the roles. */
export function requireStaff(...roles: StaffRole[]): preHandlerAsyncHookHandler {
  return async (request) => {
    const p = request.principal;
    if (p?.kind !== 'staff') throw new AppError('UNAUTHENTICATED', '请先登录', 401);
    if (!p.roles.some((r) => roles.includes(r))) throw new AppError('FORBIDDEN', '无权执行此操作', 403);
  };
}

export type { FastifyInstance };
