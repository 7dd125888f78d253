/**
 * The applicant's frame around every portal page: platform name, who is logged in, 退出, and the
 * menu the manual walks through (【数字证书申请】【单位证书及电子印章申请】). On a phone the menu moves
 * into a drawer so the page keeps the full width.
 */
import { LogoutOutlined, MenuOutlined, SafetyCertificateOutlined, UserOutlined } from '@ant-design/icons';
import { App, Button, Drawer, Flex, Grid, Layout, Menu, Spin, Typography, type MenuProps } from 'antd';
import { Suspense, useState } from 'react';
import { Link, Outlet, useLocation, useNavigate } from 'react-router-dom';
import { errorMessage } from '../api';
import { usePrincipal, useSession } from '../session';
import { common } from '../strings';
import { shellStrings as s } from './strings';
import './portal.css';

const MENU_GROUP_CERTIFICATES = 'certificates';

const menuItems: MenuProps['items'] = [
  {
    key: MENU_GROUP_CERTIFICATES,
    label: s.menuCertificates,
    icon: <SafetyCertificateOutlined aria-hidden />,
    children: [{ key: '/applications', label: s.menuApplications }],
  },
];

/** The menu entry a path belongs to: detail pages under /applications keep their entry lit. */
function selectedKey(pathname: string): string[] {
  return pathname.startsWith('/applications') ? ['/applications'] : [];
}

export function PortalLayout() {
  const screens = Grid.useBreakpoint();
  // Before the first measurement `md` is undefined: assume a desktop rather than flash a drawer.
  const mobile = screens.md === false;
  const [drawerOpen, setDrawerOpen] = useState(false);
  const location = useLocation();
  const navigate = useNavigate();

  const menu = (
    <Menu
      mode="inline"
      selectedKeys={selectedKey(location.pathname)}
      defaultOpenKeys={[MENU_GROUP_CERTIFICATES]}
      items={menuItems}
      onClick={({ key }) => {
        setDrawerOpen(false);
        navigate(key);
      }}
      className="portal-menu"
    />
  );

  return (
    <Layout className="portal">
      <Layout.Header className="portal-header">
        <Flex align="center" gap={12} className="portal-brand">
          {mobile && (
            <Button type="text" icon={<MenuOutlined aria-hidden />} aria-label={s.openMenu} onClick={() => setDrawerOpen(true)} />
          )}
          <Link to="/applications" className="portal-title">
            <SafetyCertificateOutlined className="portal-logo" aria-hidden />
            <span className="portal-title-text">{common.platformName}</span>
          </Link>
        </Flex>
        <AccountArea compact={mobile} />
      </Layout.Header>
      <Layout>
        {!mobile && (
          <Layout.Sider width={232} theme="light" className="portal-sider">
            {menu}
          </Layout.Sider>
        )}
        <Layout.Content className="portal-content">
          {/* The page's own chunk loads inside the frame, which stays on screen meanwhile. */}
          <Suspense fallback={<Spin size="large" className="portal-page-loading" aria-label={common.loading} />}>
            <Outlet />
          </Suspense>
        </Layout.Content>
      </Layout>
      {mobile && (
        <Drawer
          open={drawerOpen}
          onClose={() => setDrawerOpen(false)}
          placement="left"
          size={264}
          title={common.platformName}
          styles={{ body: { padding: 0 } }}
        >
          {menu}
        </Drawer>
      )}
    </Layout>
  );
}

function AccountArea({ compact }: { compact: boolean }) {
  const principal = usePrincipal();
  const { logout } = useSession();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const [leaving, setLeaving] = useState(false);

  async function leave() {
    setLeaving(true);
    try {
      await logout();
      navigate('/login', { replace: true });
    } catch (err) {
      message.error(errorMessage(err));
      setLeaving(false);
    }
  }

  return (
    <Flex align="center" gap={compact ? 4 : 16} className="portal-account">
      <Typography.Text className="portal-phone">
        {!compact && <UserOutlined aria-hidden />} {principal.phoneMasked}
      </Typography.Text>
      <Button type="text" icon={<LogoutOutlined aria-hidden />} loading={leaving} onClick={leave}>
        {s.logout}
      </Button>
    </Flex>
  );
}
