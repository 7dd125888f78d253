/**
 * The application (申请单): its statuses, the steps of a draft, and the one transition function
 * through which every status change passes. Pure: the caller brings the time and the actor, and
 * writes the result together with its audit record in one transaction.
 */
import type { Principal, StaffRole } from './principal.ts';
import { AppError } from './errors.ts';
import { feeWaived, type ApplicationKind } from './aftersales.ts';

/** Every status of the application's life (DESIGN.md). Labels are what users read. */
export const statusLabels = {
  draft: '草稿',
  pending_review: '待审核',
  needs_changes: '待修改',
  approved: '资料审核通过',
  awaiting_confirmation: '待确认到账',
  paid: '已支付',
  in_production: '制证中',
  shipped: '已邮寄',
  awaiting_pickup: '待自取',
  completed: '已完成',
  cancelled: '已取消',
  refunded: '已退款',
} as const;
export type ApplicationStatus = keyof typeof statusLabels;
export function isApplicationStatus(value: string): value is ApplicationStatus {
  return Object.hasOwn(statusLabels, value);
}

/** The statuses as a list, in the order of the life (the database column's enum). */
export const applicationStatuses = [
  'draft',
  'pending_review',
  'needs_changes',
  'approved',
  'awaiting_confirmation',
  'paid',
  'in_production',
  'shipped',
  'awaiting_pickup',
  'completed',
  'cancelled',
  'refunded',
] as const satisfies readonly ApplicationStatus[];

export const applicantTypeLabels = { enterprise: '企业', institution: '事业单位' } as const;
export type ApplicantType = keyof typeof applicantTypeLabels;
export const applicantTypes = ['enterprise', 'institution'] as const satisfies readonly ApplicantType[];

/**
 * The steps of a draft, in the manual's order. The applicant may go back to any step reached;
 * `step` records the furthest one, where 继续填写 resumes.
 */
export const draftSteps = [
  'identity', // 实名认证
  'contract', // 电子合同: 本人已同意签署合同
  'attachments', // 上传附件
  'contract_review', // 本人已阅读合同
  'form', // 证书用途 / 是否开具发票 / 证书领取方式
  'project_attachments', // 项目附件, 提交
] as const;
export type DraftStep = (typeof draftSteps)[number];

/**
 * The path each applicant type walks, as the manual tells it. An enterprise uploads its papers
 * before reading the signed contract; a 事业单位 goes from the contract straight to the form, and
 * uploads everything (its 法人证书 and the stamped templates) in the one last step. Each path keeps
 * the order of `draftSteps`, so "reached" compares the same way for both.
 */
export const stepsOf: Record<PathKey, readonly DraftStep[]> = {
  enterprise: draftSteps,
  institution: ['identity', 'contract', 'form', 'project_attachments'],
  // 续期: confirm the unit (a fresh 企业认证) → the contract → 服务年限 / 发票 → 提交 (the licence
  // scan only when the unit's registered data changed).
  renewal: ['identity', 'contract', 'form', 'project_attachments'],
  // 变更: what changed + 企业认证 on the new data → the contract (on the new data) → 领取方式 →
  // the new 营业执照副本 and the 变更 proof, 提交.
  change: ['identity', 'contract', 'form', 'project_attachments'],
  // 补办: the verified data confirmed (the registry asked again) → the contract → 邮寄 or 自取 → 提交.
  reissue: ['identity', 'contract', 'form', 'project_attachments'],
};

/** Which path a draft walks: its applicant type's (新办), or its kind's. */
export type PathKey = ApplicantType | Exclude<ApplicationKind, 'new'>;
export function pathKey(app: { applicantType: ApplicantType; kind?: ApplicationKind }): PathKey {
  return !app.kind || app.kind === 'new' ? app.applicantType : app.kind;
}

export function stepIndex(step: DraftStep): number {
  return draftSteps.indexOf(step);
}

/** Moves the furthest step forward along the type's path, never back. */
export function advanceStep(type: PathKey, current: DraftStep, done: DraftStep): DraftStep {
  const path = stepsOf[type];
  const next = path.find((s) => stepIndex(s) > stepIndex(done)) ?? path[path.length - 1] ?? current;
  return stepIndex(next) > stepIndex(current) ? next : current;
}

/**
 * The furthest step on the type's path at or before `step`: after 企业认证 turns an enterprise
 * draft into a 事业单位 one, a step only enterprises have falls back to the last step both share.
 */
export function stepOnPath(type: PathKey, step: DraftStep): DraftStep {
  return [...stepsOf[type]].reverse().find((s) => stepIndex(s) <= stepIndex(step)) ?? 'identity';
}

/** Refuses work on a step the draft has not reached yet. */
export function assertStepReached(current: DraftStep, wanted: DraftStep): void {
  if (stepIndex(wanted) > stepIndex(current)) {
    throw new AppError('STEP_NOT_REACHED', '请先完成前面的步骤', 409);
  }
}

export const eventLabels = {
  submit: '提交',
  cancel: '取消',
  approve: '审核通过',
  return: '审核不通过',
  resubmit: '再次提交',
  submit_voucher: '提交汇款凭证',
  confirm_payment: '确认到账',
  reject_payment: '驳回汇款',
  pay_online: '微信支付成功',
  start_production: '开始制证',
  ship: '邮寄',
  ready_for_pickup: '通知自取',
  confirm_receipt: '确认收货',
  hand_over: '现场领取',
  refund: '退款',
  auto_approve: '自动审核通过',
  issue_online: '上传证书请求',
  complete_online: '在线领取',
  waive_fee: '免费办理',
} as const;
export type ApplicationEvent = keyof typeof eventLabels;

/** The platform itself: a payment notify, a scheduled job. Never a person. */
export interface SystemActor {
  kind: 'system';
  id: string;
}
export type Actor = Principal | SystemActor;

interface Rule {
  from: readonly ApplicationStatus[];
  to: ApplicationStatus;
  /** Who may fire the event: the applicant who owns it, staff holding one of these roles, the system. */
  by: { applicant: boolean; roles: StaffRole[]; system?: boolean };
  /** Only applications of these kinds (every kind when absent). */
  kinds?: readonly ApplicationKind[];
  /** Only when the application costs nothing (feeWaived). */
  free?: true;
}

const applicantOnly = { applicant: true, roles: [] };
const staffOnly = (...roles: StaffRole[]) => ({ applicant: false, roles });

const rules: Record<ApplicationEvent, Rule> = {
  submit: { from: ['draft'], to: 'pending_review', by: applicantOnly },
  cancel: { from: ['draft', 'pending_review', 'needs_changes', 'approved'], to: 'cancelled', by: applicantOnly },
  approve: { from: ['pending_review'], to: 'approved', by: staffOnly('reviewer') },
  return: { from: ['pending_review'], to: 'needs_changes', by: staffOnly('reviewer') },
  resubmit: { from: ['needs_changes'], to: 'pending_review', by: applicantOnly },
  // 银行汇款: the voucher waits for 财务, who confirms the money arrived or sends it back.
  submit_voucher: { from: ['approved'], to: 'awaiting_confirmation', by: applicantOnly },
  confirm_payment: { from: ['awaiting_confirmation'], to: 'paid', by: staffOnly('finance') },
  reject_payment: { from: ['awaiting_confirmation'], to: 'approved', by: staffOnly('finance') },
  // 微信支付: the provider's verified notify (or an order query) settles it.
  pay_online: { from: ['approved'], to: 'paid', by: { applicant: false, roles: [], system: true } },
  start_production: { from: ['paid'], to: 'in_production', by: staffOnly('producer') },
  ship: { from: ['in_production'], to: 'shipped', by: staffOnly('producer') },
  ready_for_pickup: { from: ['in_production'], to: 'awaiting_pickup', by: staffOnly('producer') },
  // The applicant confirms, or it completes by itself after N days; at the counter the 制证员 hands over.
  confirm_receipt: { from: ['shipped', 'awaiting_pickup'], to: 'completed', by: { applicant: true, roles: [], system: true } },
  hand_over: { from: ['awaiting_pickup'], to: 'completed', by: staffOnly('producer') },
  // Cancelling after payment, before production: the money goes back through the provider.
  refund: { from: ['paid'], to: 'refunded', by: { applicant: true, roles: ['finance'] } },
  // 续期 where the project allows it and nothing changed: the platform approves at 提交.
  auto_approve: { from: ['pending_review'], to: 'approved', by: { applicant: false, roles: [], system: true }, kinds: ['renewal'] },
  // 续期 keeps the holder's USB key: they send its request after paying and the CA issues at once …
  issue_online: { from: ['paid'], to: 'in_production', by: applicantOnly, kinds: ['renewal'] },
  // … and it is done once the certificate and the seal are made: nothing to post.
  complete_online: { from: ['in_production'], to: 'completed', by: { applicant: true, roles: ['producer'], system: true }, kinds: ['renewal'] },
  // A fee of 0 (变更 by default): 资料审核通过 is followed at once by 已支付, with nothing to pay.
  waive_fee: { from: ['approved'], to: 'paid', by: { applicant: false, roles: [], system: true }, free: true },
};

export interface TransitionSubject {
  status: ApplicationStatus;
  applicantId: string;
  /** 新办 when absent. */
  kind?: ApplicationKind;
  /** What it costs; rules marked `free` need 0. */
  priceFen?: number;
}

export interface Transition {
  event: ApplicationEvent;
  from: ApplicationStatus;
  to: ApplicationStatus;
  actor: Actor;
  at: Date;
}

type Refusal = 'forbidden' | 'not_owner' | 'wrong_kind' | 'not_free' | 'wrong_status';

/**
 * Why `actor` may not fire `event` on the application now, or undefined when it may. A word, not
 * an error: the lists ask this of every event of every row (availableEvents), and an Error
 * captures a stack trace each time.
 */
function refusal(app: TransitionSubject, event: ApplicationEvent, actor: Actor): Refusal | undefined {
  const rule = rules[event];
  if (actor.kind === 'system') {
    if (!rule.by.system) return 'forbidden';
  } else if (actor.kind === 'applicant') {
    if (!rule.by.applicant) return 'forbidden';
    if (actor.id !== app.applicantId) return 'not_owner';
  } else if (!actor.roles.some((r) => rule.by.roles.includes(r))) {
    return 'forbidden';
  }
  if (rule.kinds && !rule.kinds.includes(app.kind ?? 'new')) return 'wrong_kind';
  if (rule.free && (app.priceFen === undefined || !feeWaived(app.priceFen))) return 'not_free';
  if (!rule.from.includes(app.status)) return 'wrong_status';
  return undefined;
}

/** The refusal as the user reads it. */
function refusalError(refused: Refusal, app: TransitionSubject, event: ApplicationEvent): AppError {
  switch (refused) {
    case 'forbidden':
      return new AppError('FORBIDDEN', '无权执行此操作', 403);
    case 'not_owner':
      return new AppError('NOT_FOUND', '申请不存在', 404);
    case 'wrong_kind':
      return new AppError('INVALID_KIND', `该申请不能${eventLabels[event]}`, 409);
    case 'not_free':
      return new AppError('NOT_FREE', '该申请需要支付费用', 409);
    case 'wrong_status':
      return new AppError('INVALID_STATUS', `当前状态为“${statusLabels[app.status]}”，不能${eventLabels[event]}`, 409);
  }
}

/**
 * The one door for status changes: decides whether `actor` may fire `event` on the application
 * now, and what the new status is. Refusals carry the Chinese message the user sees.
 */
export function transition(app: TransitionSubject, event: ApplicationEvent, actor: Actor, at: Date): Transition {
  const refused = refusal(app, event, actor);
  if (refused) throw refusalError(refused, app, event);
  return { event, from: app.status, to: rules[event].to, actor, at };
}

export const applicationEvents = Object.keys(rules) as ApplicationEvent[];

/** The events `actor` may fire on the application now: what the pages offer as buttons. */
export function availableEvents(app: TransitionSubject, actor: Actor): ApplicationEvent[] {
  return applicationEvents.filter((event) => refusal(app, event, actor) === undefined);
}

/**
 * Work done on an application without changing its status, and the statuses it is done in: the
 * same table for the server's guards and the pages' buttons.
 */
const workRules = {
  /** The applicant changes the draft: a 草稿, or the returned items of a 待修改. */
  edit: { label: '修改', in: ['draft', 'needs_changes'] },
  /** 支付 opens a payment (a bank transfer's code, a WeChat order) where the payment events start. */
  pay: { label: '支付', in: rules.pay_online.from },
  /** 签发证书 and 制作电子印章 happen while 制证中. */
  issue_certificate: { label: '签发证书', in: ['in_production'] },
  make_seal: { label: '制作电子印章', in: ['in_production'] },
  /** From 资料审核通过 on the verified name is final: the seal picture may be shown … */
  view_seal_picture: { label: '查看电子印章图样', in: ['approved', 'awaiting_confirmation', 'paid', 'in_production', 'shipped', 'awaiting_pickup', 'completed'] },
  /** … and approved (确认印章) until the order leaves. */
  approve_seal: { label: '确认印章', in: ['approved', 'awaiting_confirmation', 'paid', 'in_production'] },
} as const satisfies Record<string, { label: string; in: readonly ApplicationStatus[] }>;
export type ApplicationWork = keyof typeof workRules;

export function mayWork(status: ApplicationStatus, work: ApplicationWork): boolean {
  return (workRules[work].in as readonly ApplicationStatus[]).includes(status);
}

/** Refuses `work` in this status, in the words the user reads. */
export function assertWork(status: ApplicationStatus, work: ApplicationWork): void {
  if (mayWork(status, work)) return;
  const allowed = workRules[work].in;
  const only = allowed.length === 1 ? `，只有“${statusLabels[allowed[0]]}”的申请才能${workRules[work].label}` : `，不能${workRules[work].label}`;
  throw new AppError('INVALID_STATUS', `当前状态为“${statusLabels[status]}”${only}`, 409);
}

/** Named sets of statuses the pages and queues ask about. */
export const statusGroups = {
  /** Paid for: production's, with certificates and the seal being made or made. */
  production: ['paid', 'in_production', 'shipped', 'awaiting_pickup', 'completed'],
  /** Paid, and production waits for 确认印章 until it is given. */
  sealAwaited: ['paid', 'in_production'],
  /** The order has left the CA: there is a shipment to show. */
  delivered: ['shipped', 'awaiting_pickup', 'completed'],
} as const satisfies Record<string, readonly ApplicationStatus[]>;
export type StatusGroup = keyof typeof statusGroups;

export function inGroup(status: ApplicationStatus, group: StatusGroup): boolean {
  return (statusGroups[group] as readonly ApplicationStatus[]).includes(status);
}
