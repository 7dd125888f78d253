/** The staff console's frame: platform name, who is logged in with their roles, 退出, and the menu by role. */
import { AccountBookOutlined, AuditOutlined, DashboardOutlined, LogoutOutlined, SafetyCertificateOutlined, SettingOutlined } from '@ant-design/icons';
import { App, Button, Flex, Layout, Menu, Result, Tag, type MenuProps } from 'antd';
import type { ReactNode } from 'react';
import type { StaffRole } from '../../../src/domain/principal.ts';
import { Navigate, Outlet, useLocation, useNavigate } from 'react-router-dom';
import { errorMessage } from '../api';
import { useStaff, useStaffSession } from './session';
import { a } from './adminStrings';
import { ps, s } from './strings';
import './console.css';

/** 系统管理's pages, in menu order; the first is where an admin-only account lands. */
export const adminMenu = [
  ['/console/admin/staff', a.menuStaff],
  ['/console/admin/projects', a.menuProjects],
  ['/console/admin/prices', a.menuPrices],
  ['/console/admin/contracts', a.menuContracts],
  ['/console/admin/sms', a.menuSms],
  ['/console/admin/platforms', a.menuPlatforms],
] as const;

export function ConsoleLayout() {
  const staff = useStaff();
  const { logout } = useStaffSession();
  const { message } = App.useApp();
  const location = useLocation();
  const navigate = useNavigate();
  const items: NonNullable<MenuProps['items']> = [];
  if (staff.roles.includes('admin') || staff.roles.includes('finance')) {
    items.push({ key: '/console/dashboard', label: '运营看板', icon: <DashboardOutlined aria-hidden /> });
  }
  if (staff.roles.includes('reviewer')) {
    items.push({ key: 'review', label: s.menuReview, icon: <AuditOutlined aria-hidden />, children: [{ key: '/console/review', label: s.menuReviewQueue }] });
  }
  if (staff.roles.includes('finance')) {
    items.push({ key: 'finance', label: '财务管理', icon: <AccountBookOutlined aria-hidden />, children: [{ key: '/console/finance', label: '到账与退款' }, { key: '/console/finance/invoices', label: '发票管理' }] });
  }
  if (staff.roles.includes('producer')) {
    items.push({
      key: 'production',
      label: ps.menu,
      icon: <SafetyCertificateOutlined aria-hidden />,
      children: [
        { key: '/console/production', label: ps.menuQueue },
        { key: '/console/revocations', label: ps.menuRevocations },
      ],
    });
  } else if (staff.roles.includes('admin')) {
    items.push({ key: 'production', label: ps.menu, icon: <SafetyCertificateOutlined aria-hidden />, children: [{ key: '/console/revocations', label: ps.menuRevocations }] });
  }
  if (staff.roles.includes('admin')) {
    items.push({ key: 'admin', label: a.menu, icon: <SettingOutlined aria-hidden />, children: adminMenu.map(([key, label]) => ({ key, label })) });
  }
  // The menu entry whose page (or one below it) is open.
  const selected = ['/console/dashboard', '/console/review', '/console/finance/invoices', '/console/finance', '/console/production', '/console/revocations', ...adminMenu.map(([key]) => key)].filter(
    (key) => location.pathname === key || location.pathname.startsWith(`${key}/`),
  ).slice(0, 1); // the most specific first: 发票管理 lies under 到账与退款's path
  return (
    <Layout className="console">
      <Layout.Header className="console-header">
        <span className="console-header-title">{s.consoleTitle}</span>
        <Flex align="center" gap={12} className="console-header-user">
          <span>{staff.displayName}</span>
          {staff.roleLabels.map((r) => (
            <Tag key={r} color="blue">
              {r}
            </Tag>
          ))}
          <Button
            icon={<LogoutOutlined aria-hidden />}
            onClick={() => {
              logout().then(
                () => navigate('/console/login', { replace: true }),
                (err: unknown) => message.error(errorMessage(err)),
              );
            }}
          >
            {s.logout}
          </Button>
        </Flex>
      </Layout.Header>
      <Layout>
        {items.length > 0 && (
          <Layout.Sider width={220} theme="light">
            <Menu
              mode="inline"
              items={items}
              defaultOpenKeys={['review', 'finance', 'production', 'admin']}
              selectedKeys={selected}
              onClick={({ key }) => navigate(key)}
            />
          </Layout.Sider>
        )}
        <Layout.Content className="console-content">
          <Outlet />
        </Layout.Content>
      </Layout>
    </Layout>
  );
}

/** Where /console leads: the first function the account's roles allow, or 暂无可用功能. */
export function ConsoleHome() {
  const staff = useStaff();
  if (staff.roles.includes('reviewer')) return <Navigate to="/console/review" replace />;
  if (staff.roles.includes('finance')) return <Navigate to="/console/finance" replace />;
  if (staff.roles.includes('admin')) return <Navigate to={adminMenu[0][0]} replace />;
  if (staff.roles.includes('producer')) return <Navigate to="/console/production" replace />;
  return <Result status="info" title={s.noFeatures} subTitle={s.noFeaturesHint} />;
}

/** For pages a role opens: anyone else sees 暂无可用功能. */
export function RequireRole({ role, children }: { role: StaffRole | readonly StaffRole[]; children: ReactNode }) {
  const staff = useStaff();
  const allowed = typeof role === 'string' ? [role] : role;
  if (!allowed.some((r) => staff.roles.includes(r))) return <Result status="info" title={s.noFeatures} subTitle={s.noFeaturesHint} />;
  return children;
}
