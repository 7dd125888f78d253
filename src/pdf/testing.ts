/**
 * Fixtures for the PDF tests and the benchmark: a throwaway CA and document-signing certificate
 * made with the openssl CLI by pki/test-openssl.ts (the library is checked against certificates
 * it did not make itself; the real ones come from pki/), a seal image drawn with sharp, and a contract filled
 * from the template the database is seeded with.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { fillTemplate } from '../modules/contracts/service.ts';
import type { Signer } from '../pki/signer.ts';
import { opensslRootCa } from '../pki/test-openssl.ts';
import type { ContractInput } from './contract.ts';
import { findCjkFont } from './fonts.ts';

/**
 * Whether a PDF test file must be skipped here because a CJK font (when `font`) or one of
 * `tools` in /usr/bin is missing; says so on the console. Never in CI: there the tests run and
 * fail, naming what is missing.
 */
export function skipWithout(what: string, needs: { font?: boolean; tools: readonly string[] }): boolean {
  const missing = needs.tools.filter((tool) => !existsSync(`/usr/bin/${tool}`));
  if (needs.font === true) {
    try {
      findCjkFont();
    } catch {
      missing.push('中文字体 / CJK font');
    }
  }
  const skip = missing.length > 0 && !process.env['CI'];
  if (skip) console.warn(`[pdf] 缺少 ${missing.join(', ')}，跳过${what} / skipping`);
  return skip;
}

export interface TestCa {
  dir: string;
  /** The root's PEM file, for certutil. */
  caPemPath: string;
  caDer: Uint8Array;
  certificateDer: Uint8Array;
  signer: Signer;
}

/**
 * A root CA and, under it, a document-signing certificate (digitalSignature and
 * nonRepudiation) whose subject names `organisation`; `extendedKeyUsage` is added when given.
 */
export function makeTestCa(
  opts: { organisation?: string; commonName?: string; extendedKeyUsage?: string } = {},
): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'certdesk-pdf-ca-'));
  const organisation = opts.organisation ?? 'CertDesk 数字证书认证中心';
  const commonName = opts.commonName ?? 'CertDesk 电子合同签章';
  const ca = opensslRootCa(dir, '/C=CN/O=CertDesk 数字证书认证中心/CN=CertDesk 测试根证书');
  const ext = [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,nonRepudiation',
    'subjectKeyIdentifier=hash',
    'authorityKeyIdentifier=keyid',
    ...(opts.extendedKeyUsage === undefined ? [] : [`extendedKeyUsage=${opts.extendedKeyUsage}`]),
  ];
  const ee = ca.issue('ee', `/C=CN/O=${organisation}/CN=${commonName}`, `${ext.join('\n')}\n`);
  return { dir, caPemPath: ca.pemPath, caDer: ca.der, certificateDer: ee.der, signer: ee.signer };
}

/** An NSS database in `dir` that trusts the CA (the PEM file `caPemPath`), for `pdfsig -nssdir`. */
export function trustInNss(ca: Pick<TestCa, 'dir' | 'caPemPath'>): string {
  const db = join(ca.dir, 'nss');
  execFileSync('mkdir', ['-p', db]);
  execFileSync('certutil', ['-N', '-d', `sql:${db}`, '--empty-password']);
  execFileSync('certutil', ['-A', '-d', `sql:${db}`, '-n', 'certdesk-test-ca', '-t', 'CT,C,C', '-i', ca.caPemPath]);
  return `sql:${db}`;
}

/** A red seal: a ring, a star, the CA's name round the rim and 电子合同专用章 below. */
export async function drawTestSeal(name = 'CertDesk数字证书认证中心', px = 480): Promise<Uint8Array> {
  const c = px / 2;
  const chars = Array.from(name);
  const sweep = 240;
  const letters = chars
    .map((ch, i) => {
      const angle = -sweep / 2 + (sweep / Math.max(chars.length - 1, 1)) * i;
      return `<text x="${c}" y="${px * 0.2}" transform="rotate(${angle} ${c} ${c})" font-size="${px * 0.085}" text-anchor="middle">${ch}</text>`;
    })
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${px}" height="${px}">
    <g fill="#d7191c" stroke="none" font-family="Droid Sans Fallback, sans-serif" opacity="0.92">
      <circle cx="${c}" cy="${c}" r="${c - px * 0.03}" fill="none" stroke="#d7191c" stroke-width="${px * 0.035}"/>
      <polygon points="${star(c, c, px * 0.14, px * 0.055)}"/>
      ${letters}
      <text x="${c}" y="${px * 0.78}" font-size="${px * 0.075}" text-anchor="middle">电子合同专用章</text>
    </g></svg>`;
  return new Uint8Array(await sharp(Buffer.from(svg)).png().toBuffer());
}

function star(cx: number, cy: number, outer: number, inner: number): string {
  return Array.from({ length: 10 }, (_, i) => {
    const r = i % 2 === 0 ? outer : inner;
    const a = -Math.PI / 2 + (i * Math.PI) / 5;
    return `${(cx + r * Math.cos(a)).toFixed(1)},${(cy + r * Math.sin(a)).toFixed(1)}`;
  }).join(' ');
}

/** The contract template the database is seeded with (migrations/0002_catalogue.sql). */
export function seededTemplate(): { title: string; body: string } {
  const sql = readFileSync(join(import.meta.dirname, '../../migrations/0002_catalogue.sql'), 'utf8');
  const match = /\(1, '([^']+)', \$contract\$([\s\S]*?)\$contract\$/.exec(sql);
  if (match === null) throw new Error('contract template not found in migrations/0002_catalogue.sql');
  return { title: match[1]!, body: match[2]! };
}

/** A contract for 张晓燕 of a long-named public institution, filled from the seeded template. */
export function sampleContract(sealPng: Uint8Array, overrides: Partial<ContractInput> = {}): ContractInput {
  const template = seededTemplate();
  const parties = {
    applicationNumber: 'CD20261125000123',
    orgName: '内蒙古自治区呼和浩特市赛罕区教育局直属机关事务服务中心',
    uscc: '12150105MB1234567X',
    legalRepresentative: '王建国',
    operatorName: '张晓燕',
    operatorIdNumber: '150105199003152345',
    operatorPhone: '13847112345',
    caName: 'CertDesk 数字证书认证中心',
    firstPriceFen: 50000,
    renewalPriceFen: 30000,
    ...(overrides.organisation === undefined ? {} : { orgName: overrides.organisation.name }),
    ...(overrides.operator === undefined ? {} : { operatorName: overrides.operator.name }),
  };
  const text = fillTemplate(template.body, parties);
  return {
    title: template.title,
    text,
    version: 1,
    textSha256: createHash('sha256').update(text, 'utf8').digest('hex'),
    applicationNumber: parties.applicationNumber,
    organisation: { name: parties.orgName, uscc: parties.uscc },
    operator: { name: parties.operatorName, idNumber: parties.operatorIdNumber, phone: parties.operatorPhone },
    caName: parties.caName,
    readAt: new Date('2026-11-25T06:21:40Z'),
    agreedAt: new Date('2026-11-25T06:24:03Z'),
    signedAt: new Date('2026-11-25T06:24:05Z'),
    sealPng,
    ...overrides,
  };
}

export interface PdfsigReport {
  raw: string;
  signatures: number;
  valid: boolean;
  digestMismatch: boolean;
  trusted: boolean;
  totalDocumentSigned: boolean;
  commonName?: string;
  signingTime?: string;
}

const pdfsigArgs = (file: string, nssDir?: string): string[] => [...(nssDir === undefined ? [] : ['-nssdir', nssDir]), file];
const pdfsigEnv = { ...process.env, TZ: 'UTC' };

/** What poppler's pdfsig says of the first signature (times in UTC). */
export function pdfsig(file: string, nssDir?: string): PdfsigReport {
  const result = spawnSync('pdfsig', pdfsigArgs(file, nssDir), { encoding: 'utf8', env: pdfsigEnv });
  return pdfsigReport(`${result.stdout}${result.stderr}`);
}

/** `pdfsig` without blocking the event loop, for when it must reach a server in this process (OCSP). */
export async function pdfsigAsync(file: string, nssDir?: string): Promise<PdfsigReport> {
  const output = await new Promise<string>((resolve) => {
    execFile('pdfsig', pdfsigArgs(file, nssDir), { encoding: 'utf8', env: pdfsigEnv }, (_error, stdout, stderr) =>
      resolve(`${stdout}${stderr}`),
    );
  });
  return pdfsigReport(output);
}

function pdfsigReport(raw: string): PdfsigReport {
  const first = raw.split(/Signature #2:/)[0] ?? '';
  return {
    raw,
    signatures: (raw.match(/^Signature #\d+:/gm) ?? []).length,
    valid: first.includes('Signature is Valid.'),
    digestMismatch: first.includes('Digest Mismatch.'),
    trusted: first.includes('Certificate is Trusted.'),
    totalDocumentSigned: first.includes('Total document signed'),
    ...optional('commonName', /Signer Certificate Common Name: (.+)/.exec(first)?.[1]),
    ...optional('signingTime', /Signing Time: (.+)/.exec(first)?.[1]),
  };
}

const optional = <K extends string>(key: K, value: string | undefined): { [P in K]?: string } =>
  (value === undefined ? {} : { [key]: value.trim() }) as { [P in K]?: string };
