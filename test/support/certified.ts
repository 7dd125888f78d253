/**
 * A unit that already holds a certificate: an application brought to 已完成 through the
 * repositories and the domain's transition door (the first application's own path is tested in its
 * suites), a 软证书 issued by the CA service, the seal picture approved and the seal made — what a
 * 续期 starts from. Cheap: no HTTP, no SMS.
 */
import type { Principal } from '../../src/domain/principal.ts';
import * as apps from '../../src/modules/applications/repository.ts';
import { fireTransition } from '../../src/modules/applications/transitions.ts';
import type { KeyFamily } from '../../src/pki/signer.ts';
import { randomPhone, type TestApp } from './app.ts';
import { company, person } from './applicant.ts';
import { newCsr } from './csr.ts';
import { openApplicantSession, sessionClient } from './sessions.ts';

const staff = (roles: ('reviewer' | 'finance' | 'producer')[]): Principal => ({ kind: 'staff', id: '00000000-0000-4000-8000-000000000001', username: 'scenario', roles });

export interface CertifiedUnit {
  applicantId: string;
  phone: string;
  applicationId: string;
  number: string;
  /** The unit signing certificate's serial. */
  serial: string;
  notAfter: Date;
}

export async function certifiedUnit(
  t: TestApp,
  options: {
    phone?: string;
    family?: KeyFamily;
    legalRepresentative?: string;
    projectId?: string;
    /** Issued from a USB key's CSR with this serial recorded (as the 制证员 enters it), instead of a 软证书. */
    usbKeySerial?: string;
    /** The 经办人's phone on record (the registry person's by default). */
    operatorPhone?: string;
  } = {},
): Promise<CertifiedUnit> {
  const phone = options.phone ?? randomPhone();
  const session = await openApplicantSession(t, phone);
  const applicant: Principal = { kind: 'applicant', id: session.applicantId, phone };
  const db = t.certdesk.database.db;
  const now = t.clock();
  const app = await db.transaction(async (tx) => {
    const draft = await apps.insertDraft(tx, {
      number: await apps.nextNumber(tx, now),
      applicantId: session.applicantId,
      step: 'project_attachments',
      applicantType: 'enterprise',
      operatorName: person.name,
      operatorIdNumber: person.idNumber,
      operatorPhone: options.operatorPhone ?? person.phone,
      operatorVerifiedAt: now,
      orgName: company.name,
      uscc: company.uscc,
      legalRepresentative: options.legalRepresentative ?? company.legalRepresentative,
      orgVerifiedAt: now,
      registryOutcome: 'match',
      projectId: options.projectId ?? 'nmg-etax',
      invoice: { wanted: false },
      delivery: { method: 'pickup' },
      priceKind: 'first',
      priceFen: 195_00,
      termYears: 1,
      createdAt: now,
      updatedAt: now,
    });
    let row = await fireTransition(tx, draft, 'submit', applicant, now);
    row = await fireTransition(tx, row, 'approve', staff(['reviewer']), now);
    row = await fireTransition(tx, row, 'submit_voucher', applicant, now);
    row = await fireTransition(tx, row, 'confirm_payment', staff(['finance']), now);
    return fireTransition(tx, row, 'start_production', staff(['producer']), now);
  });
  const issued = await t.certdesk.ca.ca.issueForApplication(
    staff(['producer']),
    app.id,
    options.usbKeySerial
      ? { mode: 'csr', csrPem: newCsr(options.family ?? 'sm2').pem, usbKeySerial: options.usbKeySerial }
      : { mode: 'software', family: options.family ?? 'sm2' },
  );
  if ((options.family ?? 'sm2') === 'sm2') {
    await t.certdesk.ca.seals.approve({ kind: 'applicant', id: session.applicantId, phone }, app.id);
    await t.certdesk.ca.seals.make(staff(['producer']), app.id);
  }
  await db.transaction(async (tx) => {
    const locked = await apps.lockById(tx, app.id);
    const ready = await fireTransition(tx, locked!, 'ready_for_pickup', staff(['producer']), now);
    await fireTransition(tx, ready, 'hand_over', staff(['producer']), now);
  });
  const signing = issued.certificates.find((c) => c.profile === 'unitSigning')!;
  return { applicantId: session.applicantId, phone, applicationId: app.id, number: app.number, serial: signing.serialHex, notAfter: signing.notAfter };
}

/** A client logged in as the unit's applicant. */
export async function holderClient(t: TestApp, unit: CertifiedUnit) {
  const client = sessionClient(t, await openApplicantSession(t, unit.phone));
  client.phone = unit.phone;
  return client;
}
