/** The staff console's frame: platform name, who is logged in with their roles, 退出, and the menu by role. */
import { AuditOutlined, LogoutOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import { App, Button, Flex, Layout, Menu, Result, Tag, type MenuProps } from 'antd';
import type { ReactNode } from 'react';
import { Navigate, Outlet, useLocation, useNavigate } from 'react-router-dom';
import { errorMessage } from '../api';
import { useStaff, useStaffSession } from './session';
import { ps, s } from './strings';
import './console.css';

export function ConsoleLayout() {
  const staff = useStaff();
  const { logout } = useStaffSession();
  const { message } = App.useApp();
  const location = useLocation();
  const navigate = useNavigate();
  const items: NonNullable<MenuProps['items']> = [
    ...(staff.roles.includes('reviewer')
      ? [{ key: 'review', label: s.menuReview, icon: <AuditOutlined aria-hidden />, children: [{ key: '/console/review', label: s.menuReviewQueue }] }]
      : []),
    ...(staff.roles.includes('producer')
      ? [{ key: 'production', label: ps.menu, icon: <SafetyCertificateOutlined aria-hidden />, children: [{ key: '/console/production', label: ps.menuQueue }] }]
      : []),
  ];
  const section = ['/console/review', '/console/production'].find((p) => location.pathname.startsWith(p));
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
              defaultOpenKeys={['review', 'production']}
              selectedKeys={section ? [section] : []}
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
  if (staff.roles.includes('producer')) return <Navigate to="/console/production" replace />;
  return <Result status="info" title={s.noFeatures} subTitle={s.noFeaturesHint} />;
}

/** For pages a role opens: anyone else sees 暂无可用功能. */
export function RequireRole({ role, children }: { role: string; children: ReactNode }) {
  const staff = useStaff();
  if (!staff.roles.includes(role)) return <Result status="info" title={s.noFeatures} subTitle={s.noFeaturesHint} />;
  return children;
}
