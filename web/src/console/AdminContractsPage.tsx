/**
 * 合同模板: the service contract's versions (how many acceptances each carries), one version's
 * text, and 新增版本 — edited from the current one, with the placeholders to insert and a live
 * preview filled with sample values. The checks are the server's own (src/domain/templates).
 */
import { PlusOutlined } from '@ant-design/icons';
import { App, Button, Col, Form, Input, Modal, Row, Space, Spin, Table, Tag, Tooltip, Typography, type TableColumnsType } from 'antd';
import type { TextAreaRef } from 'antd/es/input/TextArea';
import { useRef, useState } from 'react';
import { errorMessage } from '../api';
import { CONTRACT_PLACEHOLDER, contractTemplateProblem, fillPlaceholders } from '../../../src/domain/templates';
import { adminApi, type ContractTemplate, type ContractVersion, type Placeholder } from './adminApi';
import { AdminPage, FormError, useFormSubmit, useLoaded } from './AdminCommon';
import { a } from './adminStrings';
import { shanghaiTime } from '../format';

interface Values {
  title: string;
  body: string;
}

function ContractText({ text }: { text: string }) {
  return <div className="admin-contract-text">{text}</div>;
}

function ViewModal({ version, onClose }: { version: number | undefined; onClose: () => void }) {
  const loaded = useLoaded(() => (version === undefined ? Promise.resolve(undefined) : adminApi.contractVersion(version)));
  const t = version !== undefined && loaded.data?.template.version === version ? loaded.data.template : undefined;
  return (
    <Modal open={version !== undefined} title={version !== undefined ? a.versionN(version) : ''} onCancel={onClose} footer={null} width={820} destroyOnHidden>
      <FormError error={loaded.error} />
      {t ? (
        <>
          <Typography.Title level={5} style={{ textAlign: 'center' }}>
            {t.title}
          </Typography.Title>
          <ContractText text={t.body} />
        </>
      ) : (
        <Spin />
      )}
    </Modal>
  );
}

function NewVersionModal({ base, placeholders, onClose, onAdded }: {
  base: ContractTemplate | undefined;
  placeholders: Placeholder[];
  onClose: () => void;
  onAdded: (t: ContractTemplate) => void;
}) {
  const [form] = Form.useForm<Values>();
  const title = Form.useWatch('title', form) ?? '';
  const body = Form.useWatch('body', form) ?? '';
  const area = useRef<TextAreaRef>(null);
  const { busy, error, submit } = useFormSubmit(form);
  const samples = Object.fromEntries(placeholders.map((p) => [p.name, p.sample]));

  const insert = (name: string) => {
    const el = area.current?.resizableTextArea?.textArea;
    const current = form.getFieldValue('body') as string | undefined ?? '';
    const at = el ? el.selectionStart : current.length;
    const end = el ? el.selectionEnd : current.length;
    const token = `{{${name}}}`;
    form.setFieldValue('body', current.slice(0, at) + token + current.slice(end));
    void form.validateFields(['body']);
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(at + token.length, at + token.length);
    });
  };

  const save = () => submit(async (v) => onAdded((await adminApi.addContractVersion(v.title, v.body)).template));

  return (
    <Modal
      open={base !== undefined}
      title={base ? `${a.newVersion}（${a.basedOn(base.version)}）` : a.newVersion}
      onCancel={onClose}
      onOk={() => void save()}
      okText={a.save}
      cancelText={a.cancel}
      confirmLoading={busy}
      width={1180}
      destroyOnHidden
      centered
    >
      <FormError error={error} />
      {base && (
        <Row gutter={24}>
          <Col span={13}>
            <Form form={form} layout="vertical" initialValues={{ title: base.title, body: base.body }} preserve={false}>
              <Form.Item label={a.title} name="title" rules={[{ required: true, whitespace: true, message: a.titleRequired }, { max: 100, message: '合同标题不能超过100个字' }]}>
                <Input />
              </Form.Item>
              <Form.Item
                label={a.body}
                name="body"
                rules={[
                  { required: true, whitespace: true, message: a.bodyRequired },
                  { validator: async (_r, v: string | undefined) => { const p = v ? contractTemplateProblem('合同', v) : undefined; if (p) throw new Error(p); } },
                ]}
              >
                <Input.TextArea ref={area} autoSize={{ minRows: 18, maxRows: 18 }} className="admin-template-editor" />
              </Form.Item>
            </Form>
            <Typography.Text type="secondary">{a.placeholders}（{a.placeholdersHint}）</Typography.Text>
            <div style={{ marginTop: 8 }}>
              {placeholders.map((p) => (
                <Tooltip key={p.name} title={`${p.label}，示例：${p.sample}`}>
                  <Tag className="admin-placeholder" color="blue" onClick={() => insert(p.name)}>
                    {p.label} {`{{${p.name}}}`}
                  </Tag>
                </Tooltip>
              ))}
            </div>
          </Col>
          <Col span={11}>
            <Typography.Text strong>{a.preview}</Typography.Text>
            <div className="admin-preview" aria-label={a.preview}>
              <Typography.Title level={5} style={{ textAlign: 'center' }}>
                {title}
              </Typography.Title>
              <ContractText text={fillPlaceholders(body, CONTRACT_PLACEHOLDER, samples)} />
            </div>
          </Col>
        </Row>
      )}
    </Modal>
  );
}

export function AdminContractsPage() {
  const { message } = App.useApp();
  const { data, loading, error, reload } = useLoaded(adminApi.contractVersions);
  const [viewing, setViewing] = useState<number>();
  const [base, setBase] = useState<ContractTemplate>();

  const startNew = async () => {
    const head = data?.versions[0];
    if (!head) return;
    try {
      setBase((await adminApi.contractVersion(head.version)).template);
    } catch (err) {
      message.error(errorMessage(err));
    }
  };

  const columns: TableColumnsType<ContractVersion> = [
    {
      title: a.version,
      key: 'version',
      width: 140,
      render: (_: unknown, v) => (
        <Space>
          {a.versionN(v.version)}
          {v.current && <Tag color="green">{a.current}</Tag>}
        </Space>
      ),
    },
    { title: a.title, dataIndex: 'title', key: 'title' },
    { title: a.createdAt, dataIndex: 'createdAt', key: 'createdAt', render: (v: string) => shanghaiTime(v) },
    { title: a.acceptances, dataIndex: 'acceptances', key: 'acceptances', align: 'right' },
    {
      title: a.actions,
      key: 'actions',
      render: (_: unknown, v) => (
        <Button size="small" type="link" onClick={() => setViewing(v.version)} aria-label={`${a.view} ${a.versionN(v.version)}`}>
          {a.view}
        </Button>
      ),
    },
  ];

  return (
    <AdminPage
      title={a.contractsTitle}
      hint={a.contractsHint}
      error={error}
      onReload={reload}
      extra={
        <Button type="primary" icon={<PlusOutlined aria-hidden />} disabled={!data?.versions.length} onClick={() => void startNew()}>
          {a.newVersion}
        </Button>
      }
    >
      <Table<ContractVersion> rowKey="version" columns={columns} dataSource={data?.versions ?? []} loading={loading} pagination={{ pageSize: 20, hideOnSinglePage: true }} />
      <ViewModal key={viewing} version={viewing} onClose={() => setViewing(undefined)} />
      <NewVersionModal
        base={base}
        placeholders={data?.placeholders ?? []}
        onClose={() => setBase(undefined)}
        onAdded={(t) => {
          setBase(undefined);
          message.success(a.versionAdded(t.version));
          reload();
        }}
      />
    </AdminPage>
  );
}
