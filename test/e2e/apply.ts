/**
 * Steps of the application wizard (申请) that several browser tests share, worded as the manual
 * words them: 实名认证, 企业认证, 本人已同意签署合同, 确认, 上传附件, 提交, 证书用途, 下一步 …
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { RegisteredOrganisation, RegisteredPerson, UnlistedInstitution } from '../../src/providers/registry/fixtures.ts';
import { newPage, screenshot } from '../support/browser.ts';
import { jpegScan } from '../support/images.ts';
import type { PortalSuite } from './portal.ts';

/** Upload tests take a while on two cores: logging in, the registry, six uploads. */
export const WIZARD_TIMEOUT = 240_000;
/** A whole order, from 申请 to 已完成, with four people's pages. */
export const JOURNEY_TIMEOUT = 480_000;

export type Person = Pick<RegisteredPerson, 'name' | 'idNumber' | 'phone'>;
export type Organisation = Pick<RegisteredOrganisation, 'name' | 'uscc' | 'legalRepresentative'> | UnlistedInstitution;

/**
 * Runs `work` on a fresh page; when it fails, the page as it stood goes to
 * test-results/failed-<name>.png before the context closes.
 */
export async function withPage(
  suite: PortalSuite,
  name: string,
  work: (page: Page) => Promise<void>,
  viewport?: { width: number; height: number },
): Promise<void> {
  const { context, page } = await newPage(suite.browser, suite.app.url, viewport);
  try {
    await work(page);
  } catch (err) {
    await screenshot(page, `failed-${name}.png`).catch(() => undefined);
    throw err;
  } finally {
    await context.close();
  }
}

/** A folder for the files a test "picks" in the file dialog. */
export async function scanFolder(): Promise<(name: string, data: Buffer) => Promise<string>> {
  const dir = await mkdtemp(path.join(tmpdir(), 'certdesk-scans-'));
  return async (name, data) => {
    const file = path.join(dir, name);
    await writeFile(file, data);
    return file;
  };
}

/** From the list page: 申请 → the 实名认证 step. */
export async function startApplication(page: Page): Promise<void> {
  await page.getByRole('button', { name: '申请', exact: true }).click();
  await page.waitForURL('**/applications/new');
  await page.getByRole('button', { name: '实名认证', exact: true }).waitFor();
}

export async function fillOperator(page: Page, type: '企业申请' | '事业单位申请', person: Person): Promise<void> {
  await page.getByText(type, { exact: true }).click();
  await page.getByLabel('经办人姓名').fill(person.name);
  await page.getByLabel('身份证号').fill(person.idNumber);
  await page.getByLabel('手机号', { exact: true }).fill(person.phone);
}

/** 实名认证 of the operator; resolves once the draft exists (the URL names it). */
export async function verifyOperator(page: Page, type: '企业申请' | '事业单位申请', person: Person): Promise<string> {
  await fillOperator(page, type, person);
  await page.getByRole('button', { name: '实名认证', exact: true }).click();
  await page.getByText('经办人实名认证成功').waitFor();
  await page.waitForURL(/\/applications\/[0-9a-f-]{36}$/);
  return new URL(page.url()).pathname.split('/').at(-1) ?? '';
}

export async function fillOrganisation(page: Page, org: Organisation): Promise<void> {
  await page.getByLabel('单位名称').fill(org.name);
  await page.getByLabel('统一社会信用代码').fill(org.uscc);
  await page.getByLabel('法定代表人').fill(org.legalRepresentative);
}

export async function verifyOrganisation(page: Page, org: Organisation): Promise<void> {
  await fillOrganisation(page, org);
  await page.getByRole('button', { name: '企业认证', exact: true }).click();
}

/** The number the wizard shows under its title (申请单号：CD…). */
export async function applicationNumber(page: Page): Promise<string> {
  const text = await page.getByText(/^申请单号：CD\d+$/).textContent();
  return text?.replace('申请单号：', '') ?? '';
}

/** 电子合同 or 阅读合同: tick the box, 确认. */
export async function acceptContract(page: Page, box: '本人已同意签署合同' | '本人已阅读并确认，同意签署合同' | '本人已阅读合同'): Promise<void> {
  await page.getByRole('checkbox', { name: box }).check();
  await page.getByRole('button', { name: '确认', exact: true }).click();
}

/** The upload card of one attachment, found by its label. */
export function uploadCard(page: Page, label: string): Locator {
  return page.getByRole('group', { name: label, exact: true });
}

/** Picks `file` in the card's file dialog (no waiting). */
export async function pickFile(page: Page, label: string, file: string): Promise<void> {
  await uploadCard(page, label).locator('input[type=file]').setInputFiles(file);
}

/** Waits until the card shows a scan on file, its thumbnail loaded. */
export async function waitForUploaded(page: Page, label: string): Promise<void> {
  const card = uploadCard(page, label);
  await card.getByText('已上传', { exact: true }).waitFor();
  const thumb = card.getByRole('img', { name: label, exact: true });
  await thumb.waitFor();
  await expect.poll(() => thumb.evaluate((el) => el instanceof HTMLImageElement && el.complete && el.naturalWidth > 0)).toBe(true);
}

/** Picks `file` (a card not yet on file) and waits until the card shows it. */
export async function uploadScan(page: Page, label: string, file: string): Promise<void> {
  await pickFile(page, label, file);
  await waitForUploaded(page, label);
}

/** Uploads a JPEG scan for each label. */
export async function uploadScans(page: Page, save: (name: string, data: Buffer) => Promise<string>, labels: string[]): Promise<void> {
  for (const [i, label] of labels.entries()) {
    await uploadScan(page, label, await save(`scan-${i}.jpg`, await jpegScan(`scan ${i}`)));
  }
}

/** 证书用途: opens the select and picks the project by its name. */
export async function chooseProject(page: Page, project: string): Promise<void> {
  await page.getByLabel('证书用途').click();
  await page.getByTitle(project, { exact: true }).click();
}

export const enterpriseBaseLabels = ['营业执照副本扫描件', '企业印章', '法定代表人身份证件（人像面）', '法定代表人身份证件（国徽面）'];

/** The row of the list page that shows this 申请单号. */
export function listRow(page: Page, number: string): Locator {
  return page.getByRole('row').filter({ hasText: number });
}
