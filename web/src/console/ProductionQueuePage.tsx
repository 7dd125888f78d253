/**
 * 制证队列: the 制证员's orders by status — 已支付 待制证, 制证中, 已邮寄, 待自取 — oldest status change
 * first as the server returns them, searchable by 申请单号 or 单位名称.
 */
import { Alert, Card, Input, Table, Tabs, Tag, Typography, type TableColumnsType } from 'antd';
import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { errorMessage } from '../api';
import { productionApi, type ProductionQueueItem, type ProductionStatus } from './api';
import { shanghaiTime } from '../format';
import { ps } from './strings';
import { PageTitle } from '../components/PageTitle';

const tabs: { key: ProductionStatus; label: string }[] = [
  { key: 'paid', label: ps.tabPaid },
  { key: 'in_production', label: ps.tabInProduction },
  { key: 'shipped', label: ps.tabShipped },
  { key: 'awaiting_pickup', label: ps.tabPickup },
];

const isStatus = (v: string | null): v is ProductionStatus => tabs.some((t) => t.key === v);

export function ProductionQueuePage() {
  const [params, setParams] = useSearchParams();
  const statusParam = params.get('status');
  const status: ProductionStatus = isStatus(statusParam) ? statusParam : 'paid';
  const search = params.get('q') ?? '';
  const [items, setItems] = useState<ProductionQueueItem[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    let current = true;
    setLoading(true);
    setError(undefined);
    productionApi.queue(status, search || undefined).then(
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
  }, [status, search]);

  const update = (next: { status?: ProductionStatus; q?: string }) => {
    const p = new URLSearchParams();
    p.set('status', next.status ?? status);
    const q = (next.q ?? search).trim();
    if (q) p.set('q', q);
    setParams(p, { replace: true });
  };

  const columns: TableColumnsType<ProductionQueueItem> = [
    { title: ps.colNumber, dataIndex: 'number', key: 'number' },
    { title: ps.colOrg, dataIndex: 'orgName', key: 'orgName', render: (v: string | null) => v ?? ps.emptyValue },
    { title: ps.colProject, dataIndex: 'projectName', key: 'project', render: (v: string | null) => v ?? ps.emptyValue },
    {
      title: ps.colDelivery,
      dataIndex: 'deliveryLabel',
      key: 'delivery',
      render: (v: string, r) => <Tag color={r.deliveryMethod === 'pickup' ? 'gold' : 'blue'}>{v}</Tag>,
    },
    ...(status === 'shipped'
      ? [
          {
            title: ps.colTracking,
            key: 'tracking',
            render: (_: unknown, r: ProductionQueueItem) => (r.shipment ? `${r.shipment.courierLabel ?? ''} ${r.shipment.trackingNumber ?? ''}` : ps.emptyValue),
          },
        ]
      : []),
    { title: ps.colStatusAt, dataIndex: 'updatedAt', key: 'updatedAt', render: (v: string) => shanghaiTime(v) },
    {
      title: ps.colActions,
      key: 'actions',
      render: (_: unknown, r) => (
        <Link to={`/console/production/${r.id}`} aria-label={`${ps.open} ${r.number}`}>
          {ps.open}
        </Link>
      ),
    },
  ];

  return (
    <Card>
      <PageTitle>{ps.queueTitle}</PageTitle>
      <Tabs activeKey={status} onChange={(key) => update({ status: key as ProductionStatus })} items={tabs.map((t) => ({ key: t.key, label: t.label }))} />
      <Input.Search
        key={search}
        allowClear
        defaultValue={search}
        placeholder={ps.search}
        enterButton="查询"
        style={{ maxWidth: 360, marginBottom: 16 }}
        onSearch={(q) => update({ q })}
      />
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} />}
      <Table<ProductionQueueItem>
        rowKey="id"
        columns={columns}
        dataSource={items}
        loading={loading}
        locale={{ emptyText: ps.empty }}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
      />
    </Card>
  );
}
