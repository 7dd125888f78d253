/**
 * 接入平台: the relying platforms that use CertDesk's certificates. 登记平台 (name, contact, webhook
 * address, the projects whose units it may see) gives an API key whose secret is shown once, in a
 * modal; 轮换密钥 gives a new one while the old works for the overlap; 吊销 stops one at once;
 * 投递记录 lists the webhooks sent, each attempt, and 重新投递.
 */
import { PlusOutlined } from '@ant-design/icons';
import { Alert, App, Badge, Button, Checkbox, Descriptions, Drawer, Form, Input, Modal, Popconfirm, Space, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { useState } from 'react';
import { errorMessage } from '../api';
import { shanghaiTime } from '../format';
import { adminApi, type PlatformCredentials, type PlatformInput, type PlatformView, type WebhookDeliveryView } from './adminApi';
import { AdminPage, FormError, useFormSubmit, useLoaded } from './AdminCommon';
import { a } from './adminStrings';

const keyBadge = { active: 'success', expiring: 'warning', expired: 'default', revoked: 'error' } as const;
const deliveryBadge = { pending: 'processing', delivered: 'success', failed: 'error' } as const;

function PlatformModal({ editing, projects, onClose, onSaved }: {
  editing: { mode: 'new' } | { mode: 'edit'; platform: PlatformView };
  projects: { id: string; name: string }[];
  onClose: () => void;
  onSaved: (answer: { platform: PlatformView; credentials?: PlatformCredentials['credentials'] }) => void;
}) {
  const [form] = Form.useForm<PlatformInput>();
  const { busy, error, submit } = useFormSubmit(form);
  const initial = editing.mode === 'edit' ? { ...editing.platform, webhookUrl: editing.platform.webhookUrl ?? '' } : { webhookUrl: '', projectIds: [] };
  const save = () =>
    submit(async (v) => {
      const input = { name: v.name.trim(), contact: v.contact.trim(), webhookUrl: (v.webhookUrl ?? '').trim(), projectIds: v.projectIds };
      if (editing.mode === 'new') onSaved(await adminApi.registerPlatform(input));
      else onSaved(await adminApi.updatePlatform(editing.platform.id, input));
    });
  return (
    <Modal open title={editing.mode === 'new' ? a.newPlatform : a.editPlatform} onCancel={onClose} onOk={() => void save()} okText={a.save} cancelText={a.cancel} confirmLoading={busy} destroyOnHidden width={640}>
      <FormError error={error} />
      <Form form={form} layout="vertical" initialValues={initial} preserve={false}>
        <Form.Item label={a.platformName} name="name" rules={[{ required: true, whitespace: true, message: a.platformNameRequired }]}>
          <Input maxLength={60} placeholder="内蒙古自治区政府采购云平台" />
        </Form.Item>
        <Form.Item label={a.contact} name="contact" rules={[{ required: true, whitespace: true, message: a.contactRequired }]}>
          <Input maxLength={100} placeholder={a.contactPlaceholder} />
        </Form.Item>
        <Form.Item label={a.webhookUrl} name="webhookUrl" extra={a.webhookUrlHint} rules={[{ pattern: /^(https?:\/\/\S+)?$/, message: a.webhookUrlFormat }]}>
          <Input maxLength={500} placeholder="https://example.com/certdesk/webhook" />
        </Form.Item>
        <Form.Item label={a.visibleProjects} name="projectIds" rules={[{ required: true, type: 'array', min: 1, message: a.visibleProjectsRequired }]}>
          <Checkbox.Group options={projects.map((p) => ({ value: p.id, label: p.name }))} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** The key id and secret, once: the secret is stored nowhere and cannot be shown again. */
function CredentialsModal({ credentials, onClose }: { credentials: PlatformCredentials['credentials']; onClose: () => void }) {
  return (
    <Modal open title={a.credentialsTitle} closable={false} maskClosable={false} keyboard={false} footer={<Button type="primary" onClick={onClose}>{a.credentialsSaved}</Button>} width={640}>
      <Alert type="warning" showIcon message={a.credentialsWarning} style={{ marginBottom: 16 }} />
      <Descriptions column={1} bordered size="small">
        <Descriptions.Item label={a.keyId}>
          <Typography.Text code copyable={{ tooltips: [a.copy, a.copied] }}>{credentials.keyId}</Typography.Text>
        </Descriptions.Item>
        <Descriptions.Item label={a.secret}>
          <Typography.Text code copyable={{ tooltips: [a.copy, a.copied] }} data-testid="platform-secret">{credentials.secret}</Typography.Text>
        </Descriptions.Item>
      </Descriptions>
    </Modal>
  );
}

function DeliveriesDrawer({ platform, onClose }: { platform: PlatformView; onClose: () => void }) {
  const { message } = App.useApp();
  const { data, loading, error, reload } = useLoaded(() => adminApi.deliveries(platform.id));
  const resend = async (d: WebhookDeliveryView) => {
    try {
      await adminApi.resend(platform.id, d.id);
      message.success(a.resent);
      reload();
    } catch (err) {
      message.error(errorMessage(err));
    }
  };
  const columns: TableColumnsType<WebhookDeliveryView> = [
    { title: a.event, dataIndex: 'typeLabel', key: 'type', width: 90 },
    { title: a.applicationNumber, dataIndex: 'applicationNumber', key: 'number' },
    { title: a.occurredAt, dataIndex: 'occurredAt', key: 'at', render: (v: string) => shanghaiTime(v) },
    { title: a.status, key: 'status', width: 90, render: (_: unknown, d) => <Badge status={deliveryBadge[d.status]} text={d.statusLabel} /> },
    { title: a.attempts, dataIndex: 'attempts', key: 'attempts', width: 80, align: 'right' },
    { title: a.lastResult, key: 'last', render: (_: unknown, d) => d.lastError ?? (d.lastStatusCode ? `HTTP ${d.lastStatusCode}` : '—') },
    {
      title: a.actions,
      key: 'actions',
      width: 100,
      render: (_: unknown, d) => (
        <Button size="small" type="link" onClick={() => void resend(d)} aria-label={`${a.resend} ${d.typeLabel} ${d.applicationNumber}`}>
          {a.resend}
        </Button>
      ),
    },
  ];
  const attemptColumns: TableColumnsType<WebhookDeliveryView['history'][number]> = [
    { title: a.attemptAt, dataIndex: 'at', key: 'at', render: (v: string) => shanghaiTime(v) },
    { title: a.attemptNo, dataIndex: 'attempt', key: 'attempt', width: 70, align: 'right' },
    { title: a.attemptTrigger, dataIndex: 'trigger', key: 'trigger', width: 90, render: (v: 'auto' | 'resend') => a.triggerLabels[v] },
    { title: a.statusCode, dataIndex: 'statusCode', key: 'code', width: 80, render: (v: number | null) => v ?? '—' },
    { title: a.attemptError, dataIndex: 'error', key: 'error', render: (v: string | null) => v ?? '' },
    { title: a.duration, dataIndex: 'durationMs', key: 'ms', width: 90, align: 'right', render: (v: number) => `${v} ms` },
  ];
  return (
    <Drawer open title={a.deliveriesTitle(platform.name)} onClose={onClose} width={960} extra={<Button onClick={reload}>{a.reload}</Button>}>
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} />}
      <Table<WebhookDeliveryView>
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={data?.deliveries ?? []}
        loading={loading}
        locale={{ emptyText: a.noDeliveries }}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        expandable={{ expandedRowRender: (d) => <Table rowKey="at" size="small" columns={attemptColumns} dataSource={d.history} pagination={false} /> }}
      />
    </Drawer>
  );
}

export function AdminPlatformsPage() {
  const { message } = App.useApp();
  const { data, loading, error, reload } = useLoaded(adminApi.platforms);
  const projects = useLoaded(adminApi.projects);
  const [editing, setEditing] = useState<{ mode: 'new' } | { mode: 'edit'; platform: PlatformView }>();
  const [shown, setShown] = useState<PlatformCredentials['credentials']>();
  const [logOf, setLogOf] = useState<PlatformView>();
  const projectName = new Map((projects.data?.projects ?? []).map((p) => [p.id, p.name]));

  const act = async (work: () => Promise<unknown>, done?: string) => {
    try {
      await work();
      if (done) message.success(done);
      reload();
    } catch (err) {
      message.error(errorMessage(err));
    }
  };

  const columns: TableColumnsType<PlatformView> = [
    {
      title: a.platformName,
      key: 'name',
      render: (_: unknown, p) => (
        <Space direction="vertical" size={0}>
          <Typography.Text strong>{p.name}</Typography.Text>
          <Typography.Text type="secondary">{p.contact}</Typography.Text>
        </Space>
      ),
    },
    { title: a.webhookUrl, dataIndex: 'webhookUrl', key: 'url', render: (v: string | null) => (v ? <Typography.Text code>{v}</Typography.Text> : '—') },
    { title: a.visibleProjects, key: 'projects', render: (_: unknown, p) => p.projectIds.map((id) => <Tag key={id}>{projectName.get(id) ?? id}</Tag>) },
    {
      title: a.keys,
      key: 'keys',
      render: (_: unknown, p) => {
        const live = p.keys.filter((k) => k.state === 'active' || k.state === 'expiring');
        if (live.length === 0) return <Typography.Text type="secondary">{a.noKey}</Typography.Text>;
        return (
          <Space direction="vertical" size={2}>
            {live.map((k) => (
              <Space key={k.keyId} size="small" wrap>
                <Typography.Text code>{k.keyId}</Typography.Text>
                <Badge status={keyBadge[k.state]} text={k.expiresAt ? `${k.stateLabel}（${a.validUntil(shanghaiTime(k.expiresAt))}）` : k.stateLabel} />
                <Typography.Text type="secondary">{`${a.fingerprint} ${k.fingerprint}`}</Typography.Text>
                <Popconfirm title={a.revokeConfirm} okText={a.ok} cancelText={a.cancel} onConfirm={() => act(() => adminApi.revokeKey(p.id, k.keyId), a.keyRevoked)}>
                  <Button size="small" type="link" danger aria-label={`${a.revokeKey} ${k.keyId}`}>
                    {a.revokeKey}
                  </Button>
                </Popconfirm>
              </Space>
            ))}
          </Space>
        );
      },
    },
    {
      title: a.actions,
      key: 'actions',
      width: 220,
      render: (_: unknown, p) => (
        <Space size="small" wrap>
          <Button size="small" type="link" onClick={() => setEditing({ mode: 'edit', platform: p })} aria-label={`${a.edit} ${p.name}`}>
            {a.edit}
          </Button>
          <Popconfirm title={a.rotateConfirm} okText={a.ok} cancelText={a.cancel} onConfirm={() => act(async () => setShown((await adminApi.rotateKey(p.id)).credentials))}>
            <Button size="small" type="link" aria-label={`${a.rotateKey} ${p.name}`}>
              {a.rotateKey}
            </Button>
          </Popconfirm>
          <Button size="small" type="link" onClick={() => setLogOf(p)} aria-label={`${a.deliveries} ${p.name}`}>
            {a.deliveries}
          </Button>
        </Space>
      ),
    },
  ];

  return (
    <AdminPage
      title={a.platformsTitle}
      hint={a.platformsHint}
      error={error ?? projects.error}
      onReload={reload}
      extra={
        <Button type="primary" icon={<PlusOutlined aria-hidden />} onClick={() => setEditing({ mode: 'new' })}>
          {a.newPlatform}
        </Button>
      }
    >
      <Table<PlatformView> rowKey="id" columns={columns} dataSource={data?.platforms ?? []} loading={loading} pagination={{ pageSize: 20, hideOnSinglePage: true }} />
      {editing && (
        <PlatformModal
          editing={editing}
          projects={projects.data?.projects ?? []}
          onClose={() => setEditing(undefined)}
          onSaved={(answer) => {
            setEditing(undefined);
            message.success(answer.credentials ? a.platformRegistered : a.saved);
            if (answer.credentials) setShown(answer.credentials);
            reload();
          }}
        />
      )}
      {shown && (
        <CredentialsModal
          credentials={shown}
          onClose={() => {
            setShown(undefined);
            reload();
          }}
        />
      )}
      {logOf && <DeliveriesDrawer platform={logOf} onClose={() => setLogOf(undefined)} />}
    </AdminPage>
  );
}
