/**
 * applications: the 单位证书及电子印章申请 from 申请 to 提交 — real-name checks, the contract,
 * attachments, the form — saved at every step so that a draft resumes where it was left.
 * Status changes go through the domain's transition() and are written with their audit record.
 */
import type { Logger } from 'pino';
import type { Db, Tx } from '../../db/database.ts';
import {
  advanceStep,
  assertStepReached,
  mayWork,
  stepOnPath,
  stepsOf,
  statusLabels,
  type ApplicantType,
  type ApplicationEvent,
  type ApplicationStatus,
  type DraftStep,
} from '../../domain/application.ts';
import { describeDelivery, type ApplicationForm, type Delivery } from '../../domain/application-form.ts';
import { termPriceFen } from '../../domain/money.ts';
import {
  attachmentLabel,
  attachmentStep,
  baseAttachments,
  missingAttachments,
  projectAttachments,
  type AttachmentKind,
} from '../../domain/attachments.ts';
import { canonicalJson } from '../../domain/canonical-json.ts';
import { AppError } from '../../domain/errors.ts';
import { itemLabel, mayChange, type ReturnedItem, type ReviewItem } from '../../domain/review.ts';
import { applicantTimeline, staffTimeline, type TimelineEntry } from '../../domain/timeline.ts';
import { recordsOf } from '../audit/records.ts';
import type { ContractDocuments } from '../contracts/documents.ts';
import type { Principal } from '../../domain/principal.ts';
import { appendAudit } from '../audit/chain.ts';
import type { AttachmentService } from '../attachments/service.ts';
import type { CatalogueService } from '../catalogue/service.ts';
import type { AcceptanceKind, ContractService, RenderedContract } from '../contracts/service.ts';
import type { IdentityService } from './identity.ts';
import * as repo from './repository.ts';
import { fireTransition } from './transitions.ts';

type Applicant = Extract<Principal, { kind: 'applicant' }>;

export interface RequestEvidence {
  ip: string;
  userAgent: string;
}

/** What the applications module needs from review: the items a 审核不通过 returned. */
export interface ReturnedItemsSource {
  returnedItems(applicationId: string): Promise<ReturnedItem[]>;
  /** Returned items whose content is still what the reviewer saw. */
  unchangedReturnedItems(applicationId: string): Promise<ReturnedItem[]>;
}

export interface ApplicationsDeps {
  db: Db;
  clock: () => Date;
  log: Logger;
  caName: string;
  pickupAddress: string;
  identity: IdentityService;
  catalogue: CatalogueService;
  contracts: ContractService;
  attachments: AttachmentService;
  review: ReturnedItemsSource;
  /** The signed contract PDF, made at 本人已同意签署合同. */
  contractDocuments: ContractDocuments;
  /** Staff display names by id, for the staff timeline. */
  staffNames: (ids: readonly string[]) => Promise<ReadonlyMap<string, string>>;
}

export type ApplicationsService = ReturnType<typeof createApplicationsService>;

const notFound = () => new AppError('NOT_FOUND', '申请不存在', 404);

export function createApplicationsService(deps: ApplicationsDeps) {
  const { db, clock, catalogue, contracts } = deps;

  async function owned(applicant: Applicant, id: string) {
    const row = await repo.findOwned(db, applicant.id, id);
    if (!row) throw notFound();
    return row;
  }

  /**
   * Runs `work` on a locked, editable application of this applicant, at a step it has reached.
   * While 待修改, only the items the reviewer returned may change (`items`: what `work` changes).
   */
  async function onDraft<T>(
    applicant: Applicant,
    id: string,
    step: DraftStep,
    work: (tx: Tx, app: repo.ApplicationRow) => Promise<T>,
    items: ReviewItem[] = [],
  ) {
    const returned = await deps.review.returnedItems(id);
    return db.transaction(async (tx) => {
      const app = await repo.lockOwned(tx, applicant.id, id);
      if (!app) throw notFound();
      if (!mayWork(app.status, 'edit')) {
        throw new AppError('NOT_EDITABLE', `申请状态为“${statusLabels[app.status]}”，不能修改`, 409);
      }
      assertStepReached(app.step, step);
      if (app.status === 'needs_changes') {
        const refused = items.filter((i) => !mayChange(i, returned));
        if (refused.length > 0 || items.length === 0) {
          const names = refused.map((i) => itemLabel(i, app.applicantType)).join('、');
          throw new AppError('NOT_RETURNED', names ? `${names}未被退回修改，不能更改` : '该内容未被退回修改，不能更改', 409);
        }
      }
      return work(tx, app);
    });
  }

  function requiredAttachments(app: repo.ApplicationRow, extra: Record<ApplicantType, string[]> | undefined): AttachmentKind[] {
    const type = app.applicantType;
    return [...baseAttachments(type), ...(extra ? projectAttachments(extra, type) : [])];
  }

  async function contractFor(app: repo.ApplicationRow): Promise<RenderedContract> {
    if (!app.orgName || !app.uscc || !app.legalRepresentative) {
      throw new AppError('STEP_NOT_REACHED', '请先完成实名认证', 409);
    }
    const now = clock();
    return contracts.render({
      applicationNumber: app.number,
      orgName: app.orgName,
      uscc: app.uscc,
      legalRepresentative: app.legalRepresentative,
      operatorName: app.operatorName,
      operatorIdNumber: app.operatorIdNumber,
      operatorPhone: app.operatorPhone,
      caName: deps.caName,
      firstPriceFen: await catalogue.price('first', now),
      renewalPriceFen: await catalogue.price('renewal', now),
    });
  }

  /** The 服务年限 on offer and what each costs at today's prices. */
  async function terms(): Promise<{ years: number; priceFen: number }[]> {
    const now = clock();
    const [firstFen, renewalFen] = [await catalogue.price('first', now), await catalogue.price('renewal', now)];
    return [1, 2, 3].map((years) => ({ years, priceFen: termPriceFen(firstFen, renewalFen, years) }));
  }

  const fire = (tx: Tx, app: repo.ApplicationRow, event: ApplicationEvent, actor: Principal, data: Record<string, unknown> = {}) =>
    fireTransition(tx, app, event, actor, clock(), data);

  return {
    list: (applicant: Applicant) => repo.listForApplicant(db, applicant.id),

    /** The applicant's timeline: statuses with times. */
    async timeline(applicant: Applicant, id: string): Promise<TimelineEntry[]> {
      const app = await owned(applicant, id);
      return applicantTimeline(await recordsOf(db, 'application', app.id));
    },

    /** Staff's timeline: also who did what. Any staff role may read it. */
    async staffTimeline(id: string): Promise<{ number: string; entries: TimelineEntry[] }> {
      const app = await repo.findById(db, id);
      if (!app || app.status === 'draft') throw notFound();
      const records = await recordsOf(db, 'application', app.id);
      const names = await deps.staffNames(records.filter((r) => r.actorKind === 'staff').map((r) => r.actorId));
      return { number: app.number, entries: staffTimeline(records, names) };
    },

    async view(applicant: Applicant, id: string) {
      const app = await owned(applicant, id);
      const project = app.projectId ? await catalogue.project(app.projectId).catch(() => undefined) : undefined;
      const current = await deps.attachments.current(app.id);
      const base = baseAttachments(app.applicantType);
      const extra = project ? projectAttachments(project.extraAttachments, app.applicantType) : [];
      const acceptances = await contracts.acceptances(app.id);
      return { app, project, attachments: current, baseKinds: base, projectKinds: extra, acceptances };
    },

    /** 实名认证 of the operator. Creates the draft, or updates the one given. */
    async verifyOperator(
      applicant: Applicant,
      input: { applicationId?: string; applicantType: ApplicantType; operatorName: string; operatorIdNumber: string; operatorPhone: string },
    ) {
      await deps.identity.verifyOperator(input);
      const now = clock();
      const fields = {
        applicantType: input.applicantType,
        operatorName: input.operatorName,
        operatorIdNumber: input.operatorIdNumber,
        operatorPhone: input.operatorPhone,
        operatorVerifiedAt: now,
        updatedAt: now,
      };
      if (input.applicationId) {
        return onDraft(applicant, input.applicationId, 'identity', (tx) => repo.updateDraft(tx, input.applicationId!, fields), ['field:operator']);
      }
      const priceFen = await catalogue.price('first', now);
      return db.transaction(async (tx) => {
        const app = await repo.insertDraft(tx, {
          ...fields,
          number: await repo.nextNumber(tx, now),
          applicantId: applicant.id,
          step: 'identity',
          priceKind: 'first',
          priceFen,
          createdAt: now,
        });
        await appendAudit(tx, {
          at: now,
          actor: applicant,
          action: 'application.create',
          entityType: 'application',
          entityId: app.id,
          data: { number: app.number, status: 'draft' },
        });
        return app;
      });
    },

    /** 企业认证. 企业不存在 is not an error: the application continues as a 事业单位. */
    async verifyOrganisation(applicant: Applicant, id: string, input: { orgName: string; uscc: string; legalRepresentative: string }) {
      const before = await owned(applicant, id);
      if (!before.operatorVerifiedAt) throw new AppError('STEP_NOT_REACHED', '请先完成经办人实名认证', 409);
      const outcome = await deps.identity.verifyOrganisation(input);
      const now = clock();
      return onDraft(applicant, id, 'identity', async (tx, app) => {
        const type = outcome === 'not_found' ? 'institution' : app.applicantType;
        const row = await repo.updateDraft(tx, app.id, {
          orgName: input.orgName,
          uscc: input.uscc,
          legalRepresentative: input.legalRepresentative,
          orgVerifiedAt: now,
          registryOutcome: outcome,
          applicantType: type,
          manualReview: outcome === 'not_found' || app.applicantType === 'institution',
          step: advanceStep(type, stepOnPath(type, app.step), 'identity'),
          updatedAt: now,
        });
        return { app: row, outcome };
      }, ['field:organisation']);
    },

    async contract(applicant: Applicant, id: string) {
      return contractFor(await owned(applicant, id));
    },

    /** 本人已同意签署合同 (sign, after 实名认证) or 本人已阅读合同 (read, after 上传附件). */
    async acceptContract(applicant: Applicant, id: string, kind: AcceptanceKind, shown: { version: number; sha256: string }, ev: RequestEvidence) {
      const step: DraftStep = kind === 'sign' ? 'contract' : 'contract_review';
      const app0 = await owned(applicant, id);
      // A 事业单位 reads the signed contract where it uploads its papers: no second acceptance.
      if (!stepsOf[app0.applicantType].includes(step)) throw new AppError('STEP_NOT_ON_PATH', '事业单位无需再次确认合同', 409);
      const current = await contractFor(app0);
      const now = clock();
      // 本人已同意签署合同: the signed PDF is made (outside the transaction: it is CPU work and a
      // blob write) from exactly the text accepted, and recorded with the acceptance.
      const document =
        kind === 'sign' && shown.version === current.version && shown.sha256 === current.sha256
          ? await deps.contractDocuments.make({
              applicationId: app0.id,
              applicationNumber: app0.number,
              contract: current,
              organisation: { name: app0.orgName ?? '', uscc: app0.uscc ?? '' },
              operator: { name: app0.operatorName, idNumber: app0.operatorIdNumber, phone: app0.operatorPhone },
              agreedAt: now,
            })
          : undefined;
      return onDraft(applicant, id, step, async (tx, app) => {
        await contracts.accept(tx, app.id, kind, shown, current, { at: now, ip: ev.ip, userAgent: ev.userAgent, phone: applicant.phone });
        if (document) await deps.contractDocuments.record(tx, document.row);
        await appendAudit(tx, {
          at: now,
          actor: applicant,
          action: kind === 'sign' ? 'contract.sign' : 'contract.read',
          entityType: 'application',
          entityId: app.id,
          data: {
            templateVersion: current.version,
            textSha256: current.sha256,
            ...(document ? { pdfSha256: document.row.pdfSha256, signerSerial: document.row.signerSerial } : {}),
          },
        });
        return repo.updateDraft(tx, app.id, { step: advanceStep(app.applicantType, app.step, step), updatedAt: now });
      });
    },

    async uploadAttachment(applicant: Applicant, id: string, kind: AttachmentKind, data: Buffer, name: string) {
      const app = await owned(applicant, id);
      const project = app.projectId ? await catalogue.project(app.projectId) : undefined;
      const allowed = requiredAttachments(app, project?.extraAttachments);
      if (!allowed.includes(kind)) throw new AppError('ATTACHMENT_NOT_NEEDED', '本申请不需要上传该附件', 400);
      const step = attachmentStep(app.applicantType, kind);
      // Fails fast (before judging the image) when the draft cannot take it anyway …
      await onDraft(applicant, id, step, async () => undefined, [`attachment:${kind}`]);
      const prepared = await deps.attachments.prepare(app.id, kind, data, name, clock());
      // … and is checked again where it is recorded: an upload racing 提交 cannot land on a 待审核 application.
      try {
        return await onDraft(applicant, id, step, (tx) => deps.attachments.record(tx, prepared), [`attachment:${kind}`]);
      } catch (err) {
        await deps.attachments.discard(prepared);
        throw err;
      }
    },

    /** The signed contract PDF (本人已阅读合同 shows it; downloadable later). */
    async contractPdf(applicant: Applicant, id: string) {
      const app = await owned(applicant, id);
      return { ...(await deps.contractDocuments.latest(app.id)), number: app.number };
    },

    /** Staff: the same document. */
    async contractPdfForStaff(id: string) {
      const app = await repo.findById(db, id);
      if (!app || app.status === 'draft') throw notFound();
      return { ...(await deps.contractDocuments.latest(app.id)), number: app.number };
    },

    async attachmentContent(applicant: Applicant, id: string, attachmentId: string) {
      const app = await owned(applicant, id);
      return deps.attachments.content(app.id, attachmentId);
    },

    /** The enterprise's 上传附件 step's 提交: every base scan must be there. */
    async completeAttachments(applicant: Applicant, id: string) {
      const app0 = await owned(applicant, id);
      if (app0.applicantType !== 'enterprise') throw new AppError('STEP_NOT_ON_PATH', '事业单位在最后一步上传全部附件后提交', 409);
      await assertAttachments(app0, baseAttachments(app0.applicantType));
      return onDraft(applicant, id, 'attachments', (tx, app) =>
        repo.updateDraft(tx, app.id, { step: advanceStep(app.applicantType, app.step, 'attachments'), updatedAt: clock() }),
      );
    },

    terms,

    /** 证书用途 / 服务年限 / 是否开具发票 / 证书领取方式 → 下一步. */
    async saveForm(applicant: Applicant, id: string, form: ApplicationForm) {
      const before = await owned(applicant, id);
      // A withdrawn project is not offered to a new choice, but one already chosen may be kept.
      await (before.projectId === form.projectId ? catalogue.project(form.projectId) : catalogue.offeredProject(form.projectId));
      const changed: ReviewItem[] = [];
      // 服务年限 sits with 证书用途 (one group for review and for a return) and sets the price.
      if (before.projectId !== form.projectId || before.termYears !== form.termYears) changed.push('field:project');
      if (canonicalJson(before.invoice) !== canonicalJson(form.invoice)) changed.push('field:invoice');
      if (canonicalJson(before.delivery) !== canonicalJson(form.delivery)) changed.push('field:delivery');
      if (before.status === 'needs_changes' && changed.length === 0) return before;
      // The price follows a changed term (today's prices); an unchanged term keeps the price it had.
      const termPrice = before.termYears === form.termYears ? undefined : (await terms()).find((t) => t.years === form.termYears)?.priceFen;
      return onDraft(applicant, id, 'form', (tx, app) =>
        repo.updateDraft(tx, app.id, {
          projectId: form.projectId,
          termYears: form.termYears,
          ...(termPrice === undefined ? {} : { priceFen: termPrice }),
          invoice: form.invoice,
          delivery: form.delivery,
          step: advanceStep(app.applicantType, app.step, 'form'),
          updatedAt: clock(),
        }),
        changed,
      );
    },

    /** Data for the 申请表 / 授权委托书 templates. */
    async formData(applicant: Applicant, id: string) {
      const app = await owned(applicant, id);
      if (!app.projectId || !app.delivery || !app.orgName || !app.uscc || !app.legalRepresentative) {
        throw new AppError('STEP_NOT_REACHED', '请先填写证书用途和领取方式', 409);
      }
      const project = await catalogue.project(app.projectId);
      return {
        applicationNumber: app.number,
        applicantType: app.applicantType === 'enterprise' ? ('企业' as const) : ('事业单位' as const),
        organisationName: app.orgName,
        uscc: app.uscc,
        legalRepresentative: app.legalRepresentative,
        operatorName: app.operatorName,
        operatorIdNumber: app.operatorIdNumber,
        operatorPhone: app.operatorPhone,
        projectName: project.name,
        delivery: describeDelivery(app.delivery as Delivery, deps.pickupAddress),
        caName: deps.caName,
        date: clock(),
      };
    },

    /** 提交 → 待审核. */
    async submit(applicant: Applicant, id: string) {
      const app0 = await owned(applicant, id);
      assertStepReached(app0.step, 'project_attachments');
      const project = app0.projectId ? await catalogue.project(app0.projectId) : undefined;
      if (!project) throw new AppError('STEP_NOT_REACHED', '请先选择所属项目', 409);
      await assertAttachments(app0, requiredAttachments(app0, project.extraAttachments));
      const row = await db.transaction(async (tx) => {
        const app = await repo.lockOwned(tx, applicant.id, id);
        if (!app) throw notFound();
        return fire(tx, app, 'submit', applicant, { project: project.id, manualReview: app.manualReview });
      });
      deps.log.info({ applicationId: row.id, number: row.number }, 'application submitted');
      return row;
    },

    /** 待修改 → 再次提交 → 待审核, once every returned item has been changed. */
    async resubmit(applicant: Applicant, id: string) {
      const app0 = await owned(applicant, id);
      const project = app0.projectId ? await catalogue.project(app0.projectId) : undefined;
      await assertAttachments(app0, requiredAttachments(app0, project?.extraAttachments));
      const unchanged = await deps.review.unchangedReturnedItems(app0.id);
      if (app0.status === 'needs_changes' && unchanged.length > 0) {
        const names = unchanged.map((i) => itemLabel(i.item, app0.applicantType)).join('、');
        throw new AppError('RETURNED_UNCHANGED', `请先修改退回的内容：${names}`, 422);
      }
      return db.transaction(async (tx) => {
        const app = await repo.lockOwned(tx, applicant.id, id);
        if (!app) throw notFound();
        return fire(tx, app, 'resubmit', applicant);
      });
    },

    async returnedItems(applicant: Applicant, id: string) {
      const app = await owned(applicant, id);
      if (app.status !== 'needs_changes') return [];
      return (await deps.review.returnedItems(app.id)).map((i) => ({ ...i, label: itemLabel(i.item, app.applicantType) }));
    },

    async cancel(applicant: Applicant, id: string) {
      return db.transaction(async (tx) => {
        const app = await repo.lockOwned(tx, applicant.id, id);
        if (!app) throw notFound();
        return fire(tx, app, 'cancel', applicant);
      });
    },
  };

  async function assertAttachments(app: repo.ApplicationRow, required: AttachmentKind[]) {
    const present = (await deps.attachments.current(app.id)).map((a) => a.kind);
    const missing = missingAttachments(required, present);
    if (missing.length > 0) {
      const names = missing.map((k) => attachmentLabel(k, app.applicantType)).join('、');
      throw new AppError('ATTACHMENTS_MISSING', `请上传：${names}`, 422, { missing });
    }
  }
}
