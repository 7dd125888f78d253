/**
 * 短信模板: each notice's current text and variables, its history, and 新增版本 with a live preview
 * as the phone will show it (the gateway adds the 【签名】). A text must use exactly its template's
 * variables: the same rule the server applies (src/domain/templates).
 */
import { App, Button, Form, Input, List, Modal, Space, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { useState } from 'react';
import { SMS_BODY_MAX, SMS_VARIABLE, fillPlaceholders, isSmsTemplateCode, smsTemplateProblem } from '../../../src/domain/templates';
import { adminApi, type SmsTemplateSummary } from './adminApi';
import { AdminPage, FormError, useFormSubmit, useLoaded } from './AdminCommon';
import { a } from './adminStrings';
import { shanghaiTime } from '../format';

const samplesOf = (t: SmsTemplateSummary) => Object.fromEntries(t.variables.map((v) => [v.name, v.sample]));

function SmsBubble({ sign, text }: { sign: string; text: string }) {
  return (
    <div className="admin-sms-bubble">
      【{sign}】{text}
    </div>
  );
}

function NewVersionModal({ template, sign, onClose, onAdded }: {
  template: SmsTemplateSummary | undefined;
  sign: string;
  onClose: () => void;
  onAdded: (version: number) => void;
}) {
  const [form] = Form.useForm<{ body: string }>();
  const body = Form.useWatch('body', form) ?? '';
  const { busy, error, submit } = useFormSubmit(form);
  const save = () =>
    submit(async (v) => {
      if (template) onAdded((await adminApi.addSmsVersion(template.code, v.body)).template.version);
    });
  const check = async (_r: unknown, v: string | undefined) => {
    if (!template || !v || !isSmsTemplateCode(template.code)) return;
    const problem = smsTemplateProblem(template.code, v);
    // antd fills ${name} in rule messages from its own variables: escaped, the variable shows as written.
    if (problem) throw new Error(problem.replace(/\$\{/g, '\\${'));
  };
  return (
    <Modal
      open={template !== undefined}
      title={template ? `${a.newVersion}：${template.label}` : a.newVersion}
      onCancel={onClose}
      onOk={() => void save()}
      okText={a.save}
      cancelText={a.cancel}
      confirmLoading={busy}
      width={720}
      destroyOnHidden
    >
      <FormError error={error} />
      {template && (
        <>
          <Form form={form} layout="vertical" initialValues={{ body: template.current?.body ?? '' }} preserve={false}>
            <Form.Item
              label={a.body}
              name="body"
              extra={`${a.smsVariables}：${template.variables.map((v) => `\${${v.name}}`).join('、')}　${a.smsLength(body.length, SMS_BODY_MAX)}`}
              rules={[{ required: true, whitespace: true, message: '请输入短信内容' }, { validator: check }]}
            >
              <Input.TextArea autoSize={{ minRows: 4, maxRows: 8 }} />
            </Form.Item>
          </Form>
          <Typography.Paragraph strong style={{ marginBottom: 8 }}>
            {a.smsPreview}
          </Typography.Paragraph>
          <SmsBubble sign={sign} text={fillPlaceholders(body, SMS_VARIABLE, samplesOf(template))} />
        </>
      )}
    </Modal>
  );
}

function HistoryModal({ template, onClose }: { template: SmsTemplateSummary | undefined; onClose: () => void }) {
  const loaded = useLoaded(() => (template ? adminApi.smsHistory(template.code) : Promise.resolve({ versions: [] })));
  return (
    <Modal open={template !== undefined} title={template ? a.historyTitle(template.label) : a.history} onCancel={onClose} footer={null} width={720} destroyOnHidden>
      <FormError error={loaded.error} />
      <List
        loading={loaded.loading}
        dataSource={loaded.data?.versions ?? []}
        renderItem={(v, i) => (
          <List.Item>
            <List.Item.Meta
              title={
                <Space>
                  {a.versionN(v.version)}
                  {i === 0 && <Tag color="green">{a.current}</Tag>}
                  <Typography.Text type="secondary">{shanghaiTime(v.createdAt)}</Typography.Text>
                </Space>
              }
              description={v.body}
            />
          </List.Item>
        )}
      />
    </Modal>
  );
}

export function AdminSmsPage() {
  const { message } = App.useApp();
  const { data, loading, error, reload } = useLoaded(adminApi.smsTemplates);
  const [editing, setEditing] = useState<SmsTemplateSummary>();
  const [history, setHistory] = useState<SmsTemplateSummary>();
  const sign = data?.signName ?? '';

  const columns: TableColumnsType<SmsTemplateSummary> = [
    {
      title: a.smsCode,
      key: 'label',
      width: 180,
      render: (_: unknown, t) => (
        <Space direction="vertical" size={0}>
          <Typography.Text strong>{t.label}</Typography.Text>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t.code}
          </Typography.Text>
        </Space>
      ),
    },
    { title: a.smsBody, key: 'body', render: (_: unknown, t) => (t.current ? <SmsBubble sign={sign} text={t.current.body} /> : '—') },
    {
      title: a.smsVariables,
      key: 'variables',
      width: 180,
      render: (_: unknown, t) => (
        <Space size={[0, 4]} wrap>
          {t.variables.map((v) => (
            <Tag key={v.name}>{`\${${v.name}}`}</Tag>
          ))}
        </Space>
      ),
    },
    {
      title: a.version,
      key: 'version',
      width: 150,
      render: (_: unknown, t) =>
        t.current ? (
          <Space direction="vertical" size={0}>
            {a.versionN(t.current.version)}
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {shanghaiTime(t.current.createdAt)}
            </Typography.Text>
          </Space>
        ) : (
          '—'
        ),
    },
    {
      title: a.actions,
      key: 'actions',
      width: 110,
      render: (_: unknown, t) => (
        <Space direction="vertical" size={0}>
          <Button size="small" type="link" onClick={() => setEditing(t)} aria-label={`${a.newVersion} ${t.label}`}>
            {a.newVersion}
          </Button>
          <Button size="small" type="link" onClick={() => setHistory(t)} aria-label={`${a.history} ${t.label}`}>
            {a.history}
          </Button>
        </Space>
      ),
    },
  ];

  return (
    <AdminPage title={a.smsTitle} hint={data ? a.smsHint(sign) : undefined} error={error} onReload={reload}>
      <Table<SmsTemplateSummary> rowKey="code" columns={columns} dataSource={data?.templates ?? []} loading={loading} pagination={false} />
      <NewVersionModal
        template={editing}
        sign={sign}
        onClose={() => setEditing(undefined)}
        onAdded={(version) => {
          setEditing(undefined);
          message.success(a.versionAdded(version));
          reload();
        }}
      />
      <HistoryModal key={history?.code} template={history} onClose={() => setHistory(undefined)} />
    </AdminPage>
  );
}
