/**
 * 价格: the price in force for 首次申请 and 续费, any price waiting to take effect, the whole history,
 * and 新增价格 (now or from a later time). Prices are never edited: an application keeps the price
 * it was created with. Amounts are typed in 元 and travel as text; the server keeps fen.
 */
import { PlusOutlined } from '@ant-design/icons';
import { App, Badge, Button, Card, Col, DatePicker, Form, Input, Modal, Radio, Row, Statistic, Table, Typography, type TableColumnsType } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { priceKindLabels, priceKinds, priceMayBeZero } from '../../../src/domain/aftersales';
import { MAX_PRICE_FEN, parseYuan } from '../../../src/domain/money';
import { adminApi, type Price, type PriceKind } from './adminApi';
import { AdminPage, FormError, useFormSubmit, useLoaded } from './AdminCommon';
import { a } from './adminStrings';
import { shanghaiTime } from '../format';

interface Values {
  kind: PriceKind;
  amountYuan: string;
  when: 'now' | 'later';
  effectiveFrom?: Dayjs;
}

const stateBadge = { current: 'success', scheduled: 'processing', past: 'default' } as const;

/** The server's own bounds: 变更 and 补办 may cost 0 (no payment), a certificate never. */
const amountRule = ({ getFieldValue }: { getFieldValue: (name: string) => unknown }) => ({
  validator(_rule: unknown, value: string | undefined): Promise<void> {
    if (!value) return Promise.resolve();
    const fen = parseYuan(value);
    if (fen === undefined) return Promise.reject(new Error(a.amountFormat));
    const free = priceMayBeZero(getFieldValue('kind') as PriceKind);
    if (fen < 0 || (fen === 0 && !free) || fen > MAX_PRICE_FEN) return Promise.reject(new Error(free ? a.amountRangeFree : a.amountRange));
    return Promise.resolve();
  },
});

function NewPriceModal({ open, onClose, onAdded }: { open: boolean; onClose: () => void; onAdded: () => void }) {
  const [form] = Form.useForm<Values>();
  const when = Form.useWatch('when', form);
  const { busy, error, submit } = useFormSubmit(form);
  const save = () =>
    submit(async (v) => {
      await adminApi.addPrice({
        kind: v.kind,
        amountYuan: v.amountYuan.trim(),
        effectiveFrom: v.when === 'later' && v.effectiveFrom ? v.effectiveFrom.toISOString() : undefined,
      });
      onAdded();
    });
  return (
    <Modal open={open} title={a.newPrice} onCancel={onClose} onOk={() => void save()} okText={a.save} cancelText={a.cancel} confirmLoading={busy} destroyOnHidden>
      <FormError error={error} />
      <Form form={form} layout="vertical" initialValues={{ kind: 'first', when: 'now' }} preserve={false}>
        <Form.Item label={a.priceKind} name="kind" rules={[{ required: true, message: a.priceKindRequired }]}>
          <Radio.Group
            optionType="button"
            options={priceKinds.map((kind) => ({ value: kind, label: priceKindLabels[kind] }))}
          />
        </Form.Item>
        <Form.Item label={a.amount} name="amountYuan" rules={[{ required: true, message: a.amountRequired }, amountRule]} dependencies={['kind']} extra={a.amountFreeExtra}>
          <Input inputMode="decimal" suffix={a.yuan} placeholder="195.00" style={{ width: 200 }} />
        </Form.Item>
        <Form.Item label={a.effective} name="when">
          <Radio.Group
            options={[
              { value: 'now', label: a.effectiveNow },
              { value: 'later', label: a.effectiveLater },
            ]}
          />
        </Form.Item>
        {when === 'later' && (
          <Form.Item
            name="effectiveFrom"
            rules={[
              { required: true, message: a.effectiveRequired },
              { validator: async (_r, v: Dayjs | undefined) => { if (v && v.isBefore(dayjs())) throw new Error(a.effectivePast); } },
            ]}
          >
            <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" disabledDate={(d) => d.isBefore(dayjs(), 'day')} aria-label={a.effective} />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}

function KindCard({ label, prices }: { label: string; prices: Price[] }) {
  const current = prices.find((p) => p.state === 'current');
  const next = prices.filter((p) => p.state === 'scheduled').at(-1);
  return (
    <Card size="small">
      <Statistic title={`${label} · ${a.currentPrice}`} value={current?.amountYuan ?? '—'} suffix={a.yuan} />
      <Typography.Text type="secondary">
        {next ? `${next.amountYuan} ${a.yuan}，${a.scheduledFrom(shanghaiTime(next.effectiveFrom))}` : a.noScheduled}
      </Typography.Text>
    </Card>
  );
}

export function AdminPricesPage() {
  const { message } = App.useApp();
  const { data, loading, error, reload } = useLoaded(adminApi.prices);
  const [adding, setAdding] = useState(false);
  const prices = data?.prices ?? [];

  const columns: TableColumnsType<Price> = [
    { title: a.priceKind, dataIndex: 'kindLabel', key: 'kind' },
    { title: a.amount, dataIndex: 'amountYuan', key: 'amount', align: 'right', render: (v: string) => <Typography.Text strong>{v}</Typography.Text> },
    { title: a.effective, dataIndex: 'effectiveFrom', key: 'from', render: (v: string) => shanghaiTime(v) },
    { title: a.status, key: 'state', render: (_: unknown, p) => <Badge status={stateBadge[p.state]} text={p.stateLabel} /> },
  ];

  return (
    <AdminPage
      title={a.pricesTitle}
      hint={a.pricesHint}
      error={error}
      onReload={reload}
      extra={
        <Button type="primary" icon={<PlusOutlined aria-hidden />} onClick={() => setAdding(true)}>
          {a.newPrice}
        </Button>
      }
    >
      <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
        {priceKinds.map((kind) => (
          <Col xs={24} md={12} xl={6} key={kind}>
            <KindCard label={priceKindLabels[kind]} prices={prices.filter((p) => p.kind === kind)} />
          </Col>
        ))}
      </Row>
      <Table<Price> rowKey="id" columns={columns} dataSource={prices} loading={loading} pagination={{ pageSize: 20, hideOnSinglePage: true }} />
      <NewPriceModal
        open={adding}
        onClose={() => setAdding(false)}
        onAdded={() => {
          setAdding(false);
          message.success(a.priceAdded);
          reload();
        }}
      />
    </AdminPage>
  );
}
