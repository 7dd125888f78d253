/**
 * The staff console behind its login: the frame and every page, one chunk that the console's
 * login page fetches only once a member of staff is in (ConsoleApp.tsx).
 */
import { Spin } from 'antd';
import { Suspense } from 'react';
import { Navigate, Route, Routes } from 'react-router-dom';
import { lazyPage } from '../lazyPage';
import { NotFoundPage } from '../NotFoundPage';
import { AdminContractsPage } from './AdminContractsPage';
import { AdminPlatformsPage } from './AdminPlatformsPage';
import { AdminPricesPage } from './AdminPricesPage';
import { AdminProjectsPage } from './AdminProjectsPage';
import { AdminSmsPage } from './AdminSmsPage';
import { AdminStaffPage } from './AdminStaffPage';
import { ConsoleHome, ConsoleLayout, RequireRole } from './ConsoleLayout';
import { FinancePage } from './FinancePage';
import { InvoicesPage } from './InvoicesPage';
import { ProductionDetailPage } from './ProductionDetailPage';
import { ProductionQueuePage } from './ProductionQueuePage';
import { ReviewDetailPage } from './ReviewDetailPage';
import { ReviewQueuePage } from './ReviewQueuePage';
import { RevocationRequestsPage } from './RevocationRequestsPage';
import { RequireStaff } from './session';

/** 运营看板 carries the chart library: its own chunk, fetched when opened. */
const DashboardPage = lazyPage(() => import('./DashboardPage'), 'DashboardPage');

/** 系统管理: paths under /console, as the menu (ConsoleLayout's adminMenu) links to them. */
const adminPages = [
  ['admin/staff', <AdminStaffPage />],
  ['admin/projects', <AdminProjectsPage />],
  ['admin/prices', <AdminPricesPage />],
  ['admin/contracts', <AdminContractsPage />],
  ['admin/sms', <AdminSmsPage />],
  ['admin/platforms', <AdminPlatformsPage />],
] as const;

export function ConsoleWorkspace() {
  return (
    <Routes>
      <Route
        element={
          <RequireStaff>
            <ConsoleLayout />
          </RequireStaff>
        }
      >
        <Route index element={<ConsoleHome />} />
        <Route
          path="review"
          element={
            <RequireRole role="reviewer">
              <ReviewQueuePage />
            </RequireRole>
          }
        />
        <Route
          path="review/:id"
          element={
            <RequireRole role="reviewer">
              <ReviewDetailPage />
            </RequireRole>
          }
        />
        <Route
          path="revocations"
          element={
            <RequireRole role={['producer', 'admin']}>
              <RevocationRequestsPage />
            </RequireRole>
          }
        />
        <Route
          path="finance"
          element={
            <RequireRole role="finance">
              <FinancePage />
            </RequireRole>
          }
        />
        <Route
          path="finance/invoices"
          element={
            <RequireRole role="finance">
              <InvoicesPage />
            </RequireRole>
          }
        />
        <Route
          path="dashboard"
          element={
            <RequireRole role={['admin', 'finance']}>
              <Suspense fallback={<Spin size="large" aria-label="加载中" />}>
                <DashboardPage />
              </Suspense>
            </RequireRole>
          }
        />
        {adminPages.map(([path, page]) => (
          <Route key={path} path={path} element={<RequireRole role="admin">{page}</RequireRole>} />
        ))}
        <Route
          path="production"
          element={
            <RequireRole role="producer">
              <ProductionQueuePage />
            </RequireRole>
          }
        />
        <Route
          path="production/:id"
          element={
            <RequireRole role="producer">
              <ProductionDetailPage />
            </RequireRole>
          }
        />
        <Route path="home" element={<Navigate to="/console" replace />} />
      </Route>
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}
