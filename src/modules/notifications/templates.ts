/**
 * The 管理员's use cases on SMS texts: each template's current version, its history, a new version.
 * The newest version of a code is the one used (smsTemplateTexts); versions are never edited, so
 * the history says what text went out when. With the real Alibaba gateway the text that goes out
 * is the one registered there under the configured TemplateCode: a new version here must be
 * registered there too.
 */
import { and, desc, eq, max } from 'drizzle-orm';
import type { Db } from '../../db/database.ts';
import { smsTemplates } from '../../db/schema.ts';
import { AppError } from '../../domain/errors.ts';
import type { Principal } from '../../domain/principal.ts';
import { smsTemplateProblem, smsTemplateSpecs, type SmsTemplateCode } from '../../domain/templates.ts';
import type { SmsTemplate } from '../../providers/sms/types.ts';
import { appendAudit } from '../audit/chain.ts';
import { advisoryXactLock } from '../../db/advisory-lock.ts';

// The templates the platform sends and those an administrator edits must be the same set.
type SameSet<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameCodes: SameSet<SmsTemplate, SmsTemplateCode> = true;
void sameCodes;

/** Two administrators adding a version at once take turns, instead of one meeting the unique index. */
const SMS_VERSION_LOCK_KEY = 72_410_102;

export type SmsTemplateRow = typeof smsTemplates.$inferSelect;

export interface SmsTemplateSummary {
  code: SmsTemplateCode;
  label: string;
  variables: string[];
  current: SmsTemplateRow | undefined;
}

export type SmsTemplateAdmin = ReturnType<typeof createSmsTemplateAdmin>;

export function createSmsTemplateAdmin(db: Db, clock: () => Date) {
  const history = (code: SmsTemplateCode) =>
    db.select().from(smsTemplates).where(eq(smsTemplates.code, code)).orderBy(desc(smsTemplates.version));

  return {
    async list(): Promise<SmsTemplateSummary[]> {
      const codes = Object.keys(smsTemplateSpecs) as SmsTemplateCode[];
      return Promise.all(
        codes.map(async (code) => {
          const [current] = await history(code);
          return { code, label: smsTemplateSpecs[code].label, variables: Object.keys(smsTemplateSpecs[code].variables), current };
        }),
      );
    },

    history,

    /** The next version of `code`: the next SMS of that kind uses it. */
    async addVersion(actor: Principal, code: SmsTemplateCode, body: string): Promise<SmsTemplateRow> {
      const problem = smsTemplateProblem(code, body);
      if (problem) throw new AppError('SMS_TEMPLATE_INVALID', problem);
      const added = await db.transaction(async (tx) => {
        await advisoryXactLock(tx, SMS_VERSION_LOCK_KEY);
        const [{ latest } = { latest: 0 }] = await tx
          .select({ latest: max(smsTemplates.version) })
          .from(smsTemplates)
          .where(and(eq(smsTemplates.code, code)));
        const now = clock();
        const [row] = await tx.insert(smsTemplates).values({ code, version: (latest ?? 0) + 1, body, createdAt: now }).returning();
        if (!row) throw new Error('sms template insert returned nothing');
        await appendAudit(tx, {
          at: now,
          actor,
          action: 'sms_template.add',
          entityType: 'sms_template',
          entityId: `${code}:${row.version}`,
          data: { code, version: row.version, body },
        });
        return row;
      });
      return added;
    },
  };
}
