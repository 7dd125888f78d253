/**
 * 制证: one order from 已支付 to 已完成 — the details production needs (organisation, USCC, 领取方式,
 * invoice, amount), 开始制证, then 签发证书 and 电子印章 (ProductionCaPanels), then 邮寄 with courier
 * and waybill number, 通知自取, or 现场领取; and the order's 处理记录.
 */
import { ArrowLeftOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Col, Descriptions, Flex, Form, Input, Popconfirm, Result, Row, Select, Space, Spin, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { Link, useParams } from 'react-router-dom';
import { errorMessage } from '../api';
import { TimelineCard } from '../components/TimelineCard';
import { productionApi, type Courier, type ProductionDetail, type TimelineEntry } from './api';
import { shanghaiTime } from '../format';
import { handOverMissing, ProductionCaPanels, useArtefacts } from './ProductionCaPanels';
import { ps } from './strings';
import { PageTitle } from '../components/PageTitle';

function deliveryText(d: ProductionDetail): ReactNode {
  const delivery = d.delivery;
  if (!delivery) return ps.emptyValue;
  if (delivery.method === 'pickup') return `${d.deliveryLabel}（${d.pickupAddress}）`;
  return (
    <Space direction="vertical" size={0}>
      <span>{d.deliveryLabel}</span>
      <span>
        {ps.recipient}：{delivery.recipient} {delivery.phone}
      </span>
      <span>
        {delivery.province}
        {delivery.city}
        {delivery.district}
        {delivery.address}
      </span>
    </Space>
  );
}

function invoiceText(d: ProductionDetail): ReactNode {
  const inv = d.invoice;
  if (!inv) return ps.emptyValue;
  if (!inv.wanted) return ps.invoiceNone;
  return `${inv.type === 'special' ? ps.invoiceSpecial : ps.invoiceNormal}：${inv.title}（${inv.taxNumber}），${inv.email}`;
}

function ShipmentCard({ d }: { d: ProductionDetail }) {
  const s = d.shipment;
  if (!s) return null;
  return (
    <Card title={ps.shipmentTitle} size="small">
      <Descriptions column={1} size="small" bordered>
        <Descriptions.Item label={ps.delivery}>{s.methodLabel}</Descriptions.Item>
        {s.method === 'post' ? (
          <Descriptions.Item label={ps.tracking}>
            {s.courierLabel} <Typography.Text copyable>{s.trackingNumber}</Typography.Text>
          </Descriptions.Item>
        ) : (
          <Descriptions.Item label={ps.pickupAddress}>{s.pickupAddress}</Descriptions.Item>
        )}
        {s.note && <Descriptions.Item label={ps.note}>{s.note}</Descriptions.Item>}
        <Descriptions.Item label={ps.shippedAt}>{shanghaiTime(s.shippedAt)}</Descriptions.Item>
        {s.completedAt && <Descriptions.Item label={ps.completedAt}>{shanghaiTime(s.completedAt)}</Descriptions.Item>}
        {s.completedHowLabel && <Descriptions.Item label={ps.completedHow}>{s.completedHowLabel}</Descriptions.Item>}
      </Descriptions>
    </Card>
  );
}

/** 邮寄 (courier + 运单号) or 通知自取, while 制证中. */
function DeliverCard({ d, onDone }: { d: ProductionDetail; onDone: () => void }) {
  const { message } = App.useApp();
  const [busy, setBusy] = useState<'ship' | 'pickup' | undefined>();
  const [reason, setReason] = useState('');
  const posted = d.delivery?.method === 'post';
  const initialCourier: Courier = d.delivery?.method === 'post' && d.delivery.courier === 'SF' ? 'SF' : 'EMS';

  const run = async (kind: 'ship' | 'pickup', call: () => Promise<unknown>, done: string) => {
    setBusy(kind);
    try {
      await call();
      message.success(done);
      onDone();
    } catch (err) {
      message.error(errorMessage(err));
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <Card title={ps.deliverTitle} size="small">
      {posted && (
        <Form
          layout="vertical"
          initialValues={{ courier: initialCourier, trackingNumber: '' }}
          onFinish={(v: { courier: Courier; trackingNumber: string }) => run('ship', () => productionApi.ship(d.id, v.courier, v.trackingNumber), ps.shipped)}
        >
          <Typography.Title level={5}>{ps.post}</Typography.Title>
          <Flex gap={12} wrap>
            <Form.Item label={ps.courier} name="courier" rules={[{ required: true, message: ps.courierRequired }]} style={{ width: 140 }}>
              <Select options={[{ value: 'EMS', label: 'EMS' }, { value: 'SF', label: '顺丰' }]} />
            </Form.Item>
            <Form.Item label={ps.tracking} name="trackingNumber" rules={[{ required: true, whitespace: true, message: ps.trackingRequired }]} style={{ flex: 1, minWidth: 220 }}>
              <Input placeholder={ps.trackingPlaceholder} maxLength={40} />
            </Form.Item>
          </Flex>
          <Button type="primary" htmlType="submit" loading={busy === 'ship'}>
            {ps.ship}
          </Button>
        </Form>
      )}
      <Flex vertical gap={8} style={{ marginTop: posted ? 24 : 0 }}>
        <Typography.Title level={5}>{ps.notifyPickup}</Typography.Title>
        <Typography.Text type="secondary">{ps.pickupHint(d.pickupAddress)}</Typography.Text>
        {posted && <Input.TextArea aria-label={ps.pickupReason} placeholder={ps.pickupReasonPlaceholder} value={reason} onChange={(e) => setReason(e.target.value)} rows={2} maxLength={200} />}
        <div>
          <Button type={posted ? 'default' : 'primary'} loading={busy === 'pickup'} onClick={() => run('pickup', () => productionApi.pickup(d.id, reason.trim() || undefined), ps.notified)}>
            {ps.notifyPickup}
          </Button>
        </div>
      </Flex>
    </Card>
  );
}

export function ProductionDetailPage() {
  const { id = '' } = useParams();
  const { message } = App.useApp();
  const [detail, setDetail] = useState<ProductionDetail | undefined>();
  const [timeline, setTimeline] = useState<TimelineEntry[]>([]);
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const artefacts = useArtefacts(id);

  const load = useCallback(async () => {
    try {
      setDetail(await productionApi.detail(id));
      setTimeline((await productionApi.timeline(id)).entries);
    } catch (err) {
      setError(errorMessage(err));
    }
  }, [id]);

  useEffect(() => {
    void load();
  }, [load]);

  if (error) return <Result status="warning" title={error} extra={<Link to="/console/production">{ps.back}</Link>} />;
  if (!detail) return <Spin size="large" />;

  const act = async (call: () => Promise<unknown>, done: string) => {
    setBusy(true);
    try {
      await call();
      message.success(done);
      await load();
    } catch (err) {
      message.error(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const d = detail;
  const inProduction = d.canIssue;
  const missing = handOverMissing(artefacts.state.kind === 'ready' ? artefacts.state.artefacts : undefined);
  return (
    <Flex vertical gap={16}>
      <Card>
        <Flex justify="space-between" align="center" wrap gap={8}>
          <Space wrap>
            <Link to={`/console/production?status=${d.status === 'completed' ? 'paid' : d.status}`}>
              <ArrowLeftOutlined aria-hidden /> {ps.back}
            </Link>
            <PageTitle style={{ margin: 0 }}>
              {ps.detailTitle} {d.number}
            </PageTitle>
            <Tag color={d.status === 'completed' ? 'green' : 'blue'}>{d.statusLabel}</Tag>
          </Space>
          {d.events.includes('start_production') && (
            <Popconfirm title={ps.startConfirm} okText={ps.ok} cancelText={ps.cancel} onConfirm={() => act(() => productionApi.start(d.id), ps.started)}>
              <Button type="primary" loading={busy}>
                {ps.start}
              </Button>
            </Popconfirm>
          )}
          {d.events.includes('hand_over') && (
            <Popconfirm title={ps.handoverConfirm} okText={ps.ok} cancelText={ps.cancel} onConfirm={() => act(() => productionApi.handover(d.id), ps.handedOver)}>
              <Button type="primary" loading={busy}>
                {ps.handover}
              </Button>
            </Popconfirm>
          )}
        </Flex>
      </Card>

      <Row gutter={[16, 16]}>
        <Col xs={24} xl={9}>
          <Flex vertical gap={16}>
            <Card title={ps.basics} size="small">
              <Descriptions column={1} size="small" bordered>
                <Descriptions.Item label={ps.number}>{d.number}</Descriptions.Item>
                <Descriptions.Item label={ps.organisation}>{d.organisation.name ?? ps.emptyValue}</Descriptions.Item>
                <Descriptions.Item label={ps.uscc}>{d.organisation.uscc ?? ps.emptyValue}</Descriptions.Item>
                <Descriptions.Item label={ps.legalRep}>{d.organisation.legalRepresentative ?? ps.emptyValue}</Descriptions.Item>
                <Descriptions.Item label={ps.type}>{d.applicantTypeLabel}</Descriptions.Item>
                <Descriptions.Item label={ps.operator}>
                  {d.operator.name} {d.operator.phone}
                </Descriptions.Item>
                <Descriptions.Item label={ps.project}>{d.projectName ?? ps.emptyValue}</Descriptions.Item>
                <Descriptions.Item label={ps.delivery}>{deliveryText(d)}</Descriptions.Item>
                <Descriptions.Item label={ps.invoice}>{invoiceText(d)}</Descriptions.Item>
                <Descriptions.Item label={ps.amount}>{d.amount} 元</Descriptions.Item>
                <Descriptions.Item label={ps.submittedAt}>{shanghaiTime(d.submittedAt)}</Descriptions.Item>
                <Descriptions.Item label={ps.statusAt}>{shanghaiTime(d.updatedAt)}</Descriptions.Item>
              </Descriptions>
            </Card>
            <ShipmentCard d={d} />
            <TimelineCard entries={timeline} title={ps.timeline} />
          </Flex>
        </Col>
        <Col xs={24} xl={15}>
          <Flex vertical gap={16}>
            {d.events.includes('start_production') && (
              <Card title={ps.startTitle} size="small">
                <Typography.Paragraph>{ps.startHint}</Typography.Paragraph>
              </Card>
            )}
            {d.status === 'shipped' && <Alert type="info" showIcon message={ps.waitingReceipt} />}
            <ProductionCaPanels id={d.id} canIssue={inProduction} state={artefacts.state} reload={artefacts.reload} />
            {inProduction &&
              (missing.length === 0 ? (
                <DeliverCard d={d} onDone={() => void load()} />
              ) : (
                <Card title={ps.deliverTitle} size="small">
                  <Typography.Text type="secondary">{ps.handOverWaiting(missing.join('和'))}</Typography.Text>
                </Card>
              ))}
          </Flex>
        </Col>
      </Row>
    </Flex>
  );
}
