/** 运营看板's calls (answers: src/modules/reports/schemas.ts), for 管理员 and 财务. */
import type { Dashboard } from '../../../src/http/contract.ts';
import { staffClient } from './api';

export type { Dashboard };
export type Dataset = 'applications' | 'payments' | 'certificates';

export const reportsApi = {
  dashboard: (from: string, to: string) => staffClient.request<Dashboard>('GET', `/api/reports/dashboard?from=${from}&to=${to}`),
  exportUrl: (dataset: Dataset, from: string, to: string, format: 'xlsx' | 'csv') => `/api/reports/export/${dataset}?from=${from}&to=${to}&format=${format}`,
};
