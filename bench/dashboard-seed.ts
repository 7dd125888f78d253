/**
 * The 运营看板 benchmark's data (bench/dashboard.ts): 100,000 applications spread over a year — each
 * with the audit records of its life (about 600,000) and the milestones they give, its payments
 * and refunds — and 100,000 unit certificates, made by SQL (generate_series) in a few statements.
 * The audit records' hashes are not a chain (nothing here verifies it). Then VACUUM ANALYZE, as
 * PostgreSQL's autovacuum would have run by then (the embedded database has no autovacuum).
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../src/db/database.ts';
import { milestonesFromAudit } from '../src/modules/applications/repository.ts';

const APPLICATIONS = 100_000;

/** Each life: its events and their minutes after 提交. */
const lives = {
  done: [['submit', 0], ['approve', 120], ['submit_voucher', 180], ['confirm_payment', 300], ['start_production', 1440], ['ship', 2400], ['confirm_receipt', 7200]],
  cancelled: [['submit', 0], ['cancel', 600]],
  returned: [['submit', 0], ['return', 240]],
  refunded: [['submit', 0], ['approve', 90], ['pay_online', 150], ['refund', 1500]],
  approved: [['submit', 0], ['approve', 200]],
  pending: [['submit', 0]],
  paid: [['submit', 0], ['approve', 60], ['pay_online', 100]],
  producing: [['submit', 0], ['approve', 60], ['pay_online', 100], ['start_production', 200]],
} as const;
const statusOf: Record<keyof typeof lives, string> = {
  done: 'completed',
  cancelled: 'cancelled',
  returned: 'needs_changes',
  refunded: 'refunded',
  approved: 'approved',
  pending: 'pending_review',
  paid: 'paid',
  producing: 'in_production',
};
const livesTable = Object.entries(lives)
  .flatMap(([life, steps]) => steps.map(([event, minutes], n) => `('${life}', '${statusOf[life as keyof typeof lives]}', ${n}, 'application.${event}', ${minutes})`))
  .join(', ');

/** The seed: i = 1 is the newest; the 300 newest are on the way, the rest a week older and mostly done. */
const seed = [
  `CREATE TEMP TABLE lives (life text, status text, n int, action text, minutes int)`,
  `INSERT INTO lives VALUES ${livesTable}`,
  `CREATE TEMP TABLE seed AS
     SELECT i, md5('app' || i)::uuid AS id,
       now() - i * interval '315 seconds' - CASE WHEN i > 300 THEN interval '7 days' ELSE interval '0' END AS t,
       CASE WHEN i <= 300 THEN (ARRAY['pending', 'paid', 'producing'])[i % 3 + 1]
            ELSE (ARRAY['cancelled', 'returned', 'refunded', 'approved'])[i % 20 + 1] END AS life
     FROM generate_series(1, ${APPLICATIONS}) i`,
  `UPDATE seed SET life = 'done' WHERE life IS NULL`,
  `INSERT INTO applications (id, number, applicant_id, status, kind, step, applicant_type, operator_name, operator_id_number,
       operator_phone, operator_verified_at, org_name, uscc, legal_representative, registry_outcome, project_id, price_kind,
       price_fen, created_at, updated_at, submitted_at)
     SELECT s.id, 'BENCH' || lpad(s.i::text, 9, '0'), '00000000-0000-4000-8000-00000000b001', (SELECT status FROM lives l WHERE l.life = s.life LIMIT 1),
       CASE WHEN s.i % 10 = 0 THEN 'renewal' ELSE 'new' END, 'project_attachments', 'enterprise', '张三', '110101199003070000',
       '13800000000', s.t, '单位' || s.i, '91150100MA0N' || lpad((s.i % 1000000)::text, 6, '0'), '李四', 'match',
       (ARRAY['nmg-etax', 'nmg-gov-procurement', 'nmg-public-resources', 'nmg-housing-fund', 'nmg-social-security'])[s.i % 5 + 1],
       CASE WHEN s.i % 10 = 0 THEN 'renewal' ELSE 'first' END, CASE WHEN s.i % 10 = 0 THEN 16000 ELSE 19500 END, s.t, s.t, s.t
     FROM seed s`,
  // In order of (application, step), so that each application's records have rising ids, as appended.
  `INSERT INTO audit_log (at, actor_kind, actor_id, action, entity_type, entity_id, data, prev_hash, hash)
     SELECT s.t + l.minutes * (1 + (s.i % 7) / 10.0) * interval '1 minute', 'system', 'bench', l.action, 'application', s.id::text, '{}', '', ''
     FROM seed s JOIN lives l ON l.life = s.life ORDER BY s.i DESC, l.n`,
  `INSERT INTO payments (application_id, method, amount_fen, status, paid_at, created_at, updated_at)
     SELECT s.id, CASE WHEN l.action = 'application.pay_online' THEN 'wechat' ELSE 'bank_transfer' END,
       CASE WHEN s.i % 10 = 0 THEN 16000 ELSE 19500 END, CASE WHEN s.life = 'refunded' THEN 'refunded' ELSE 'paid' END,
       s.t + l.minutes * interval '1 minute', s.t, s.t
     FROM seed s JOIN lives l ON l.life = s.life AND l.action IN ('application.confirm_payment', 'application.pay_online')`,
  `INSERT INTO refunds (payment_id, application_id, out_refund_no, amount_fen, reason, kind, status, created_at, settled_at)
     SELECT p.id, p.application_id, 'BR' || md5(p.id::text), p.amount_fen, '申请人取消', 'cancel', 'succeeded', p.paid_at + interval '1 day', p.paid_at + interval '1 day'
     FROM payments p WHERE p.status = 'refunded'`,
  `INSERT INTO certificates (serial_hex, issuer_ca_id, application_id, family, profile, subject_org, subject_cn, subject_uscc,
       not_before, not_after, der, status, revoked_at, issued_by, predecessor_serial_hex, created_at)
     SELECT md5('cert' || s.i), '00000000-0000-4000-8000-00000000b002', s.id, 'sm2', 'unitSigning', '单位' || s.i, '单位' || s.i, '91150100MA0N000000',
       s.t + interval '1 day', s.t + interval '1 year' - (s.i % 60) * interval '1 day', '\\x00',
       CASE WHEN s.i % 50 = 7 THEN 'revoked' ELSE 'valid' END, CASE WHEN s.i % 50 = 7 THEN s.t + interval '30 days' END, 'bench',
       CASE WHEN s.i % 10 = 0 AND s.i <= ${APPLICATIONS - 10} THEN md5('cert' || (s.i + 5)) END, s.t + interval '1 day'
     FROM seed s`,
];

/** Seeds an empty, migrated database; then the maintenance autovacuum does by itself (statistics, the visibility map of index-only scans). */
export async function seedDashboard(database: Database): Promise<void> {
  for (const statement of seed) await database.db.execute(sql.raw(statement));
  // The milestones the transitions would have written, from the records.
  await milestonesFromAudit(database.db);
  await database.executeSql('VACUUM ANALYZE');
}
