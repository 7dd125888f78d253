/**
 * Applications brought to a status directly, for tests and benchmarks that need many of them and
 * are not about the way there: the row 实名认证 and 企业认证 leave behind (the registry's first
 * company, project 电子税务局, posted), then the same fireTransition door — with its audit records —
 * that the applicant, the 审核员, the 财务 and the 制证员 go through. The way itself is walked over
 * HTTP in the applications, review, payments and production tests.
 */
import { randomUUID } from 'node:crypto';
import type { Db, Tx } from '../../src/db/database.ts';
import type { ApplicationEvent, ApplicationStatus, SystemActor } from '../../src/domain/application.ts';
import type { Principal, StaffRole } from '../../src/domain/principal.ts';
import type { ApplicationKind } from '../../src/domain/renewal.ts';
import * as authRepo from '../../src/modules/auth/repository.ts';
import * as apps from '../../src/modules/applications/repository.ts';
import * as payRepo from '../../src/modules/payments/repository.ts';
import { fireTransition } from '../../src/modules/applications/transitions.ts';
import { registryFixtures } from '../../src/providers/registry/fixtures.ts';

const company = registryFixtures.organisations[0]!;
const person = registryFixtures.persons[0]!;

/** The events from 草稿 to each status reachable this way (银行汇款, 邮寄). */
const pathTo = {
  pending_review: ['submit'],
  approved: ['submit', 'approve'],
  paid: ['submit', 'approve', 'submit_voucher', 'confirm_payment'],
  in_production: ['submit', 'approve', 'submit_voucher', 'confirm_payment', 'start_production'],
  shipped: ['submit', 'approve', 'submit_voucher', 'confirm_payment', 'start_production', 'ship'],
} as const satisfies Partial<Record<ApplicationStatus, readonly ApplicationEvent[]>>;
export type ScenarioStatus = keyof typeof pathTo;

const staff = (role: StaffRole): Principal => ({ kind: 'staff', id: randomUUID(), username: `scenario-${role}`, roles: [role] });
const actors = { reviewer: staff('reviewer'), finance: staff('finance'), producer: staff('producer') };
const byEvent: Partial<Record<ApplicationEvent, Principal | SystemActor>> = {
  approve: actors.reviewer,
  return: actors.reviewer,
  confirm_payment: actors.finance,
  reject_payment: actors.finance,
  start_production: actors.producer,
  ship: actors.producer,
  ready_for_pickup: actors.producer,
  hand_over: actors.producer,
  pay_online: { kind: 'system', id: 'scenario' },
  auto_approve: { kind: 'system', id: 'scenario' },
  complete_online: { kind: 'system', id: 'scenario' },
};

/** The row 实名认证 and 企业认证 leave behind, at the last step (project_attachments). */
async function insertDraft(tx: Tx, applicant: Principal & { kind: 'applicant' }, at: Date, options: HistoryOptions = {}) {
  return apps.insertDraft(tx, {
    number: await apps.nextNumber(tx, at),
    kind: options.kind ?? 'new',
    applicantId: applicant.id,
    step: 'project_attachments',
    applicantType: 'enterprise',
    operatorName: person.name,
    operatorIdNumber: person.idNumber,
    operatorPhone: person.phone,
    operatorVerifiedAt: at,
    orgName: options.orgName ?? company.name,
    uscc: company.uscc,
    legalRepresentative: company.legalRepresentative,
    orgVerifiedAt: at,
    registryOutcome: 'match',
    projectId: options.projectId ?? 'nmg-etax',
    invoice: { wanted: false },
    delivery: { method: 'post', courier: 'EMS', recipient: '张三', phone: '13800001111', province: '内蒙古自治区', city: '呼和浩特市', district: '赛罕区', address: '大学东街 1 号' },
    priceKind: options.kind === 'renewal' ? 'renewal' : 'first',
    priceFen: options.priceFen ?? 19_500,
    createdAt: at,
    updatedAt: at,
  });
}

/** The applicant of `phone`, registered now if new. */
export async function scenarioApplicant(db: Db, phone: string, now: Date): Promise<Principal & { kind: 'applicant' }> {
  const row = await db.transaction((tx) => authRepo.upsertApplicant(tx, phone, now));
  return { kind: 'applicant', id: row.id, phone };
}

/** `count` applications of `applicant` in `status`, one transaction each; their rows, oldest first. */
export async function applicationsIn(
  db: Db,
  applicant: Principal & { kind: 'applicant' },
  status: ScenarioStatus,
  count: number,
  now: Date,
): Promise<apps.ApplicationRow[]> {
  const rows: apps.ApplicationRow[] = [];
  for (let i = 0; i < count; i++) {
    const at = new Date(now.getTime() + i);
    rows.push(
      await db.transaction(async (tx) => {
        let row = await insertDraft(tx, applicant, at);
        for (const event of pathTo[status]) row = await fireTransition(tx, row, event, byEvent[event] ?? applicant, at);
        return row;
      }),
    );
  }
  return rows;
}

export interface HistoryOptions {
  kind?: ApplicationKind;
  projectId?: string;
  orgName?: string;
  priceFen?: number;
  /** What became of the refund (a 退款 step): 待退款 by default. */
  refundStatus?: 'pending' | 'succeeded';
}

/**
 * One application that lived `steps` — each event at its own time, through fireTransition with its
 * audit record — with the payment row a 确认到账 (银行汇款) or 微信支付成功 leaves (paid at that time),
 * and the refund row a 退款 leaves: the history the 运营看板 reads (reports.test.ts).
 */
export async function applicationWithHistory(
  db: Db,
  applicant: Principal & { kind: 'applicant' },
  steps: readonly (readonly [ApplicationEvent, Date])[],
  options: HistoryOptions = {},
): Promise<apps.ApplicationRow> {
  return db.transaction(async (tx) => {
    let row = await insertDraft(tx, applicant, steps[0]![1], options);
    let payment: payRepo.PaymentRow | undefined;
    for (const [event, at] of steps) {
      row = await fireTransition(tx, row, event, byEvent[event] ?? applicant, at);
      if (event === 'confirm_payment' || event === 'pay_online') {
        payment = await payRepo.insert(tx, {
          applicationId: row.id,
          method: event === 'pay_online' ? 'wechat' : 'bank_transfer',
          amountFen: row.priceFen,
          status: 'paid',
          paidAt: at,
          createdAt: at,
          updatedAt: at,
        });
      }
      if (event === 'refund' && payment) {
        payment = await payRepo.writeStatus(tx, payment, 'refund', { updatedAt: at });
        await payRepo.insertRefund(tx, {
          paymentId: payment.id,
          applicationId: row.id,
          outRefundNo: `R${randomUUID().replaceAll('-', '').slice(0, 20)}`,
          amountFen: payment.amountFen,
          reason: '申请人取消',
          kind: 'cancel',
          status: options.refundStatus ?? 'pending',
          createdAt: at,
          settledAt: options.refundStatus === 'succeeded' ? at : null,
        });
      }
    }
    return row;
  });
}
