/**
 * The one database schema (Drizzle). Migrations under migrations/ are generated from this file
 * with `npm run db:generate` and applied at start-up and by `certdesk migrate`.
 * Each module owns its tables; the comment on each says which.
 */
import { sql } from 'drizzle-orm';
import {
  bigserial,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** auth: organisations' operators (经办人), known by their mobile number. */
export const applicants = pgTable('applicants', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  phone: text('phone').notNull().unique(),
  createdAt: ts('created_at').notNull(),
  lastLoginAt: ts('last_login_at'),
});

/** auth: login codes, hashed with a keyed HMAC; the newest live one per phone is the valid one. */
export const loginCodes = pgTable(
  'login_codes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    phone: text('phone').notNull(),
    codeHash: text('code_hash').notNull(),
    ip: text('ip').notNull(),
    createdAt: ts('created_at').notNull(),
    expiresAt: ts('expires_at').notNull(),
    failedAttempts: integer('failed_attempts').notNull().default(0),
    /** Set when the code logged someone in, burned by too many failures, or replaced by a newer one. */
    endedAt: ts('ended_at'),
    endReason: text('end_reason', { enum: ['used', 'burned', 'replaced', 'undeliverable'] }),
  },
  (t) => [
    index('login_codes_phone_created_idx').on(t.phone, t.createdAt),
    index('login_codes_ip_created_idx').on(t.ip, t.createdAt),
  ],
);

/**
 * auth: server-side sessions for both kinds of principal. The cookie holds a random token; only
 * its SHA-256 is stored, so a copy of this table lets nobody in.
 */
export const sessions = pgTable(
  'sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    principalKind: text('principal_kind', { enum: ['applicant', 'staff'] }).notNull(),
    principalId: uuid('principal_id').notNull(),
    csrfToken: text('csrf_token').notNull(),
    createdAt: ts('created_at').notNull(),
    lastSeenAt: ts('last_seen_at').notNull(),
    ip: text('ip').notNull(),
    userAgent: text('user_agent').notNull().default(''),
  },
  (t) => [index('sessions_principal_idx').on(t.principalKind, t.principalId)],
);

/** platform: settings generated once and shared by every app instance (e.g. the demo secret). */
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: ts('updated_at').notNull(),
});

/**
 * providers/sms simulator: the outbox of the loopback SMS gateway, in the database so that every
 * app instance's simulator writes to, and /dev/sms reads from, the same place. Not used in production.
 */
export const simulatedSms = pgTable(
  'simulated_sms',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    /** Arrival order: "newest first" must not depend on the clocks of the instances that sent. */
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    phone: text('phone').notNull(),
    signName: text('sign_name').notNull(),
    templateCode: text('template_code').notNull(),
    params: jsonb('params').$type<Record<string, string>>().notNull(),
    text: text('text').notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [index('simulated_sms_seq_idx').on(t.seq)],
);
