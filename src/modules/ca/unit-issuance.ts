/**
 * What a unit receives when the producer issues for its application: the unit signing certificate
 * (for the USB key's CSR key, or for a key made here and handed over in a PKCS#12) and, for SM2,
 * the encryption certificate of the dual pair (GM/T 0015 双证书). The encryption key pair is made
 * here, as a key management centre does: same subject and validity, its private key sealed to the
 * USB key's signing key in a GM/T 0009 envelope (the producer writes it into the USB key) or put
 * beside the signing key in the same PKCS#12, and handed back as PKCS#8 for the KM archive.
 * Which families get a dual pair is profile data: those the unitEncryption profile accepts.
 * This file signs; storing, archiving and auditing are the service's.
 */
import { issueCertificate, randomSerial, type IssueRequest } from '../../pki/certificate.ts';
import { serialToHex } from '../../pki/issuer.ts';
import { sm2PrivateKey } from '../../pki/keys.ts';
import { issueSoftwareCertificate } from '../../pki/pkcs12.ts';
import { profiles, type ProfileName } from '../../pki/profiles.ts';
import type { KeyFamily } from '../../pki/signer.ts';
import { sealEnvelopedKey } from '../../pki/sm2-envelope.ts';
import { exportSm2Pkcs8, generateSm2Key, sm2PublicKeyFromSpki, sm2Spki } from '../../pki/sm2.ts';

/** What every certificate of one issuance shares: subject, issuer, validity, URLs. */
export type UnitRequest = Omit<IssueRequest, 'profile' | 'subjectSpki' | 'serial'>;

export type KeySource = { kind: 'csr'; family: KeyFamily; spki: Uint8Array } | { kind: 'software'; family: KeyFamily; chain: readonly Uint8Array[] };

export interface SignedCertificate {
  readonly der: Uint8Array;
  readonly serialHex: string;
  readonly profile: ProfileName;
  /** The other certificate of a dual pair. */
  readonly pairSerialHex?: string;
}

export interface UnitIssuance {
  /** The signing certificate first, then the encryption certificate of a dual pair. */
  readonly certificates: readonly SignedCertificate[];
  /** The dual pair's encryption private key (PKCS#8), for the KM archive only. */
  readonly encryptionKey?: Uint8Array;
  readonly p12?: { readonly der: Uint8Array; readonly password: string };
  /** GM/T 0009 SM2EnvelopedKey of the encryption key, sealed to the CSR's (signing) key. */
  readonly envelope?: Uint8Array;
}

/** Friendly names of the two key bags of a dual pair's PKCS#12 (what certificate stores list). */
const bagNames = { signing: '签名', encryption: '加密' } as const;

export function hasDualPair(family: KeyFamily): boolean {
  return profiles.unitEncryption.families.includes(family);
}

export function issueUnitCertificates(request: UnitRequest, source: KeySource): UnitIssuance {
  const signingSerial = randomSerial();
  const signing = { ...request, profile: profiles.unitSigning, serial: signingSerial };
  if (!hasDualPair(source.family)) {
    if (source.kind === 'csr') return { certificates: [{ der: issueCertificate({ ...signing, subjectSpki: source.spki }), serialHex: serialToHex(signingSerial), profile: 'unitSigning' }] };
    const soft = issueSoftwareCertificate(source.family, signing, source.chain);
    return { certificates: [{ der: soft.certificate, serialHex: serialToHex(signingSerial), profile: 'unitSigning' }], p12: { der: soft.p12, password: soft.password } };
  }

  const encryptionKey = generateSm2Key();
  const encryptionSerial = randomSerial();
  const encryptionDer = issueCertificate({ ...request, profile: profiles.unitEncryption, serial: encryptionSerial, subjectSpki: sm2Spki(encryptionKey.publicKey) });
  const pair = (signingDer: Uint8Array): SignedCertificate[] => [
    { der: signingDer, serialHex: serialToHex(signingSerial), profile: 'unitSigning', pairSerialHex: serialToHex(encryptionSerial) },
    { der: encryptionDer, serialHex: serialToHex(encryptionSerial), profile: 'unitEncryption', pairSerialHex: serialToHex(signingSerial) },
  ];
  const archived = exportSm2Pkcs8(encryptionKey);
  if (source.kind === 'csr') {
    return {
      certificates: pair(issueCertificate({ ...signing, subjectSpki: source.spki })),
      encryptionKey: archived,
      envelope: sealEnvelopedKey(sm2PublicKeyFromSpki(source.spki), encryptionKey),
    };
  }
  const soft = issueSoftwareCertificate(source.family, signing, source.chain, {
    friendlyName: bagNames.signing,
    companions: [{ key: sm2PrivateKey(encryptionKey), certificate: encryptionDer, friendlyName: bagNames.encryption }],
  });
  return { certificates: pair(soft.certificate), encryptionKey: archived, p12: { der: soft.p12, password: soft.password } };
}
