/**
 * After the first certificate (售后): the kinds of application on the one pipeline — 新办, 续期,
 * 变更 (the unit's details changed), 补办 (a new key after 挂失) — what each costs (price kinds),
 * how a successor certificate names its predecessor and why (the lineage), and when a certificate
 * may be changed, reported lost or reissued. Pure: the caller brings the time and the rows.
 * 续期's own rules (its window, its term) are in renewal.ts.
 */
import type { UnitData } from './renewal.ts';

export const applicationKindLabels = { new: '新办', renewal: '续期', change: '变更', reissue: '补办' } as const;
export type ApplicationKind = keyof typeof applicationKindLabels;
export const applicationKinds = ['new', 'renewal', 'change', 'reissue'] as const satisfies readonly ApplicationKind[];
/** The kinds that concern a certificate already issued (they carry its serial). */
export type AftersalesKind = Exclude<ApplicationKind, 'new'>;

/** 系统管理 → 价格: one price kind per application kind (新办's is the first year's). */
export const priceKindLabels = { first: '首次申请', renewal: '续费', change: '变更', reissue: '补办' } as const;
export type PriceKind = keyof typeof priceKindLabels;
export const priceKinds = ['first', 'renewal', 'change', 'reissue'] as const satisfies readonly PriceKind[];
export const priceKindOf: Record<ApplicationKind, PriceKind> = { new: 'first', renewal: 'renewal', change: 'change', reissue: 'reissue' };

/** 变更 and 补办 may be free (a fee of 0); a certificate itself never is. */
export function priceMayBeZero(kind: PriceKind): boolean {
  return kind === 'change' || kind === 'reissue';
}

/** A fee of 0 (变更 by default) skips 支付: the application goes from 资料审核通过 to 已支付 by itself. */
export function feeWaived(priceFen: number): boolean {
  return priceFen === 0;
}

/**
 * Why a successor certificate exists: the lineage says 已续期 / 已变更 / 已补办 of the old one.
 * (续期: the old stays valid to its end; 变更: the old is revoked affiliationChanged once the new
 * is issued; 补办: the old was revoked keyCompromise at 挂失.)
 */
export const successionLabels = { renewed: '已续期', changed: '已变更', reissued: '已补办' } as const;
export type Succession = keyof typeof successionLabels;
export const successions = ['renewed', 'changed', 'reissued'] as const satisfies readonly Succession[];
export const successionOf: Record<AftersalesKind, Succession> = { renewal: 'renewed', change: 'changed', reissue: 'reissued' };
/** How /verify names the link from the successor's side. */
export const predecessorLabels: Record<Succession, string> = {
  renewed: '续期自（原证书序列号）',
  changed: '变更自（原证书序列号）',
  reissued: '补办自（原证书序列号）',
};
export const successorLabels: Record<Succession, string> = {
  renewed: '续期证书序列号',
  changed: '变更后证书序列号',
  reissued: '补办证书序列号',
};

/**
 * 变更 and 补办 keep the old certificate's end: the holder paid for that term once. The new one
 * starts when it is issued.
 */
export function successorValidity(predecessorNotAfter: Date, issuedAt: Date): { notBefore: Date; notAfter: Date } {
  return { notBefore: issuedAt, notAfter: predecessorNotAfter };
}

/** What 变更 and 补办 need to know of the certificate they concern. */
export interface ConcernedCertificate {
  status: 'valid' | 'revoked';
  revocationReason: string | null;
  notAfter: Date;
  profile: string;
  /** A successor exists (renewed, changed or reissued already): only the newest may change. */
  succeeded: boolean;
  /** Another after-sales application of it is under way (not cancelled or refunded). */
  inProgress: boolean;
}

export type AftersalesRefusal = 'not_signing' | 'revoked' | 'expired' | 'succeeded' | 'in_progress' | 'not_reported';

const refusalTexts: Record<'change' | 'reissue' | 'loss', Record<AftersalesRefusal, string>> = {
  change: {
    not_signing: '请对单位签名证书办理变更（加密证书随之变更）',
    revoked: '该证书已吊销，不能办理变更，请重新申请',
    expired: '该证书已过期，不能办理变更，请重新申请（新办）',
    succeeded: '该证书已有更新的证书，请对最新的证书办理变更',
    in_progress: '该证书已有进行中的申请，请在“我的申请”中继续办理',
    not_reported: '',
  },
  reissue: {
    not_signing: '请对单位签名证书办理补办',
    revoked: '',
    expired: '该证书已过期，不能补办，请重新申请（新办）',
    succeeded: '该证书已补办或已有更新的证书',
    in_progress: '该证书已有进行中的申请，请在“我的申请”中继续办理',
    not_reported: '请先办理挂失：证书挂失（吊销）后才能补办',
  },
  loss: {
    not_signing: '请对单位签名证书办理挂失（加密证书随之吊销）',
    revoked: '该证书已吊销，无需挂失',
    expired: '该证书已过期，无需挂失',
    succeeded: '',
    in_progress: '',
    not_reported: '',
  },
};

export function aftersalesRefusalMessage(what: 'change' | 'reissue' | 'loss', refusal: AftersalesRefusal): string {
  return refusalTexts[what][refusal];
}

const expired = (cert: ConcernedCertificate, now: Date) => cert.notAfter.getTime() <= now.getTime();

/** 变更: only a valid, unexpired, newest signing certificate with nothing else under way. */
export function changeRefusal(cert: ConcernedCertificate, now: Date): AftersalesRefusal | undefined {
  if (cert.profile !== 'unitSigning') return 'not_signing';
  if (cert.status === 'revoked') return 'revoked';
  if (expired(cert, now)) return 'expired';
  if (cert.succeeded) return 'succeeded';
  if (cert.inProgress) return 'in_progress';
  return undefined;
}

/** 挂失: a signing certificate still in force; its SM2 pair goes with it. */
export function lossReportRefusal(cert: ConcernedCertificate, now: Date): AftersalesRefusal | undefined {
  if (cert.profile !== 'unitSigning') return 'not_signing';
  if (cert.status === 'revoked') return 'revoked';
  if (expired(cert, now)) return 'expired';
  return undefined;
}

/** 补办: only after 挂失 (revoked keyCompromise), before the lost certificate's end, once. */
export function reissueRefusal(cert: ConcernedCertificate, now: Date): AftersalesRefusal | undefined {
  if (cert.profile !== 'unitSigning') return 'not_signing';
  if (cert.status !== 'revoked' || cert.revocationReason !== 'keyCompromise') return 'not_reported';
  if (expired(cert, now)) return 'expired';
  if (cert.succeeded) return 'succeeded';
  if (cert.inProgress) return 'in_progress';
  return undefined;
}

/** 变更: what the holder says changed. 经办人 and the address change no registered data. */
export const changeItemLabels = { orgName: '单位名称', legalRepresentative: '法定代表人', operator: '经办人', address: '地址' } as const;
export type ChangeItem = keyof typeof changeItemLabels;
export const changeItems = ['orgName', 'legalRepresentative', 'operator', 'address'] as const satisfies readonly ChangeItem[];

/**
 * 变更's 企业认证 on the new data: the registry may still show the old data (工商变更 takes days to
 * reach it). A mismatch only in the fields the holder says changed, where the registry's answer is
 * what was verified last time, is not a dead end: the application goes on, and the reviewer checks
 * the 变更 proof by hand. Any other mismatch is refused as at 新办.
 */
export function registryLagsChange(mismatched: readonly (keyof UnitData)[], claimed: readonly ChangeItem[]): boolean {
  return mismatched.length > 0 && mismatched.every((f) => f !== 'uscc' && (claimed as readonly string[]).includes(f));
}

export const registryLagMessage =
  '工商登记信息尚未显示变更后的内容（登记机关的数据更新可能需要几天）。您可以继续办理：请在最后一步上传变更后的营业执照副本和变更证明，审核员将人工核对。';
