/**
 * 证书用途（所属项目）: every project, inactive ones too, with the extra attachments it asks of each
 * applicant type and whether it needs two reviewers; 新增, 修改, 停用/启用.
 */
import { PlusOutlined } from '@ant-design/icons';
import { App, Badge, Button, Checkbox, Form, Input, InputNumber, Modal, Popconfirm, Space, Switch, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { useState } from 'react';
import { errorMessage } from '../api';
import { adminApi, type AdminProject, type ApplicantType, type AttachmentKindOption, type ProjectInput } from './adminApi';
import { AdminPage, FormError, useFormSubmit, useLoaded } from './AdminCommon';
import { a } from './adminStrings';

const PROJECT_ID = /^[a-z][a-z0-9-]{1,39}$/;

type Editing = { mode: 'new' } | { mode: 'edit'; project: AdminProject };
type Values = ProjectInput & { id: string };

function ProjectModal({ editing, kinds, onClose, onSaved }: {
  editing: Editing | undefined;
  kinds: AttachmentKindOption[];
  onClose: () => void;
  onSaved: (created: boolean) => void;
}) {
  const [form] = Form.useForm<Values>();
  const { busy, error, submit } = useFormSubmit(form);
  const initial: Partial<Values> =
    editing?.mode === 'edit'
      ? editing.project
      : { description: '', extraAttachments: { enterprise: [], institution: [] }, sortOrder: 100, requiresSecondReview: false, renewalAutoReview: false };
  const options = (type: ApplicantType) => kinds.map((k) => ({ value: k.kind, label: k[type] }));

  const save = () =>
    submit(async ({ id, ...input }) => {
      if (!editing) return;
      if (editing.mode === 'new') await adminApi.createProject({ id: id.trim(), ...input });
      else await adminApi.updateProject(editing.project.id, input);
      onSaved(editing.mode === 'new');
    });

  return (
    <Modal
      open={editing !== undefined}
      title={editing?.mode === 'edit' ? a.editProject : a.newProject}
      onCancel={onClose}
      onOk={() => void save()}
      okText={a.save}
      cancelText={a.cancel}
      confirmLoading={busy}
      width={640}
      destroyOnHidden
    >
      <FormError error={error} />
      {editing && (
        <Form form={form} layout="vertical" initialValues={initial} preserve={false}>
          {editing.mode === 'new' ? (
            <Form.Item
              label={a.projectId}
              name="id"
              extra={a.projectIdExtra}
              rules={[
                { required: true, message: a.projectIdRequired },
                { pattern: PROJECT_ID, message: a.projectIdRule },
              ]}
            >
              <Input autoComplete="off" />
            </Form.Item>
          ) : (
            <Form.Item label={a.projectId}>
              <Typography.Text code>{editing.project.id}</Typography.Text>
            </Form.Item>
          )}
          <Form.Item label={a.projectName} name="name" rules={[{ required: true, whitespace: true, message: a.projectNameRequired }, { max: 60, message: '项目名称不能超过60个字' }]}>
            <Input />
          </Form.Item>
          <Form.Item label={a.description} name="description" rules={[{ max: 200, message: '项目说明不能超过200个字' }]}>
            <Input.TextArea autoSize={{ minRows: 2, maxRows: 4 }} />
          </Form.Item>
          <Form.Item label={a.extraEnterprise} name={['extraAttachments', 'enterprise']}>
            <Checkbox.Group options={options('enterprise')} role="group" aria-label={a.extraEnterprise} />
          </Form.Item>
          <Form.Item label={a.extraInstitution} name={['extraAttachments', 'institution']}>
            <Checkbox.Group options={options('institution')} role="group" aria-label={a.extraInstitution} />
          </Form.Item>
          <Space size="large" align="start">
            <Form.Item label={a.sortOrder} name="sortOrder" extra={a.sortOrderExtra} rules={[{ required: true, message: a.sortOrderRequired }]}>
              <InputNumber min={0} max={9999} precision={0} style={{ width: 140 }} />
            </Form.Item>
            <Form.Item label={a.secondReview} name="requiresSecondReview" valuePropName="checked" extra={a.secondReviewExtra}>
              <Switch aria-label={a.secondReview} />
            </Form.Item>
            <Form.Item label={a.renewalAutoReview} name="renewalAutoReview" valuePropName="checked" extra={a.renewalAutoReviewExtra}>
              <Switch aria-label={a.renewalAutoReview} />
            </Form.Item>
          </Space>
        </Form>
      )}
    </Modal>
  );
}

export function AdminProjectsPage() {
  const { message } = App.useApp();
  const { data, loading, error, reload } = useLoaded(adminApi.projects);
  const [editing, setEditing] = useState<Editing>();
  const kinds = data?.attachmentKinds ?? [];

  const labels = (p: AdminProject, type: ApplicantType) => {
    const list = p.extraAttachments[type];
    if (list.length === 0) return <Typography.Text type="secondary">{a.extraNone}</Typography.Text>;
    return (
      <Space size={[0, 4]} wrap>
        {list.map((k) => (
          <Tag key={k}>{kinds.find((o) => o.kind === k)?.[type] ?? k}</Tag>
        ))}
      </Space>
    );
  };

  const toggle = async (p: AdminProject) => {
    try {
      await adminApi.setProjectActive(p.id, !p.active);
      message.success(p.active ? a.inactive : a.active);
      reload();
    } catch (err) {
      message.error(errorMessage(err));
    }
  };

  const columns: TableColumnsType<AdminProject> = [
    { title: a.sortOrder, dataIndex: 'sortOrder', key: 'sortOrder', width: 72 },
    {
      title: a.projectName,
      key: 'name',
      width: 300,
      render: (_: unknown, p) => (
        <Space direction="vertical" size={0}>
          <Typography.Text strong>{p.name}</Typography.Text>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {p.id}
            {p.description ? ` · ${p.description}` : ''}
          </Typography.Text>
        </Space>
      ),
    },
    { title: a.extraEnterprise, key: 'enterprise', width: 200, render: (_: unknown, p) => labels(p, 'enterprise') },
    { title: a.extraInstitution, key: 'institution', render: (_: unknown, p) => labels(p, 'institution') },
    { title: a.secondReview, key: 'second', width: 96, render: (_: unknown, p) => (p.requiresSecondReview ? <Tag color="orange">{a.yes}</Tag> : a.no) },
    { title: a.renewalAutoReview, key: 'renewalAuto', width: 110, render: (_: unknown, p) => (p.renewalAutoReview ? <Tag color="green">{a.yes}</Tag> : a.no) },
    { title: a.status, key: 'active', width: 96, render: (_: unknown, p) => <Badge status={p.active ? 'success' : 'default'} text={p.active ? a.active : a.inactive} /> },
    {
      title: a.actions,
      key: 'actions',
      width: 140,
      render: (_: unknown, p) => (
        <Space size="small">
          <Button size="small" type="link" onClick={() => setEditing({ mode: 'edit', project: p })} aria-label={`${a.edit} ${p.name}`}>
            {a.edit}
          </Button>
          <Popconfirm title={p.active ? a.deactivateConfirm : a.activateConfirm} okText={a.ok} cancelText={a.cancel} onConfirm={() => toggle(p)}>
            <Button size="small" type="link" danger={p.active} aria-label={`${p.active ? a.deactivate : a.activate} ${p.name}`}>
              {p.active ? a.deactivate : a.activate}
            </Button>
          </Popconfirm>
        </Space>
      ),
    },
  ];

  return (
    <AdminPage
      title={a.projectsTitle}
      hint={a.projectsHint}
      error={error}
      onReload={reload}
      extra={
        <Button type="primary" icon={<PlusOutlined aria-hidden />} onClick={() => setEditing({ mode: 'new' })}>
          {a.newProject}
        </Button>
      }
    >
      <Table<AdminProject>
        rowKey="id"
        columns={columns}
        dataSource={data?.projects ?? []}
        loading={loading}
        pagination={false}
        rowClassName={(p) => (p.active ? '' : 'admin-row-inactive')}
      />
      <ProjectModal
        editing={editing}
        kinds={kinds}
        onClose={() => setEditing(undefined)}
        onSaved={(created) => {
          setEditing(undefined);
          message.success(created ? a.projectCreated : a.saved);
          reload();
        }}
      />
    </AdminPage>
  );
}
