/**
 * The moments of an application's life that the 运营看板 measures, kept on the application itself
 * as its transitions happen (applications' writeTransition) so that a period's figures read one
 * row per application instead of its audit records: each is the time of its event — one that
 * happens once in a life — except inReviewSince, the latest (re)submission, which a review answers.
 * (submittedAt, the first 提交, is the application's own.)
 */
import type { ApplicationEvent } from './application.ts';

export const milestoneEvents = {
  inReviewSince: ['submit', 'resubmit'],
  approvedAt: ['approve', 'auto_approve'],
  paidAt: ['confirm_payment', 'pay_online', 'waive_fee'],
  productionStartedAt: ['start_production', 'issue_online'],
  dispatchedAt: ['ship', 'ready_for_pickup', 'complete_online'],
  completedAt: ['confirm_receipt', 'hand_over', 'complete_online'],
} as const satisfies Record<string, readonly ApplicationEvent[]>;
export type Milestone = keyof typeof milestoneEvents;

const milestoneNames = Object.keys(milestoneEvents) as Milestone[];

/** The milestones `event` marks (在线领取 both dispatches and completes a 续期). */
export function milestonesOf(event: ApplicationEvent): Milestone[] {
  return milestoneNames.filter((m) => (milestoneEvents[m] as readonly ApplicationEvent[]).includes(event));
}
