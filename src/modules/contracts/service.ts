/**
 * contracts: the service contract shown to the applicant (a versioned template filled with the
 * application's data) and each acceptance, kept as evidence: template version, SHA-256 of the
 * exact text shown, time, IP, user agent and phone.
 */
import { createHash } from 'node:crypto';
import { and, desc, eq } from 'drizzle-orm';
import type { Db, Tx } from '../../db/database.ts';
import { contractAcceptances, contractTemplates } from '../../db/schema.ts';
import { maskIdNumber } from '../../domain/codes.ts';
import { AppError } from '../../domain/errors.ts';
import { formatYuan } from '../../domain/money.ts';
import { maskPhone } from '../../domain/phone.ts';
import { CONTRACT_PLACEHOLDER, fillPlaceholders, type ContractPlaceholder } from '../../domain/templates.ts';

export interface ContractParties {
  applicationNumber: string;
  orgName: string;
  uscc: string;
  legalRepresentative: string;
  operatorName: string;
  operatorIdNumber: string;
  operatorPhone: string;
  caName: string;
  firstPriceFen: number;
  renewalPriceFen: number;
}

export interface RenderedContract {
  version: number;
  title: string;
  text: string;
  sha256: string;
}

export type AcceptanceKind = 'sign' | 'read';

export function fillTemplate(body: string, p: ContractParties): string {
  // Typed by the domain's list, so a placeholder administrators may use is one this fills.
  const values: Record<ContractPlaceholder, string> = {
    applicationNumber: p.applicationNumber,
    orgName: p.orgName,
    uscc: p.uscc,
    legalRepresentative: p.legalRepresentative,
    operatorName: p.operatorName,
    operatorIdNumberMasked: maskIdNumber(p.operatorIdNumber),
    operatorPhoneMasked: maskPhone(p.operatorPhone),
    caName: p.caName,
    firstPriceYuan: formatYuan(p.firstPriceFen),
    renewalPriceYuan: formatYuan(p.renewalPriceFen),
  };
  return fillPlaceholders(body, CONTRACT_PLACEHOLDER, values);
}

export const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

export type ContractService = ReturnType<typeof createContractService>;

export function createContractService(db: Db) {
  async function latestTemplate() {
    const [row] = await db.select().from(contractTemplates).orderBy(desc(contractTemplates.version)).limit(1);
    if (!row) throw new Error('no contract template');
    return row;
  }

  return {
    /** The current template filled for these parties: what the applicant is shown. */
    async render(parties: ContractParties): Promise<RenderedContract> {
      const t = await latestTemplate();
      const text = fillTemplate(t.body, parties);
      return { version: t.version, title: t.title, text, sha256: sha256Hex(text) };
    },

    /**
     * Records an acceptance of the text the applicant saw. The browser sends back the version and
     * hash it was shown; if the template changed in between, the applicant must read it again.
     */
    async accept(
      tx: Tx,
      applicationId: string,
      kind: AcceptanceKind,
      shown: { version: number; sha256: string },
      current: RenderedContract,
      evidence: { at: Date; ip: string; userAgent: string; phone: string },
    ): Promise<void> {
      if (shown.version !== current.version || shown.sha256 !== current.sha256) {
        throw new AppError('CONTRACT_CHANGED', '合同内容已更新，请重新阅读后确认', 409);
      }
      await tx.insert(contractAcceptances).values({
        applicationId,
        kind,
        templateVersion: current.version,
        textSha256: current.sha256,
        acceptedAt: evidence.at,
        ip: evidence.ip,
        userAgent: evidence.userAgent.slice(0, 512),
        phone: evidence.phone,
      });
    },

    async acceptances(applicationId: string) {
      return db
        .select()
        .from(contractAcceptances)
        .where(and(eq(contractAcceptances.applicationId, applicationId)))
        .orderBy(contractAcceptances.acceptedAt);
    },
  };
}
