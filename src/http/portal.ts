/**
 * The built web front-end (web/dist) as the platform serves it: each file in the brotli or gzip
 * copy the build wrote beside it when the browser accepts one (web/vite.config.ts), so no CPU is
 * spent compressing per request; the content-hashed files under /assets cached for a year and
 * never revalidated, everything else (index.html, the favicon) revalidated on every use so that a
 * new release is seen at once; the favicon (web/public/favicon.svg) also where browsers look for it
 * by default. Unknown paths are registerNotFound's (errors.ts).
 */
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Vite names every file under assets/ by a hash of its content: a new content is a new name. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const REVALIDATE = 'no-cache';

const underAssets = (file: string) => /[\\/]assets[\\/][^\\/]+$/.test(file);

export async function servePortal(app: FastifyInstance, root: string): Promise<void> {
  await app.register(fastifyStatic, {
    root,
    wildcard: false,
    preCompressed: true,
    cacheControl: false,
    setHeaders: (reply, file) => {
      reply.header('cache-control', underAssets(file) ? IMMUTABLE : REVALIDATE);
    },
  });
  // Browsers ask for /favicon.ico on pages that name no icon (the development pages, /docs).
  app.get('/favicon.ico', { schema: { hide: true } }, (_request, reply) => reply.redirect('/favicon.svg', 301));
}
