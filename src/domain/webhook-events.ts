/**
 * The events a relying platform is told of by webhook, their names, and which status changes
 * raise them. A rule of the business, so it lives here: the writers (fireTransition, the CA's
 * issuance and revocation, the expiry reminders) ask it and record what it answers.
 */
import type { ApplicationEvent } from './application.ts';

export const webhookEventLabels = {
  'application.approved': '审核通过',
  'application.paid': '已支付',
  'certificate.issued': '已签发',
  'application.shipped': '已邮寄',
  'application.completed': '已完成',
  'certificate.revoked': '已吊销',
  'certificate.renewed': '已续期',
  'certificate.expiring': '即将到期',
} as const;
export type WebhookEventType = keyof typeof webhookEventLabels;
export const webhookEventTypes = Object.keys(webhookEventLabels) as [WebhookEventType, ...WebhookEventType[]];

/** The webhook an application's status change raises, if any. */
export function webhookOfTransition(event: ApplicationEvent): WebhookEventType | undefined {
  switch (event) {
    case 'approve':
    case 'auto_approve':
      return 'application.approved';
    case 'confirm_payment':
    case 'pay_online':
      return 'application.paid';
    case 'ship':
      return 'application.shipped';
    case 'confirm_receipt':
    case 'hand_over':
    case 'complete_online':
      return 'application.completed';
    default:
      return undefined;
  }
}

/** Delivery: first retry after `baseSeconds`, doubling (the queue's backoff), given up after `maxAttempts`. */
export const deliveryStatusLabels = { pending: '投递中', delivered: '已送达', failed: '已放弃' } as const;
export type DeliveryStatus = keyof typeof deliveryStatusLabels;

/** A 2xx answer is a delivery; anything else (or no answer) is retried. */
export function delivered(statusCode: number | undefined): boolean {
  return statusCode !== undefined && statusCode >= 200 && statusCode < 300;
}
