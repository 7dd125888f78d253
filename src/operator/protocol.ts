/**
 * What a `certdesk` command asks for and what it prints, as data: the same operation runs in the
 * CLI's own process or, when a server has the embedded database open, in that server (over the
 * operator socket). Either way the operator reads the same lines, because the operation itself
 * writes them (operations.ts) and the CLI only prints them. Light on purpose: the CLI loads this
 * without the database or the CA.
 */
import { z } from 'zod';
import { staffRoles } from '../domain/principal.ts';
import { revocableReasons } from '../modules/ca/reasons.ts';

export const operationSchema = z.discriminatedUnion('name', [
  z.object({ name: z.literal('migrate') }),
  z.object({
    name: z.literal('staff.create'),
    username: z.string(),
    displayName: z.string(),
    /** Read by the CLI (terminal or --password-stdin); never logged. */
    password: z.string(),
    roles: z.array(z.enum(staffRoles)).min(1),
  }),
  z.object({ name: z.literal('audit.verify') }),
  z.object({ name: z.literal('ca.init'), family: z.string() }),
  z.object({
    name: z.literal('cert.issue'),
    csrBase64: z.base64(),
    org: z.string(),
    uscc: z.string(),
    years: z.number().int().min(1).max(3),
  }),
  z.object({ name: z.literal('cert.revoke'), serial: z.string(), reason: z.enum(revocableReasons) }),
  /** `ca`: one CA by name (its CRL comes back as the artefact), or all of them. */
  z.object({ name: z.literal('crl'), ca: z.string().optional() }),
  /** `certdesk backup`: the holder of the database writes its dump to a file (`dump` in the outcome). */
  z.object({ name: z.literal('backup.database') }),
]);
export type Operation = z.infer<typeof operationSchema>;

/** The audit log's actor for whatever the command does: `cli:<user>` (or `cli`). */
export const operatorActorSchema = z.string().regex(/^cli(:[^\s]{1,64})?$/);

export const requestSchema = z.object({ actor: operatorActorSchema, operation: operationSchema });
export type OperatorRequest = z.infer<typeof requestSchema>;

export const outcomeSchema = z.object({
  stdout: z.array(z.string()),
  stderr: z.array(z.string()),
  exitCode: z.union([z.literal(0), z.literal(1)]),
  /** A certificate (PEM) or a CRL (DER), base64: the CLI writes it to --out or standard output. */
  artefact: z.base64().optional(),
  /** backup.database: the dump the holder wrote, for the command to put into the archive. */
  dump: z.object({ kind: z.enum(['pglite', 'postgres']), file: z.string(), tool: z.string().optional() }).optional(),
});
export type Outcome = z.infer<typeof outcomeSchema>;

/** The channel's answer: an outcome, or the message of the error the operation threw. */
export const responseSchema = z.union([
  z.object({ ok: z.literal(true), outcome: outcomeSchema }),
  z.object({ ok: z.literal(false), message: z.string() }),
]);
export type OperatorResponse = z.infer<typeof responseSchema>;
