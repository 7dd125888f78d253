/**
 * 员工账户: every staff account with its roles and status; 新增员工, 停用/启用, 修改角色 and
 * 重置动态验证码. The server enforces the rules; the form checks the same ones (src/domain/staff-rules).
 */
import { PlusOutlined } from '@ant-design/icons';
import { Alert, App, Badge, Button, Checkbox, Form, Input, Modal, Popconfirm, Space, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { useState } from 'react';
import { errorMessage } from '../api';
import { passwordProblem, USERNAME_PATTERN, USERNAME_RULE } from '../../../src/domain/staff-rules';
import { adminApi, type NewStaffAccount, type StaffAccount, type StaffRole } from './adminApi';
import { AdminPage, FormError, useFormSubmit, useLoaded } from './AdminCommon';
import { a } from './adminStrings';
import { shanghaiTime } from '../format';
import { useStaff } from './session';

const roleOptions: { value: StaffRole; label: string }[] = [
  { value: 'reviewer', label: '审核员' },
  { value: 'finance', label: '财务' },
  { value: 'producer', label: '制证员' },
  { value: 'admin', label: '管理员' },
];
const roleColors: Record<StaffRole, string> = { reviewer: 'blue', finance: 'gold', producer: 'cyan', admin: 'purple' };

function StatusBadge({ account }: { account: StaffAccount }) {
  const status = account.disabled ? 'default' : account.locked ? 'error' : account.totpEnrolled ? 'success' : 'warning';
  return <Badge status={status} text={account.statusLabel} />;
}

function NewStaffModal({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: (a: StaffAccount) => void }) {
  const [form] = Form.useForm<NewStaffAccount>();
  const { busy, error, submit } = useFormSubmit(form);
  const save = () =>
    submit(async (values) => {
      const { account } = await adminApi.createAccount({ ...values, username: values.username.trim().toLowerCase() });
      onCreated(account);
    });
  return (
    <Modal open={open} title={a.newStaff} onCancel={onClose} onOk={() => void save()} okText={a.save} cancelText={a.cancel} confirmLoading={busy} destroyOnHidden>
      <FormError error={error} />
      <Form form={form} layout="vertical" initialValues={{ roles: ['reviewer'] }} preserve={false}>
        <Form.Item
          label={a.username}
          name="username"
          rules={[
            { required: true, message: '请输入用户名' },
            { validator: async (_r, v: string | undefined) => { if (v && !USERNAME_PATTERN.test(v.trim().toLowerCase())) throw new Error(USERNAME_RULE); } },
          ]}
        >
          <Input autoComplete="off" placeholder="如 zhang.san" />
        </Form.Item>
        <Form.Item label={a.displayName} name="displayName" rules={[{ required: true, whitespace: true, message: a.displayNameRequired }]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item
          label={a.initialPassword}
          name="password"
          extra={a.passwordExtra}
          rules={[
            { required: true, message: a.passwordRequired },
            { validator: async (_r, v: string | undefined) => { const p = v ? passwordProblem(v) : undefined; if (p) throw new Error(p); } },
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item label={a.roles} name="roles" rules={[{ required: true, type: 'array', min: 1, message: a.rolesRequired }]}>
          <Checkbox.Group options={roleOptions} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function RolesModal({ account, onClose, onSaved }: { account: StaffAccount | undefined; onClose: () => void; onSaved: (a: StaffAccount) => void }) {
  const [form] = Form.useForm<{ roles: StaffRole[] }>();
  const { busy, error, submit } = useFormSubmit(form);
  const save = () =>
    submit(async ({ roles }) => {
      if (account) onSaved((await adminApi.setRoles(account.id, roles)).account);
    });
  return (
    <Modal
      open={account !== undefined}
      title={account ? a.editRolesTitle(account.displayName) : a.editRoles}
      onCancel={onClose}
      onOk={() => void save()}
      okText={a.save}
      cancelText={a.cancel}
      confirmLoading={busy}
      destroyOnHidden
    >
      <FormError error={error} />
      {account && (
        <Form form={form} layout="vertical" initialValues={{ roles: account.roles }} preserve={false}>
          <Form.Item label={a.roles} name="roles" rules={[{ required: true, type: 'array', min: 1, message: a.rolesRequired }]}>
            <Checkbox.Group options={roleOptions} />
          </Form.Item>
        </Form>
      )}
    </Modal>
  );
}

/** Notices of sustained failed logins on an account, until a 管理员 presses 知悉. */
function LoginAlerts() {
  const { message } = App.useApp();
  const { data, reload } = useLoaded(adminApi.loginAlerts);
  const acknowledge = async (accountId: string) => {
    try {
      await adminApi.acknowledgeLoginAlert(accountId);
      message.success(a.loginAlertAcked);
      reload();
    } catch (err) {
      message.error(errorMessage(err));
    }
  };
  return (
    <>
      {(data?.alerts ?? []).map((alert) => (
        <Alert
          key={alert.accountId}
          type="warning"
          showIcon
          role="alert"
          style={{ marginBottom: 12 }}
          title={a.loginAlertTitle(alert.username, alert.displayName)}
          description={a.loginAlertText(alert.failures, alert.addresses, shanghaiTime(alert.since), shanghaiTime(alert.lastAt))}
          action={
            <Button size="small" onClick={() => void acknowledge(alert.accountId)}>
              {a.loginAlertAck}
            </Button>
          }
        />
      ))}
    </>
  );
}

export function AdminStaffPage() {
  const me = useStaff();
  const { message } = App.useApp();
  const { data, loading, error, reload } = useLoaded(adminApi.accounts);
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<StaffAccount>();
  const [query, setQuery] = useState('');
  const q = query.trim().toLowerCase();
  const shown = (data?.accounts ?? []).filter((r) => !q || r.username.includes(q) || r.displayName.toLowerCase().includes(q));

  const act = (run: () => Promise<unknown>, done: string) => async () => {
    try {
      await run();
      message.success(done);
      reload();
    } catch (err) {
      message.error(errorMessage(err));
    }
  };

  const columns: TableColumnsType<StaffAccount> = [
    { title: a.username, dataIndex: 'username', key: 'username', render: (v: string, r) => <Typography.Text strong={r.id === me.id}>{v}</Typography.Text> },
    { title: a.displayName, dataIndex: 'displayName', key: 'displayName', render: (v: string, r) => (r.id === me.id ? `${v}${a.self}` : v) },
    {
      title: a.roles,
      key: 'roles',
      render: (_: unknown, r) => (
        <Space size={[0, 4]} wrap>
          {r.roles.map((role, i) => (
            <Tag key={role} color={roleColors[role]}>
              {r.roleLabels[i]}
            </Tag>
          ))}
        </Space>
      ),
    },
    { title: a.status, key: 'status', render: (_: unknown, r) => <StatusBadge account={r} /> },
    { title: a.lastLogin, dataIndex: 'lastLoginAt', key: 'lastLoginAt', render: (v: string | null) => (v ? shanghaiTime(v) : <Typography.Text type="secondary">{a.never}</Typography.Text>) },
    {
      title: a.actions,
      key: 'actions',
      render: (_: unknown, r) => (
        <Space size="small" wrap>
          <Button size="small" type="link" onClick={() => setEditing(r)} aria-label={`${a.editRoles} ${r.username}`}>
            {a.editRoles}
          </Button>
          {r.disabled || r.locked ? (
            <Popconfirm title={a.enableConfirm} okText={a.ok} cancelText={a.cancel} onConfirm={act(() => adminApi.enable(r.id), a.enabled)}>
              <Button size="small" type="link" aria-label={`${a.enable} ${r.username}`}>
                {a.enable}
              </Button>
            </Popconfirm>
          ) : null}
          {!r.disabled && (
            <Popconfirm title={a.disableConfirm} okText={a.ok} cancelText={a.cancel} onConfirm={act(() => adminApi.disable(r.id), a.disabled)}>
              <Button size="small" type="link" danger disabled={r.id === me.id} aria-label={`${a.disable} ${r.username}`}>
                {a.disable}
              </Button>
            </Popconfirm>
          )}
          <Popconfirm title={a.resetTotpConfirm} okText={a.ok} cancelText={a.cancel} onConfirm={act(() => adminApi.resetTotp(r.id), a.totpReset)}>
            <Button size="small" type="link" disabled={!r.totpEnrolled} aria-label={`${a.resetTotp} ${r.username}`}>
              {a.resetTotp}
            </Button>
          </Popconfirm>
        </Space>
      ),
    },
  ];

  return (
    <AdminPage
      title={a.staffTitle}
      hint={a.staffHint}
      error={error}
      onReload={reload}
      extra={
        <>
          <Input.Search allowClear placeholder={a.staffSearch} aria-label={a.staffSearch} onSearch={setQuery} onChange={(e) => setQuery(e.target.value)} style={{ width: 220 }} />
          <Button type="primary" icon={<PlusOutlined aria-hidden />} onClick={() => setCreating(true)}>
            {a.newStaff}
          </Button>
        </>
      }
    >
      <LoginAlerts />
      <Table<StaffAccount> rowKey="id" columns={columns} dataSource={shown} loading={loading} pagination={{ pageSize: 20, hideOnSinglePage: true }} />
      <NewStaffModal
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(account) => {
          setCreating(false);
          message.success(a.created(account.displayName));
          reload();
        }}
      />
      <RolesModal
        account={editing}
        onClose={() => setEditing(undefined)}
        onSaved={() => {
          setEditing(undefined);
          message.success(a.rolesSaved);
          reload();
        }}
      />
    </AdminPage>
  );
}
