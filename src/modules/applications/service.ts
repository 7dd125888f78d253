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
  pathKey,
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
  changedUnitFields,
  renewalNeedsLicence,
  renewalPriceFen,
  renewalRefusal,
  renewalRefusalMessage,
  renewalReview,
  type ApplicationKind,
  type RenewalEvidence,
  type RenewalPolicy,
} from '../../domain/renewal.ts';
import {
  attachmentLabel,
  attachmentStep,
  baseAttachments,
  changeAttachments,
  missingAttachments,
  projectAttachments,
  type AttachmentKind,
} from '../../domain/attachments.ts';
import { canonicalJson } from '../../domain/canonical-json.ts';
import {
  aftersalesRefusalMessage,
  applicationKindLabels,
  changeRefusal,
  priceKindOf,
  registryLagsChange,
  reissueRefusal,
  type AftersalesKind,
  type ChangeItem,
} from '../../domain/aftersales.ts';
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
import { mismatchError, type IdentityService } from './identity.ts';
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
  /** 续期: the certificates renewed (the CA module's). */
  certificates: RenewalCertificates;
  renewalPolicy: RenewalPolicy;
  /**
   * 资料审核通过 written without a reviewer (续期自动审核): what follows an approval — the bank
   * transfer's code and the SMS — in the same transaction.
   */
  onAutoApproved: (tx: Tx, app: repo.ApplicationRow) => Promise<repo.ApplicationRow>;
}

/** What a 续期 / 变更 / 补办 needs to know of the certificate it concerns. */
export interface RenewalCertificates {
  certificate(serialHex: string): Promise<
    | { serialHex: string; applicationId: string | null; status: 'valid' | 'revoked'; revocationReason: string | null; notAfter: Date; profile: string }
    | undefined
  >;
  successorOf(serialHex: string): Promise<{ serialHex: string } | undefined>;
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
    // 续期: the papers are on file; only a changed registration asks for the new licence.
    if (app.kind === 'renewal') return renewalNeedsLicence(app.renewal?.changed ?? []) ? [baseAttachments(type)[0]!] : [];
    // 变更: the new licence and the registry's proof of the change; 补办: the papers are on file.
    if (app.kind === 'change' || app.kind === 'reissue') return changeAttachments(app.kind, app.renewal?.claimed ?? [], type);
    return [...baseAttachments(type), ...(extra ? projectAttachments(extra, type) : [])];
  }

  /** Which step uploads a paper: an after-sales application's papers go with its last step. */
  const uploadStep = (app: repo.ApplicationRow, kind: AttachmentKind) =>
    app.kind !== 'new' ? 'project_attachments' : attachmentStep(app.applicantType, kind);

  /**
   * The certificate a 续期 / 变更 / 补办 concerns and the application it came from, when this
   * applicant may start that kind for it now; otherwise the refusal, in the holder's words.
   */
  async function concernedProblem(
    applicant: Applicant,
    kind: AftersalesKind,
    serial: string,
  ): Promise<{ cert: NonNullable<Awaited<ReturnType<RenewalCertificates['certificate']>>>; previous: repo.ApplicationRow }> {
    const cert = await deps.certificates.certificate(serial);
    const previous = cert?.applicationId ? await repo.findOwned(db, applicant.id, cert.applicationId) : undefined;
    if (!cert || !previous) throw new AppError('CERTIFICATE_NOT_FOUND', '证书不存在', 404);
    const [successor, underWay] = await Promise.all([deps.certificates.successorOf(cert.serialHex), repo.renewalsUnderWay(db, [cert.serialHex])]);
    if (kind === 'renewal') {
      const refusal = renewalRefusal(
        { status: cert.status, notAfter: cert.notAfter, profile: cert.profile, renewed: !!successor, renewalInProgress: underWay.has(cert.serialHex) },
        clock(),
        deps.renewalPolicy,
      );
      if (refusal) throw new AppError(`RENEWAL_${refusal.toUpperCase()}`, renewalRefusalMessage(refusal, deps.renewalPolicy), 409, { reason: refusal });
      return { cert, previous };
    }
    const concerned = { ...cert, succeeded: !!successor, inProgress: underWay.has(cert.serialHex) };
    const refusal = kind === 'change' ? changeRefusal(concerned, clock()) : reissueRefusal(concerned, clock());
    if (refusal) throw new AppError(`${kind.toUpperCase()}_${refusal.toUpperCase()}`, aftersalesRefusalMessage(kind, refusal), 409, { reason: refusal });
    return { cert, previous };
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

  /** The 服务年限 on offer and what each costs at today's prices; a renewal's every year at the renewal price. */
  async function terms(kind: ApplicationKind = 'new'): Promise<{ years: number; priceFen: number }[]> {
    const now = clock();
    const [firstFen, renewalFen] = [await catalogue.price('first', now), await catalogue.price('renewal', now)];
    return [1, 2, 3].map((years) => ({ years, priceFen: kind === 'renewal' ? renewalPriceFen(renewalFen, years) : termPriceFen(firstFen, renewalFen, years) }));
  }

  const fire = (tx: Tx, app: repo.ApplicationRow, event: ApplicationEvent, actor: Principal, data: Record<string, unknown> = {}) =>
    fireTransition(tx, app, event, actor, clock(), data);

  return {
    list: (applicant: Applicant) => repo.listForApplicant(db, applicant.id),

    /**
     * 续期 / 变更 / 补办 of one of the applicant's certificates: a draft of that kind with the unit's
     * data as verified last time (to be confirmed by a fresh 企业认证), the project and invoice
     * wishes of then, at the kind's price (a renewal: one year at the renewal price). A 变更 says
     * what changed (`claimed`).
     */
    async startAftersales(applicant: Applicant, kind: AftersalesKind, serialHex: string, claimed: ChangeItem[] = []) {
      if (kind === 'change' && claimed.length === 0) throw new AppError('CHANGE_ITEMS_REQUIRED', '请选择变更内容', 400);
      const { cert, previous } = await concernedProblem(applicant, kind, serialHex);
      if (!previous.orgName || !previous.uscc || !previous.legalRepresentative) throw new AppError('CERTIFICATE_NOT_FOUND', '证书不存在', 404);
      const now = clock();
      const listed = await catalogue.price(priceKindOf[kind], now);
      const priceFen = kind === 'renewal' ? renewalPriceFen(listed, 1) : listed;
      try {
        return await db.transaction(async (tx) => {
          const app = await repo.insertDraft(tx, {
            number: await repo.nextNumber(tx, now),
            applicantId: applicant.id,
            kind,
            concernsSerial: cert.serialHex,
            renewal: {
              previous: {
                orgName: previous.orgName!,
                uscc: previous.uscc!,
                legalRepresentative: previous.legalRepresentative!,
                operatorName: previous.operatorName,
                operatorIdNumber: previous.operatorIdNumber,
                applicationNumber: previous.number,
              },
              changed: [],
              operatorChanged: false,
              ...(kind === 'change' ? { claimed } : {}),
            },
            step: 'identity',
            applicantType: previous.applicantType,
            operatorName: previous.operatorName,
            operatorIdNumber: previous.operatorIdNumber,
            operatorPhone: previous.operatorPhone,
            operatorVerifiedAt: previous.operatorVerifiedAt,
            orgName: previous.orgName,
            uscc: previous.uscc,
            legalRepresentative: previous.legalRepresentative,
            projectId: previous.projectId,
            invoice: previous.invoice,
            delivery: null,
            priceKind: priceKindOf[kind],
            priceFen,
            // 变更 / 补办 end where the old certificate ended: no term is bought.
            termYears: 1,
            createdAt: now,
            updatedAt: now,
          });
          await appendAudit(tx, {
            at: now,
            actor: applicant,
            action: 'application.create',
            entityType: 'application',
            entityId: app.id,
            data: { number: app.number, status: 'draft', kind, concerns: cert.serialHex, previous: previous.number },
          });
          return app;
        });
      } catch (err) {
        // Two clicks at once: the unique index lets one through.
        if (err instanceof Error && /applications_renews_serial_idx/.test(`${err.message} ${String((err as { cause?: unknown }).cause ?? '')}`)) {
          const message = kind === 'renewal' ? renewalRefusalMessage('in_progress', deps.renewalPolicy) : aftersalesRefusalMessage(kind, 'in_progress');
          throw new AppError(`${kind.toUpperCase()}_IN_PROGRESS`, message, 409, { reason: 'in_progress' });
        }
        throw err;
      }
    },

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
      // 续期: only what it needs (the licence when the registration changed), in the last step.
      const base = app.kind !== 'new' ? requiredAttachments(app, undefined) : baseAttachments(app.applicantType);
      const extra = project && app.kind === 'new' ? projectAttachments(project.extraAttachments, app.applicantType) : [];
      const acceptances = await contracts.acceptances(app.id);
      return { app, project, attachments: current, baseKinds: base, projectKinds: extra, acceptances };
    },

    /** 实名认证 of the operator. Creates the draft, or updates the one given. */
    async verifyOperator(
      applicant: Applicant,
      input: { applicationId?: string; applicantType: ApplicantType; operatorName: string; operatorIdNumber: string; operatorPhone: string },
    ) {
      const renewalDraft = input.applicationId ? await owned(applicant, input.applicationId) : undefined;
      const previous = renewalDraft && renewalDraft.kind !== 'new' ? renewalDraft.renewal?.previous : undefined;
      // 续期: the 经办人 verified last time is confirmed as is; a new one is 实名认证'd.
      const operatorChanged = previous
        ? previous.operatorName !== input.operatorName || previous.operatorIdNumber !== input.operatorIdNumber.toUpperCase()
        : true;
      if (operatorChanged) await deps.identity.verifyOperator(input);
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
        return onDraft(
          applicant,
          input.applicationId,
          'identity',
          (tx, app) =>
            repo.updateDraft(tx, app.id, {
              ...fields,
              // A renewal keeps its type (the registry decides it again at 企业认证).
              applicantType: app.kind !== 'new' ? app.applicantType : fields.applicantType,
              ...(app.kind !== 'new' && app.renewal ? { renewal: { ...app.renewal, operatorChanged } } : {}),
            }),
          ['field:operator'],
        );
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
    async verifyOrganisation(
      applicant: Applicant,
      id: string,
      input: { orgName: string; uscc: string; legalRepresentative: string },
    ): Promise<{ app: repo.ApplicationRow; outcome: 'match' | 'not_found' | 'lagging' }> {
      const before = await owned(applicant, id);
      if (!before.operatorVerifiedAt) throw new AppError('STEP_NOT_REACHED', '请先完成经办人实名认证', 409);
      const checked = await deps.identity.checkOrganisation(input);
      // 变更: a register that still shows the old data in the fields said to have changed is
      // explained, and the application goes on to a reviewer with the proof; other mismatches stop.
      const claimed = before.kind === 'change' ? (before.renewal?.claimed ?? []) : [];
      const lagging = checked.outcome === 'mismatch' && before.kind === 'change' && registryLagsChange(checked.fields, claimed);
      if (checked.outcome === 'mismatch' && !lagging) throw mismatchError(checked.fields);
      const outcome: 'match' | 'not_found' | 'lagging' = checked.outcome === 'mismatch' ? 'lagging' : checked.outcome;
      const now = clock();
      return onDraft(applicant, id, 'identity', async (tx, app) => {
        const type = outcome === 'not_found' ? 'institution' : app.kind !== 'new' ? 'enterprise' : app.applicantType;
        const renewal: RenewalEvidence | undefined =
          app.kind !== 'new' && app.renewal
            ? { ...app.renewal, changed: changedUnitFields(app.renewal.previous, input), ...(app.kind === 'change' ? { registryLagging: lagging } : {}) }
            : undefined;
        const row = await repo.updateDraft(tx, app.id, {
          ...(renewal ? { renewal } : {}),
          orgName: input.orgName,
          uscc: input.uscc,
          legalRepresentative: input.legalRepresentative,
          orgVerifiedAt: now,
          registryOutcome: outcome,
          applicantType: type,
          manualReview: outcome !== 'match' || app.applicantType === 'institution',
          step: advanceStep(pathKey({ ...app, applicantType: type }), stepOnPath(pathKey({ ...app, applicantType: type }), app.step), 'identity'),
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
      if (!stepsOf[pathKey(app0)].includes(step)) {
        throw new AppError('STEP_NOT_ON_PATH', app0.kind !== 'new' ? `${applicationKindLabels[app0.kind]}无需再次确认合同` : '事业单位无需再次确认合同', 409);
      }
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
        return repo.updateDraft(tx, app.id, { step: advanceStep(pathKey(app), app.step, step), updatedAt: now });
      });
    },

    async uploadAttachment(applicant: Applicant, id: string, kind: AttachmentKind, data: Buffer, name: string) {
      const app = await owned(applicant, id);
      const project = app.projectId ? await catalogue.project(app.projectId) : undefined;
      const allowed = requiredAttachments(app, project?.extraAttachments);
      if (!allowed.includes(kind)) throw new AppError('ATTACHMENT_NOT_NEEDED', '本申请不需要上传该附件', 400);
      const step = uploadStep(app, kind);
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
      if (pathKey(app0) !== 'enterprise') throw new AppError('STEP_NOT_ON_PATH', '事业单位在最后一步上传全部附件后提交', 409);
      await assertAttachments(app0, baseAttachments(app0.applicantType));
      return onDraft(applicant, id, 'attachments', (tx, app) =>
        repo.updateDraft(tx, app.id, { step: advanceStep(pathKey(app), app.step, 'attachments'), updatedAt: clock() }),
      );
    },

    terms,

    /**
     * 证书用途 / 服务年限 / 是否开具发票 / 证书领取方式 → 下一步. A renewal needs no 领取方式 (the
     * holder renews in their own USB key online: `delivery` null) unless they post the key in.
     */
    async saveForm(applicant: Applicant, id: string, form: ApplicationForm | (Omit<ApplicationForm, 'delivery'> & { delivery: Delivery | null })) {
      const before = await owned(applicant, id);
      if (form.delivery === null && before.kind !== 'renewal') throw new AppError('DELIVERY_REQUIRED', '请选择证书领取方式', 400);
      // A withdrawn project is not offered to a new choice, but one already chosen may be kept.
      await (before.projectId === form.projectId ? catalogue.project(form.projectId) : catalogue.offeredProject(form.projectId));
      const changed: ReviewItem[] = [];
      // 服务年限 sits with 证书用途 (one group for review and for a return) and sets the price.
      if (before.projectId !== form.projectId || before.termYears !== form.termYears) changed.push('field:project');
      if (canonicalJson(before.invoice) !== canonicalJson(form.invoice)) changed.push('field:invoice');
      if (canonicalJson(before.delivery) !== canonicalJson(form.delivery)) changed.push('field:delivery');
      if (before.status === 'needs_changes' && changed.length === 0) return before;
      // The price follows a changed term (today's prices); an unchanged term keeps the price it had.
      // 变更 / 补办 buy no term: they keep the old certificate's end and their one price.
      const fixed = before.kind === 'change' || before.kind === 'reissue';
      const termPrice =
        fixed || (before.termYears === form.termYears && before.priceKind === (before.kind === 'renewal' ? 'renewal' : 'first'))
          ? undefined
          : (await terms(before.kind)).find((t) => t.years === form.termYears)?.priceFen;
      return onDraft(applicant, id, 'form', (tx, app) =>
        repo.updateDraft(tx, app.id, {
          projectId: form.projectId,
          termYears: fixed ? app.termYears : form.termYears,
          ...(termPrice === undefined ? {} : { priceFen: termPrice }),
          invoice: form.invoice,
          delivery: form.delivery,
          step: advanceStep(pathKey(app), app.step, 'form'),
          updatedAt: clock(),
        }),
        changed,
      );
    },

    /** Data for the 申请表 / 授权委托书 templates. */
    async formData(applicant: Applicant, id: string) {
      const app = await owned(applicant, id);
      if (!app.projectId || (!app.delivery && app.kind !== 'renewal') || !app.orgName || !app.uscc || !app.legalRepresentative) {
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
        delivery: app.delivery ? describeDelivery(app.delivery, deps.pickupAddress) : '在线续期（无需邮寄）',
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
      if (app0.kind !== 'new' && !app0.orgVerifiedAt) throw new AppError('STEP_NOT_REACHED', '请先完成企业认证', 409);
      const row = await db.transaction(async (tx) => {
        const app = await repo.lockOwned(tx, applicant.id, id);
        if (!app) throw notFound();
        const route =
          app.kind === 'renewal'
            ? renewalReview({
                changed: app.renewal?.changed ?? [],
                operatorChanged: app.renewal?.operatorChanged ?? true,
                applicantType: app.applicantType,
                registryOutcome: app.registryOutcome,
                projectAutoReview: project.renewalAutoReview,
              })
            : undefined;
        const submitted = await fire(tx, app, 'submit', applicant, {
          project: project.id,
          manualReview: app.manualReview,
          ...(app.kind !== 'new' ? { kind: app.kind, concerns: app.concernsSerial, changed: app.renewal?.changed ?? [], review: route ?? 'reviewer' } : {}),
        });
        if (route !== 'auto') return submitted;
        // 续期自动审核: nothing changed, the registry confirmed it, the project allows it.
        const approved = await fireTransition(tx, submitted, 'auto_approve', { kind: 'system', id: 'renewal-auto-review' }, clock(), {
          project: project.id,
        });
        return deps.onAutoApproved(tx, approved);
      });
      deps.log.info({ applicationId: row.id, number: row.number, kind: row.kind, status: row.status }, 'application submitted');
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
