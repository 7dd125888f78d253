/**
 * Which scans an application needs. The base set depends on the applicant type (the manual's
 * 上传附件 step); each project (所属项目) adds its own, per applicant type, as catalogue data.
 */
import type { ApplicantType } from './application.ts';

export const attachmentKinds = [
  'business_licence',
  'institution_certificate',
  'org_seal',
  'legal_rep_id_front',
  'legal_rep_id_back',
  'legal_rep_personal_seal',
  'legal_rep_signature',
  'application_form',
  'authorisation_letter',
  'change_proof',
] as const;
export type AttachmentKind = (typeof attachmentKinds)[number];

export function isAttachmentKind(value: string): value is AttachmentKind {
  return (attachmentKinds as readonly string[]).includes(value);
}

export function attachmentLabel(kind: AttachmentKind, type: ApplicantType): string {
  switch (kind) {
    case 'business_licence':
      return '营业执照副本扫描件';
    case 'institution_certificate':
      return '事业单位法人证书';
    case 'org_seal':
      return type === 'enterprise' ? '企业印章' : '单位印章';
    case 'legal_rep_id_front':
      return '法定代表人身份证件（人像面）';
    case 'legal_rep_id_back':
      return '法定代表人身份证件（国徽面）';
    case 'legal_rep_personal_seal':
      return '法人手章';
    case 'legal_rep_signature':
      return '法人签名';
    case 'application_form':
      return '申请表（加盖单位公章）';
    case 'authorisation_letter':
      return '授权委托书（加盖单位公章）';
    case 'change_proof':
      return '变更证明（登记机关出具的变更通知书等）';
  }
}

/** Hints shown beside an upload slot. */
export function attachmentHint(kind: AttachmentKind): string | undefined {
  switch (kind) {
    case 'business_licence':
      return '营业执照副本扫描件必须加盖公章';
    case 'institution_certificate':
      return '事业单位法人证书扫描件须加盖公章';
    case 'org_seal':
      return '在白纸上加盖单位公章后扫描或拍照';
    case 'legal_rep_personal_seal':
      return '在白纸上加盖法定代表人手章后扫描';
    case 'legal_rep_signature':
      return '法定代表人在白纸上手写签名后扫描';
    case 'application_form':
    case 'authorisation_letter':
      return '下载模板，填写并加盖单位公章后扫描上传';
    default:
      return undefined;
  }
}

/**
 * The papers every application needs, whatever its project. An enterprise uploads them at 上传附件
 * (before the contract is read again); a 事业单位, as the manual has it, uploads its 法人证书 with the
 * project's papers (the stamped 申请表 and 授权委托书, 法人手章, 法人签名) in the last step.
 */
export function baseAttachments(type: ApplicantType): AttachmentKind[] {
  return type === 'enterprise' ? ['business_licence', 'org_seal', 'legal_rep_id_front', 'legal_rep_id_back'] : ['institution_certificate'];
}

/** Which draft step uploads a paper: the enterprise's base papers have a step of their own. */
export function attachmentStep(type: ApplicantType, kind: AttachmentKind): 'attachments' | 'project_attachments' {
  return type === 'enterprise' && baseAttachments(type).includes(kind) ? 'attachments' : 'project_attachments';
}

/**
 * What a project may add on top of the base set: the base scans are asked of every application
 * already, so a project choosing one again would only ask twice.
 */
export const extraAttachmentKinds = [
  'legal_rep_personal_seal',
  'legal_rep_signature',
  'application_form',
  'authorisation_letter',
] as const satisfies readonly AttachmentKind[];

/** The project's extra attachments, as the catalogue lists them, keeping only kinds we know. */
export function projectAttachments(extra: Record<ApplicantType, string[]>, type: ApplicantType): AttachmentKind[] {
  return (extra[type] ?? []).filter(isAttachmentKind);
}

/** Kinds still missing, in the order the page lists them. */
export function missingAttachments(required: AttachmentKind[], present: Iterable<string>): AttachmentKind[] {
  const have = new Set(present);
  return required.filter((k) => !have.has(k));
}

/**
 * 变更: the licence as it reads now and the registry's proof of the change (变更通知书) — unless
 * only the 经办人 or the address changed, which no registered paper shows. 补办: the papers verified
 * for the lost certificate stand; nothing is asked.
 */
export function changeAttachments(kind: 'change' | 'reissue', claimed: readonly string[], type: ApplicantType): AttachmentKind[] {
  if (kind === 'reissue') return [];
  const registered = claimed.some((c) => c === 'orgName' || c === 'legalRepresentative');
  return registered ? [baseAttachments(type)[0]!, 'change_proof'] : [];
}
