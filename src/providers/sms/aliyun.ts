/**
 * The real SMS adapter: Alibaba Cloud Short Message Service, dysmsapi SendSms (2017-05-25), RPC
 * style with Signature Version 1.0. It classifies every failure as retryable or not, because the
 * job queue retries whatever is retryable and a permanent refusal retried only burns quota.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { commonParams, parseJson, postForm, redact, signedForm } from '../aliyun/rpc-client.ts';
import {
  SmsGatewayError,
  type SmsMessage,
  type SmsProvider,
  type SmsSendResult,
  type SmsTemplate,
} from './types.ts';

export interface AliyunSmsOptions {
  /** e.g. https://dysmsapi.aliyuncs.com/ */
  endpoint: string;
  accessKeyId: string;
  accessKeySecret: string;
  signName: string;
  /** Template codes registered at Alibaba, e.g. SMS_123456789. */
  /** Our template → the TemplateCode registered at Alibaba; a template without one is not sent. */
  templates: Partial<Record<SmsTemplate, string>>;
  timeoutMs?: number;
  now?: () => Date;
  nonce?: () => string;
}

const responseSchema = z.object({
  Code: z.string(),
  // Lenient on the descriptive fields: a refusal must still be classified by its Code even if
  // the gateway leaves them out.
  Message: z.string().optional(),
  BizId: z.string().optional(),
  RequestId: z.string().optional(),
});

/**
 * Refusals that the same request will get again: bad number, template or signature, credentials
 * or account problems, and per-number flow control (retrying within minutes is refused again
 * and each attempt counts against the daily per-number quota).
 */
const PERMANENT_CODES = new Set([
  'isv.MOBILE_NUMBER_ILLEGAL',
  'isv.MOBILE_COUNT_OVER_LIMIT',
  'isv.TEMPLATE_MISSING_PARAMETERS',
  'isv.TEMPLATE_PARAMS_ILLEGAL',
  'isv.SMS_TEMPLATE_ILLEGAL',
  'isv.SMS_SIGNATURE_ILLEGAL',
  'isv.SMS_SIGN_ILLEGAL',
  'isv.SMS_SIGNATURE_SCENE_ILLEGAL',
  'isv.SMS_CONTENT_ILLEGAL',
  'isv.INVALID_PARAMETERS',
  'isv.INVALID_JSON_PARAM',
  'isv.PARAM_LENGTH_LIMIT',
  'isv.PARAM_NOT_SUPPORT_URL',
  'isv.BLACK_KEY_CONTROL_LIMIT',
  'isv.EXTEND_CODE_ERROR',
  'isv.DOMESTIC_NUMBER_NOT_SUPPORTED',
  'isv.DENY_IP_RANGE',
  'isv.AMOUNT_NOT_ENOUGH',
  'isv.BUSINESS_LIMIT_CONTROL',
  'isv.DAY_LIMIT_CONTROL',
  'isv.OUT_OF_SERVICE',
  'isv.PRODUCT_UN_SUBSCRIPT',
  'isv.PRODUCT_UNSUBSCRIBE',
  'isv.ACCOUNT_NOT_EXISTS',
  'isv.ACCOUNT_ABNORMAL',
  'isv.RAM_PERMISSION_DENY',
  'InvalidAccessKeyId.NotFound',
  'InvalidAccessKeyId.Inactive',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'InvalidAction.NotFound',
  'InvalidVersion',
  'InvalidParameter',
  'Forbidden.RAM',
]);

/** Template values shorter than this are not redacted from the gateway's messages. */
const SMS_MIN_SECRET_LENGTH = 3;

/** Everything else (throttling, InternalError, ServiceUnavailable, unknown codes) is retried. */
export function isPermanentSmsRefusal(code: string): boolean {
  // Missing parameters are a bug in this adapter; resending the same request cannot help.
  return PERMANENT_CODES.has(code) || code.startsWith('Missing');
}

export class AliyunSmsProvider implements SmsProvider {
  private readonly timeoutMs: number;
  private readonly now: () => Date;
  private readonly nonce: () => string;

  constructor(private readonly options: AliyunSmsOptions) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.now = options.now ?? (() => new Date());
    this.nonce = options.nonce ?? (() => randomUUID());
  }

  async send(message: SmsMessage): Promise<SmsSendResult> {
    if (message.phone.includes(',')) {
      // PhoneNumbers is a comma-separated list at Alibaba: one message must never fan out.
      throw new SmsGatewayError('SendSms refused locally: phone holds a list', 'isv.MOBILE_NUMBER_ILLEGAL', false);
    }
    const templateCode = this.options.templates[message.template];
    if (!templateCode) {
      throw new SmsGatewayError(`SendSms refused locally: no TemplateCode for ${message.template}`, 'isv.SMS_TEMPLATE_ILLEGAL', false);
    }
    const params: Record<string, string> = {
      ...commonParams({
        action: 'SendSms',
        version: '2017-05-25',
        accessKeyId: this.options.accessKeyId,
        nonce: this.nonce(),
        timestamp: this.now(),
      }),
      RegionId: 'cn-hangzhou',
      PhoneNumbers: message.phone,
      SignName: this.options.signName,
      TemplateCode: templateCode,
    };
    if (Object.keys(message.params).length > 0) params['TemplateParam'] = JSON.stringify(message.params);
    const body = signedForm('POST', params, this.options.accessKeySecret);

    // The timeout also covers reading the body, so a gateway that stalls mid-answer cannot hold a
    // queue worker either.
    const outcome = await postForm(this.options.endpoint, body, this.timeoutMs);
    if (outcome.kind === 'timeout') {
      throw new SmsGatewayError(`SendSms timed out after ${this.timeoutMs} ms`, 'Timeout', true);
    }
    if (outcome.kind === 'network') {
      // Only the cause's code: the request (and with it the code) stays out of logs.
      throw new SmsGatewayError(`SendSms network error: ${outcome.detail}`, 'NetworkError', true);
    }
    const { status, text } = outcome;

    const parsed = parseJson(text);
    const answer = parsed === undefined ? undefined : responseSchema.safeParse(parsed);
    if (!answer?.success) {
      throw new SmsGatewayError(
        `SendSms answered HTTP ${status} without a recognisable body`,
        `HttpStatus.${status}`,
        true,
      );
    }
    const { Code, Message, BizId, RequestId } = answer.data;
    if (Code === 'OK') {
      // An accepted message without a BizId still went out: answering with the RequestId keeps the
      // queue from sending it twice.
      return { receiptId: BizId ?? RequestId ?? '' };
    }
    const secrets = [this.options.accessKeySecret, ...Object.values(message.params)];
    // Alibaba's SignatureDoesNotMatch message quotes TemplateParam, and so the verification code.
    const why = Message === undefined ? '' : ` (${redact(Message, secrets, SMS_MIN_SECRET_LENGTH)})`;
    throw new SmsGatewayError(
      `SendSms refused: ${Code}${why}; HTTP ${status}; RequestId ${RequestId ?? '-'}`,
      Code,
      !isPermanentSmsRefusal(Code),
    );
  }
}
