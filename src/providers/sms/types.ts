/**
 * The SMS gateway as CertDesk sees it: one method that hands a templated message to the gateway.
 * Real adapter: Alibaba Cloud Short Message Service (dysmsapi SendSms, RPC signature v1).
 * Simulator: the same HTTP API on loopback, with signature checks and an outbox kept in the database.
 */

import { smsTemplateCodes, type SmsTemplateCode } from '../../domain/templates.ts';

/** Templates CertDesk sends (domain/templates.ts); each maps to a template code registered at the gateway. */
export const smsTemplates = smsTemplateCodes;
export type SmsTemplate = SmsTemplateCode;

export interface SmsMessage {
  /** Mainland mobile number, 11 digits. */
  phone: string;
  template: SmsTemplate;
  /** Template variables, e.g. { code: '123456' } for login_code. */
  params: Record<string, string>;
}

export interface SmsSendResult {
  /** The gateway's receipt id (Alibaba: BizId). */
  receiptId: string;
}

/** Thrown for gateway refusals; `retryable` says whether the job queue should try again. */
export class SmsGatewayError extends Error {
  constructor(
    message: string,
    readonly gatewayCode: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'SmsGatewayError';
  }
}

export interface SmsProvider {
  send(message: SmsMessage): Promise<SmsSendResult>;
}
