/**
 * What a reviewer can return for changes: a group of fields or one attachment, each with a reason.
 * An applicant whose application is 待修改 may change exactly the returned items.
 */
import { z } from 'zod';
import { AppError } from './errors.ts';
import type { ApplicantType } from './application.ts';
import { canonicalJson } from './canonical-json.ts';
import { attachmentKinds, attachmentLabel, type AttachmentKind } from './attachments.ts';

export const fieldItems = {
  operator: '经办人信息',
  organisation: '单位信息',
  project: '证书用途（所属项目）',
  invoice: '发票信息',
  delivery: '证书领取方式',
} as const;
export type FieldItem = keyof typeof fieldItems;

/** `field:organisation`, `attachment:org_seal`. */
export type ReviewItem = `field:${FieldItem}` | `attachment:${AttachmentKind}`;

const itemPattern = new RegExp(
  `^(field:(${Object.keys(fieldItems).join('|')})|attachment:(${attachmentKinds.join('|')}))$`,
);

export const returnedItemSchema = z.object({
  item: z.string().regex(itemPattern, '退回项目不正确') as unknown as z.ZodType<ReviewItem>,
  reason: z.string({ error: '请填写退回原因' }).trim().min(2, '请填写退回原因（至少2个字）').max(200, '退回原因不能超过200个字'),
});
export type ReturnedItem = z.infer<typeof returnedItemSchema>;

export function itemLabel(item: ReviewItem, type: ApplicantType): string {
  const [kind, name] = item.split(':') as ['field' | 'attachment', string];
  return kind === 'field' ? fieldItems[name as FieldItem] : attachmentLabel(name as AttachmentKind, type);
}

/** The returned items as one line for an SMS or a list: 「企业印章：印章模糊」；… */
export function summariseReturn(items: ReturnedItem[], type: ApplicantType): string {
  return items.map((i) => `${itemLabel(i.item, type)}：${i.reason}`).join('；');
}

/** Whether a change to `item` is allowed while 待修改 with these returned items. */
export function mayChange(item: ReviewItem, returned: readonly ReturnedItem[]): boolean {
  return returned.some((r) => r.item === item);
}

/** Top-level keys whose values differ between two snapshots: "what changed since the last review". */
export function changedKeys(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => canonicalJson(before[k] ?? null) !== canonicalJson(after[k] ?? null)).sort();
}

/** 审核通过 by the only reviewer, by the first of two (初审通过), or by the second (复核通过). */
export type ApprovalStage = 'final' | 'first';

/**
 * Four eyes: a project may require a second reviewer. The first 审核通过 is recorded as 初审通过
 * and leaves the application 待审核; the next 审核通过, by a different reviewer, makes it
 * 资料审核通过. A 审核不通过 by either returns it, and the count starts again after 再次提交.
 */
export function approvalStage(
  requiresSecondReview: boolean,
  latest: { decision: string; reviewerId: string } | undefined,
  reviewerId: string,
): ApprovalStage {
  if (!requiresSecondReview) return 'final';
  if (latest?.decision !== 'first_approval') return 'first';
  if (latest.reviewerId === reviewerId) {
    throw new AppError('SECOND_REVIEWER_REQUIRED', '本项目需要另一名审核员复核，初审人不能复核同一申请', 409);
  }
  return 'final';
}
