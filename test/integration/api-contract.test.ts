/**
 * The API's contract as /docs describes it: every operation (the /api, and the CA's /ca, /crl and
 * /ocsp) says what it answers on success — a schema, or the content type of the file it sends —
 * and that its errors carry the one error envelope. A route added without `schema.response` fails
 * here, so /docs never goes quiet about an answer and the web's types (src/http/contract.ts)
 * always have a schema behind them. The simulators under /sim speak outside parties' protocols
 * (and exist only when configured): they are not our contract.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';

interface MediaType {
  schema?: Record<string, unknown>;
}
interface ResponseObject {
  description?: string;
  content?: Record<string, MediaType>;
}
interface Operation {
  responses?: Record<string, ResponseObject>;
}
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
/** Answers in WeChat Pay's protocol ({ code, message } to be retried), as that party requires. */
const FOREIGN_ERRORS = ['POST /api/payments/wechat/notify'];

let t: TestApp;
let doc: OpenApi;
let operations: { name: string; operation: Operation }[];
beforeAll(async () => {
  t = await startTestApp();
  doc = t.certdesk.app.swagger() as unknown as OpenApi;
  operations = Object.entries(doc.paths)
    .filter(([path]) => !path.startsWith('/sim/'))
    .flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => METHODS.includes(method))
        .map(([method, operation]) => ({ name: `${method.toUpperCase()} ${path}`, operation })),
    );
});
afterAll(async () => {
  await t?.close();
});

/** A success answer is described when it has a body schema, or is a 204 (no body by definition). */
function describesSuccess(status: string, response: ResponseObject): boolean {
  if (status === '204') return true;
  const media = Object.values(response.content ?? {});
  return media.length > 0 && media.every((m) => m.schema !== undefined && Object.keys(m.schema).length > 0);
}

/** The error envelope: { error: { code, message, … } }. */
function isErrorEnvelope(response: ResponseObject | undefined): boolean {
  const schema = response?.content?.['application/json']?.schema as
    | { properties?: { error?: { properties?: Record<string, unknown>; required?: string[] } }; required?: string[] }
    | undefined;
  const error = schema?.properties?.error;
  return Boolean(schema?.required?.includes('error') && error?.properties?.['code'] && error.properties['message'] && error.required?.includes('code'));
}

describe('the API contract (/docs)', () => {
  it('lists the API', () => {
    // The applicant's, the console's and the public API: far more than a handful of operations.
    expect(operations.filter((o) => o.name.includes(' /api/')).length).toBeGreaterThanOrEqual(90);
    expect(operations.map((o) => o.name)).toEqual(expect.arrayContaining(['GET /ca/{file}', 'GET /crl/{file}', 'POST /ocsp']));
  });

  it('declares a success response schema for every operation', () => {
    const lacking = operations
      .filter(({ operation }) => {
        const successes = Object.entries(operation.responses ?? {}).filter(([status]) => /^2(\d\d|XX)$/.test(status));
        return successes.length === 0 || !successes.every(([status, response]) => describesSuccess(status, response));
      })
      .map((o) => o.name);
    expect(lacking).toEqual([]);
  });

  it('declares the error envelope for the 4XX and 5XX answers of every operation', () => {
    const lacking = operations
      .filter(({ name }) => !FOREIGN_ERRORS.includes(name))
      .filter(({ operation }) => !isErrorEnvelope(operation.responses?.['4XX']) || !isErrorEnvelope(operation.responses?.['5XX']))
      .map((o) => o.name);
    expect(lacking).toEqual([]);
  });

  it('serves the same description at /docs/json', async () => {
    const res = await fetch(`${t.url}/docs/json`);
    expect(res.status).toBe(200);
    const served = (await res.json()) as OpenApi;
    expect(Object.keys(served.paths)).toEqual(Object.keys(doc.paths));
  });
});
