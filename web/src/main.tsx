/**
 * Entry of the web front-end: Chinese locale for antd and dayjs, the session, and the routes.
 * Only the login page is in the entry: the portal's pages, the staff console and /verify are
 * separate chunks loaded when their route is first opened (issue 17: a visitor of the login page
 * downloads the login page only).
 */
import { LoadingOutlined } from '@ant-design/icons';
import { App as AntApp, ConfigProvider } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router-dom';
import { FullPageSpin } from './components/FullPageSpin';
import { lazyPage as page } from './lazyPage';
import { LoginPage } from './portal/LoginPage';
import { RequireApplicant, SessionProvider } from './session';
import { theme } from './theme';
import './global.css';

const ConsoleApp = page(() => import('./console/ConsoleApp'), 'ConsoleApp');
const NotFoundPage = page(() => import('./NotFoundPage'), 'NotFoundPage');
const ApplicationsPage = page(() => import('./portal/ApplicationsPage'), 'ApplicationsPage');
const ApplicationDetailPage = page(() => import('./portal/apply/ApplicationDetailPage'), 'ApplicationDetailPage');
const ApplyWizard = page(() => import('./portal/apply/ApplyWizard'), 'ApplyWizard');
const PortalLayout = page(() => import('./portal/PortalLayout'), 'PortalLayout');
const VerifyPage = page(() => import('./verify/VerifyPage'), 'VerifyPage');

dayjs.locale('zh-cn');

const buttonConfig = {
  // The manual's buttons read 申请 and 退出, not antd's spaced 申 请 and 退 出.
  autoInsertSpace: false,
  // antd's own spinner carries the English name "loading" into the button's accessible name,
  // and its exit animation can keep it there after loading ends.
  loadingIcon: <LoadingOutlined aria-hidden />,
};

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');

createRoot(root).render(
  <StrictMode>
    <ConfigProvider locale={zhCN} theme={theme} button={buttonConfig}>
      <AntApp>
        <BrowserRouter>
          <SessionProvider>
            <Suspense fallback={<FullPageSpin />}>
              <Routes>
                <Route path="/login" element={<LoginPage />} />
                {/* Public: anyone verifies a certificate, seal or signed PDF without logging in. */}
                <Route path="/verify" element={<VerifyPage />} />
                <Route path="/" element={<Navigate to="/applications" replace />} />
                <Route
                  element={
                    <RequireApplicant>
                      <PortalLayout />
                    </RequireApplicant>
                  }
                >
                  <Route path="/applications" element={<ApplicationsPage />} />
                  {/* One route for /applications/new and a draft's id, so that naming the new draft keeps the page. */}
                  <Route path="/applications/:id" element={<ApplyWizard />} />
                  <Route path="/applications/:id/view" element={<ApplicationDetailPage />} />
                </Route>
                <Route path="/console/*" element={<ConsoleApp />} />
                <Route path="*" element={<NotFoundPage />} />
              </Routes>
            </Suspense>
          </SessionProvider>
        </BrowserRouter>
      </AntApp>
    </ConfigProvider>
  </StrictMode>,
);
