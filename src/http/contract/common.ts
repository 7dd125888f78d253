/**
 * What every answer of the API shares, as zod schemas: the error envelope, the helper that
 * declares it beside a route's success answers, and the description of the files some routes
 * send. Imports only zod, so the web can import this file's types (through src/http/contract.ts).
 *
 * Response schemas describe, they do not convert: no transform, trim or default in them, because
 * the serializer encodes the handler's value through the schema (and strips keys it does not name).
 */
import { z } from 'zod';

/** Every 4xx and 5xx answer of the API: `{ error: { code, message, details?, requestId? } }`. */
export const errorEnvelope = z
  .object({
    error: z.object({
      code: z.string(),
      /** Chinese, for the user to read. */
      message: z.string(),
      details: z.record(z.string(), z.unknown()).optional(),
      /** The request's id (X-Request-Id): what the log lines carry as reqId, and the web shows as 报错编号. */
      requestId: z.string().optional(),
    }),
  })
  .meta({ description: '错误：error.code 为错误代码，error.message 为给用户看的中文说明' });
export type ErrorBody = z.infer<typeof errorEnvelope>;

/**
 * A route's success answers, with the error envelope for every 4xx and 5xx status (Fastify
 * serialises and fastify-swagger documents the `4xx` / `5xx` ranges).
 */
export function withErrors<const T extends Record<number, unknown>>(success: T) {
  return { ...success, '4xx': errorEnvelope, '5xx': errorEnvelope } as const;
}

/** No body (204). */
export const noContent = z.null().meta({ description: '无内容' });

/**
 * A file sent as it is (PDF, PNG, DER …): described by its content type(s) for /docs. The bytes
 * are sent as a Buffer, which Fastify passes through without serialising.
 */
export function file(description: string, ...contentTypes: [string, ...string[]]) {
  // Typed as the bytes a handler sends; documented as a binary string. Never run: a Buffer skips
  // the serializer.
  const schema = z.string().meta({ format: 'binary' }) as unknown as z.ZodType<Uint8Array>;
  return { description, content: Object.fromEntries(contentTypes.map((type) => [type, { schema }])) };
}

/** The stored image formats an attachment or voucher is served in. */
export const imageTypes = ['image/jpeg', 'image/png', 'image/bmp'] as const;

/** A period of Beijing dates (YYYY-MM-DD, `to` included), as the reports and the 发票台账 take it. */
export const periodQuery = z
  .object({
    from: z.iso.date('开始日期格式应为 YYYY-MM-DD'),
    to: z.iso.date('结束日期格式应为 YYYY-MM-DD'),
  })
  .refine((p) => p.from <= p.to, { message: '开始日期不能晚于结束日期' });
