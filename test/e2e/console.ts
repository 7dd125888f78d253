/**
 * The staff console in the browser tests: a member of staff with the given roles, logged in
 * through the real password + authenticator binding, on a page of their own; and the queues, where
 * an order is found as staff find it — by its 申请单号 (CI's PostgreSQL keeps earlier runs' orders).
 */
import type { Locator, Page } from 'playwright-core';
import type { StaffRole } from '../../src/domain/principal.ts';
import { newPage, screenshot } from '../support/browser.ts';
import { newStaffAccount } from '../support/staff.ts';
import { consoleFirstLogIn, type PortalSuite } from './portal.ts';

export interface StaffPage {
  page: Page;
  close(): Promise<void>;
}

/** A new account with `roles`, logged in at /console on a page of its own. */
export async function staffPage(suite: PortalSuite, roles: StaffRole[], now: () => Date = () => new Date()): Promise<StaffPage> {
  const account = await newStaffAccount(suite.app, roles, now());
  const { context, page } = await newPage(suite.browser, suite.app.url);
  await consoleFirstLogIn(page, account.username, now);
  return { page, close: () => context.close() };
}

/** Runs `work` with a staff page; on failure the page goes to test-results/failed-<name>.png. */
export async function asStaff(suite: PortalSuite, roles: StaffRole[], name: string, work: (page: Page) => Promise<void>): Promise<void> {
  const staff = await staffPage(suite, roles);
  try {
    await work(staff.page);
  } catch (err) {
    await screenshot(staff.page, `failed-${name}.png`).catch(() => undefined);
    throw err;
  } finally {
    await staff.close();
  }
}

/** The queue's row of this 申请单号, searched for as staff search. */
export async function queueRow(page: Page, number: string): Promise<Locator> {
  await page.getByPlaceholder('申请单号或单位名称').fill(number);
  await page.getByRole('button', { name: '查询' }).click();
  const row = page.getByRole('row').filter({ hasText: number });
  await row.waitFor();
  return row;
}
