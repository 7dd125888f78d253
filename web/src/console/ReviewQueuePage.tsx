/** 待审核申请: the reviewer's queue, oldest first as the server returns it, with filters. */
import { Alert, Button, Card, Form, Input, InputNumber, Select, Space, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { errorMessage } from '../api';
import { reviewApi, type Project, type QueueFilter, type QueueItem } from './api';
import { shanghaiTime } from '../format';
import { s } from './strings';
import { PageTitle } from '../components/PageTitle';

const statusOptions = [
  { value: 'pending_review', label: '待审核' },
  { value: 'needs_changes', label: '待修改' },
  { value: 'approved', label: '资料审核通过' },
];

interface FilterValues {
  status: QueueFilter['status'];
  project?: string;
  type?: QueueFilter['type'] | '';
  olderThanDays?: number | null;
  search?: string;
}

const initial: FilterValues = { status: 'pending_review' };

export function ReviewQueuePage() {
  const [form] = Form.useForm<FilterValues>();
  const [filter, setFilter] = useState<QueueFilter>({ status: 'pending_review' });
  const [items, setItems] = useState<QueueItem[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | undefined>();
  const [projects, setProjects] = useState<Project[]>([]);

  useEffect(() => {
    reviewApi.projects().then(
      (r) => setProjects(r.items),
      () => setProjects([]),
    );
  }, []);

  useEffect(() => {
    let current = true;
    setLoading(true);
    setError(undefined);
    reviewApi.queue(filter).then(
      (r) => {
        if (!current) return;
        setItems(r.items);
        setLoading(false);
      },
      (err: unknown) => {
        if (!current) return;
        setError(errorMessage(err));
        setLoading(false);
      },
    );
    return () => {
      current = false;
    };
  }, [filter]);

  const columns: TableColumnsType<QueueItem> = [
    { title: s.colNumber, dataIndex: 'number', key: 'number' },
    { title: s.colOrg, dataIndex: 'orgName', key: 'orgName', render: (v: string | null) => v ?? s.empty },
    { title: s.colType, dataIndex: 'applicantTypeLabel', key: 'type' },
    { title: s.colProject, dataIndex: 'projectName', key: 'project', render: (v: string | null) => v ?? s.empty },
    { title: s.colSubmitted, dataIndex: 'submittedAt', key: 'submittedAt', render: (v: string | null) => shanghaiTime(v) },
    {
      title: s.colFlags,
      key: 'flags',
      render: (_: unknown, r) =>
        r.flags.length === 0
          ? null
          : r.flags.map((f) => (
              <Tag key={f} color="orange">
                {f}
              </Tag>
            )),
    },
    {
      title: s.colActions,
      key: 'actions',
      render: (_: unknown, r) => (
        <Link to={`/console/review/${r.id}`} aria-label={`${s.actionReview} ${r.number}`}>
          {s.actionReview}
        </Link>
      ),
    },
  ];

  const apply = (v: FilterValues) =>
    setFilter({
      status: v.status,
      project: v.project || undefined,
      type: v.type || undefined,
      olderThanDays: v.olderThanDays ?? undefined,
      search: v.search?.trim() || undefined,
    });

  return (
    <Card>
      <PageTitle>{s.queueTitle}</PageTitle>
      <Form form={form} layout="inline" initialValues={initial} onFinish={apply} style={{ marginBottom: 16, rowGap: 8 }}>
        <Form.Item name="search">
          <Input allowClear placeholder={s.filterSearch} style={{ width: 220 }} />
        </Form.Item>
        <Form.Item label={s.filterStatus} name="status">
          <Select options={statusOptions} style={{ width: 140 }} />
        </Form.Item>
        <Form.Item label={s.filterProject} name="project">
          <Select allowClear disabled={projects.length === 0} placeholder={s.all} style={{ width: 200 }} options={projects.map((p) => ({ value: p.id, label: p.name }))} />
        </Form.Item>
        <Form.Item label={s.filterType} name="type">
          <Select
            allowClear
            placeholder={s.all}
            style={{ width: 120 }}
            options={[
              { value: 'enterprise', label: s.enterprise },
              { value: 'institution', label: s.institution },
            ]}
          />
        </Form.Item>
        <Form.Item label={s.filterOlder} name="olderThanDays">
          <InputNumber min={0} max={365} precision={0} suffix={s.filterOlderSuffix} style={{ width: 120 }} />
        </Form.Item>
        <Space>
          <Button type="primary" htmlType="submit">
            {s.search}
          </Button>
          <Button
            onClick={() => {
              form.resetFields();
              apply(initial);
            }}
          >
            {s.reset}
          </Button>
        </Space>
      </Form>
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} />}
      <Table<QueueItem> rowKey="id" columns={columns} dataSource={items} loading={loading} pagination={{ pageSize: 20, hideOnSinglePage: true }} />
    </Card>
  );
}
