/**
 * notices: the one door for telling an applicant something by SMS. Called inside the transaction
 * of the change it reports, so the message is queued with the change (pg-boss shares the
 * database): a rolled-back change sends nothing, and a process killed after the commit loses no
 * SMS. The parameters are exactly the template's variables (domain/templates.ts).
 */
import type { Tx } from '../../db/database.ts';
import type { SmsParams, SmsTemplateCode } from '../../domain/templates.ts';
import type { SmsSender } from './sms.ts';

/** Templates sent to an applicant about their application (the login, unlock and 挂失 codes go to a phone, not an applicant). */
export type NoticeTemplate = Exclude<SmsTemplateCode, 'login_code' | 'unlock_code' | 'loss_report_code'>;

export interface ApplicantNotices {
  send<T extends NoticeTemplate>(tx: Tx, applicantId: string, template: T, params: SmsParams<T>): Promise<void>;
}

export function createApplicantNotices(sms: SmsSender, phoneOf: (applicantId: string, conn: Tx) => Promise<string | undefined>): ApplicantNotices {
  return {
    async send(tx, applicantId, template, params) {
      const phone = await phoneOf(applicantId, tx);
      if (!phone) return;
      await sms.enqueue({ phone, template, params: params as Record<string, string> }, tx);
    },
  };
}
