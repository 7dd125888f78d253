/**
 * 申请审核: every field beside the attachments (zoom and rotate in a large viewer), duplicates,
 * the last review with what changed since, and the decision: 审核通过 or 审核不通过 with a reason
 * per returned item.
 */
import { ArrowLeftOutlined, RotateRightOutlined, UndoOutlined, ZoomInOutlined, ZoomOutOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Checkbox, Col, Descriptions, Flex, Input, List, Modal, Popconfirm, Result, Row, Space, Spin, Tag, Typography } from 'antd';
import { useEffect, useState, type ReactNode } from 'react';
import { TimelineCard, type TimelineEntry } from '../components/TimelineCard';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { errorMessage } from '../api';
import { reviewApi, timelineApi, type Delivery, type Invoice, type ReviewAttachment, type ReviewDetail } from './api';
import { shanghaiTime } from '../format';
import { s } from './strings';
import { PageTitle } from '../components/PageTitle';

const fieldItems: { item: string; label: string }[] = [
  { item: 'field:operator', label: s.operator },
  { item: 'field:organisation', label: s.organisation },
  { item: 'field:project', label: s.project },
  { item: 'field:invoice', label: s.invoice },
  { item: 'field:delivery', label: s.delivery },
];

const orEmpty = (v: string | null | undefined) => (v ? v : s.empty);

function ChangedTag({ on }: { on: boolean }) {
  return on ? <Tag color="orange">{s.changed}</Tag> : null;
}

function invoiceText(inv: Invoice | null): ReactNode {
  if (!inv) return s.empty;
  if (!inv.wanted) return s.invoiceNone;
  return (
    <Space direction="vertical" size={0}>
      <span>{inv.type === 'special' ? s.invoiceSpecial : s.invoiceNormal}</span>
      <span>
        {s.invoiceTitle}：{inv.title}
      </span>
      <span>
        {s.taxNumber}：{inv.taxNumber}
      </span>
      <span>
        {s.email}：{inv.email}
      </span>
      {inv.type === 'special' && (
        <>
          <span>
            {s.address}：{inv.address}
          </span>
          <span>
            {s.phone}：{inv.phone}
          </span>
          <span>
            {s.bank}：{inv.bank}
          </span>
          <span>
            {s.account}：{inv.account}
          </span>
        </>
      )}
    </Space>
  );
}

function deliveryText(d: Delivery | null): ReactNode {
  if (!d) return s.empty;
  if (d.method === 'pickup') return s.pickup;
  return (
    <Space direction="vertical" size={0}>
      <span>
        {s.post}（{d.courier}）
      </span>
      <span>
        {s.recipient}：{d.recipient} {d.phone}
      </span>
      <span>
        {d.province}
        {d.city}
        {d.district}
        {d.address}
      </span>
    </Space>
  );
}

function Viewer({ src, title, onClose }: { src: string; title: string; onClose: () => void }) {
  const [scale, setScale] = useState(1);
  const [rotation, setRotation] = useState(0);
  return (
    <Modal open title={title} onCancel={onClose} footer={null} width="90vw" centered destroyOnHidden>
      <Space style={{ marginBottom: 12 }}>
        <Button icon={<ZoomInOutlined aria-hidden />} onClick={() => setScale((v) => Math.min(5, v + 0.25))}>
          {s.zoomIn}
        </Button>
        <Button icon={<ZoomOutOutlined aria-hidden />} onClick={() => setScale((v) => Math.max(0.25, v - 0.25))}>
          {s.zoomOut}
        </Button>
        <Button icon={<RotateRightOutlined aria-hidden />} onClick={() => setRotation((v) => (v + 90) % 360)}>
          {s.rotate}
        </Button>
        <Button
          icon={<UndoOutlined aria-hidden />}
          onClick={() => {
            setScale(1);
            setRotation(0);
          }}
        >
          {s.viewerReset}
        </Button>
        <span>{Math.round(scale * 100)}%</span>
      </Space>
      <div className="console-viewer">
        <img src={src} alt={title} style={{ transform: `scale(${scale}) rotate(${rotation}deg)` }} />
      </div>
    </Modal>
  );
}

function RejectModal({
  detail,
  open,
  onClose,
  onDone,
}: {
  detail: ReviewDetail;
  open: boolean;
  onClose: () => void;
  onDone: () => void;
}) {
  const options = [...fieldItems, ...detail.attachments.map((a) => ({ item: `attachment:${a.kind}`, label: a.label }))];
  const [reasons, setReasons] = useState<Record<string, string>>({});
  const [checked, setChecked] = useState<string[]>([]);
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [touched, setTouched] = useState(false);

  const submit = async () => {
    setTouched(true);
    setError(undefined);
    if (checked.length === 0) {
      setError(s.pickOne);
      return;
    }
    if (checked.some((i) => (reasons[i] ?? '').trim().length < 2)) return;
    setBusy(true);
    try {
      await reviewApi.decide(detail.id, { decision: 'return', items: checked.map((item) => ({ item, reason: (reasons[item] ?? '').trim() })) });
      onDone();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal open={open} title={s.rejectTitle} onCancel={onClose} onOk={submit} okText={s.ok} cancelText={s.cancel} confirmLoading={busy} width={640} destroyOnHidden>
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} />}
      <List
        dataSource={options}
        renderItem={(o) => {
          const on = checked.includes(o.item);
          const bad = touched && on && (reasons[o.item] ?? '').trim().length < 2;
          return (
            <List.Item>
              <Flex vertical gap={4} style={{ width: '100%' }}>
                <Checkbox
                  checked={on}
                  onChange={(e) => setChecked((c) => (e.target.checked ? [...c, o.item] : c.filter((x) => x !== o.item)))}
                >
                  {o.label}
                </Checkbox>
                {on && (
                  <>
                    <Input
                      aria-label={`${o.label} ${s.reasonPlaceholder}`}
                      placeholder={s.reasonPlaceholder}
                      maxLength={200}
                      status={bad ? 'error' : undefined}
                      value={reasons[o.item] ?? ''}
                      onChange={(e) => setReasons((r) => ({ ...r, [o.item]: e.target.value }))}
                    />
                    {bad && <Typography.Text type="danger">{s.reasonRequired}</Typography.Text>}
                  </>
                )}
              </Flex>
            </List.Item>
          );
        }}
      />
    </Modal>
  );
}

export function ReviewDetailPage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const [detail, setDetail] = useState<ReviewDetail | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [viewing, setViewing] = useState<ReviewAttachment | undefined>();
  const [rejecting, setRejecting] = useState(false);
  const [approving, setApproving] = useState(false);
  const [timeline, setTimeline] = useState<TimelineEntry[] | undefined>();

  useEffect(() => {
    let current = true;
    timelineApi.get(id).then(
      (t) => current && setTimeline(t.entries),
      () => current && setTimeline([]),
    );
    reviewApi.detail(id).then(
      (d) => {
        if (current) setDetail(d);
      },
      (err: unknown) => {
        if (current) setError(errorMessage(err));
      },
    );
    return () => {
      current = false;
    };
  }, [id]);

  if (error) return <Result status="warning" title={error} extra={<Link to="/console/review">{s.back}</Link>} />;
  if (!detail) return <Spin size="large" />;

  const changed = new Set(detail.changedSinceLastReview ?? []);
  const isChanged = (item: string) => changed.has(item);
  const groupLabel = (item: string, label: string) => (
    <Space>
      {label}
      <ChangedTag on={isChanged(item)} />
    </Space>
  );
  const pending = detail.events.includes('approve');

  const approve = async () => {
    setApproving(true);
    try {
      const r = await reviewApi.decide(detail.id, { decision: 'approve' });
      message.success(r.stage === 'first' ? s.firstApprovalMessage : s.approvedMessage);
      navigate('/console/review');
    } catch (err) {
      message.error(errorMessage(err));
    } finally {
      setApproving(false);
    }
  };

  const flags = [
    ...(detail.registryOutcome === 'not_found' ? [s.registryNotFound] : []),
    ...(detail.manualReview ? [s.manualReview] : []),
  ];

  return (
    <Flex vertical gap={16}>
      <Card>
        <Flex justify="space-between" align="center" wrap gap={8}>
          <Space wrap>
            <Link to="/console/review">
              <ArrowLeftOutlined aria-hidden /> {s.back}
            </Link>
            <PageTitle style={{ margin: 0 }}>
              {s.detailTitle} {detail.number}
            </PageTitle>
            <Tag color="blue">{detail.statusLabel}</Tag>
            {detail.requiresSecondReview && <Tag color="purple">{s.secondReviewRequired}</Tag>}
            {flags.map((f) => (
              <Tag key={f} color="orange">
                {f}
              </Tag>
            ))}
          </Space>
          {pending && (
            <Space>
              <Popconfirm title={s.approveConfirm} okText={s.ok} cancelText={s.cancel} onConfirm={approve}>
                <Button type="primary" loading={approving}>
                  {s.approve}
                </Button>
              </Popconfirm>
              <Button danger onClick={() => setRejecting(true)}>
                {s.reject}
              </Button>
            </Space>
          )}
        </Flex>
      </Card>

      {(detail.duplicates.length > 0 || detail.validCertificates.length > 0) && (
        <Alert
          type="warning"
          showIcon
          message={s.duplicates}
          description={
            <Space direction="vertical" size={4}>
              {detail.duplicates.length > 0 && (
                <Space wrap>
                  {detail.duplicates.map((d) => (
                    <Link key={d.id} to={`/console/review/${d.id}`}>
                      {d.number}（{d.statusLabel}）
                    </Link>
                  ))}
                </Space>
              )}
              {detail.validCertificates.map((c) => (
                <span key={c.serialHex}>{s.validCertificate(c.serialHex, shanghaiTime(c.notAfter))}</span>
              ))}
            </Space>
          }
        />
      )}

      {detail.previousDecision && (
        <Card title={s.previous} size="small">
          <Typography.Paragraph>
            {detail.previousDecision.decision === 'approve'
              ? s.previousApproved
              : detail.previousDecision.decision === 'first_approval'
                ? s.previousFirstApproval
                : s.previousReturned}
            （{detail.previousDecision.reviewer ? `${detail.previousDecision.reviewer}，` : ''}
            {shanghaiTime(detail.previousDecision.at)}）
          </Typography.Paragraph>
          <List
            size="small"
            dataSource={detail.previousDecision.items}
            renderItem={(i) => (
              <List.Item>
                <Space>
                  <strong>{i.label}</strong>：{i.reason}
                  <ChangedTag on={isChanged(i.item)} />
                </Space>
              </List.Item>
            )}
          />
        </Card>
      )}

      <Row gutter={16}>
        <Col xs={24} lg={12}>
          <Card title={s.detailTitle} size="small">
            <Descriptions column={1} size="small" bordered>
              <Descriptions.Item label={s.type}>{detail.applicantTypeLabel}</Descriptions.Item>
              <Descriptions.Item label={s.submittedAt}>{shanghaiTime(detail.submittedAt)}</Descriptions.Item>
              <Descriptions.Item label={s.amount}>{detail.amount} 元</Descriptions.Item>
            </Descriptions>
            {[
              {
                item: 'field:operator',
                label: s.operator,
                rows: [
                  [s.operatorName, orEmpty(detail.operator.name)],
                  [s.operatorId, orEmpty(detail.operator.idNumber)],
                  [s.operatorPhone, orEmpty(detail.operator.phone)],
                ],
              },
              {
                item: 'field:organisation',
                label: s.organisation,
                rows: [
                  [s.orgName, orEmpty(detail.organisation.name)],
                  [s.uscc, orEmpty(detail.organisation.uscc)],
                  [s.legalRep, orEmpty(detail.organisation.legalRepresentative)],
                ],
              },
            ].map((g) => (
              <Descriptions
                key={g.item}
                title={groupLabel(g.item, g.label)}
                column={1}
                size="small"
                bordered
                style={{ marginTop: 16 }}
                className={isChanged(g.item) ? 'console-changed' : undefined}
              >
                {g.rows.map(([k, v]) => (
                  <Descriptions.Item key={k} label={k}>
                    {v}
                  </Descriptions.Item>
                ))}
              </Descriptions>
            ))}
            <Descriptions column={1} size="small" bordered style={{ marginTop: 16 }}>
              <Descriptions.Item label={groupLabel('field:project', s.project)} className={isChanged('field:project') ? 'console-changed' : undefined}>
                {`${orEmpty(detail.projectName)}（服务年限 ${detail.termYears} 年）`}
              </Descriptions.Item>
              <Descriptions.Item label={groupLabel('field:invoice', s.invoice)} className={isChanged('field:invoice') ? 'console-changed' : undefined}>
                {invoiceText(detail.invoice)}
              </Descriptions.Item>
              <Descriptions.Item label={groupLabel('field:delivery', s.delivery)} className={isChanged('field:delivery') ? 'console-changed' : undefined}>
                {deliveryText(detail.delivery)}
              </Descriptions.Item>
            </Descriptions>
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={s.attachments} size="small">
            <Flex wrap gap={12}>
              {detail.attachments.map((a) => {
                const item = `attachment:${a.kind}`;
                return (
                  <Card key={a.id} size="small" className={`console-thumb-card${isChanged(item) ? ' changed' : ''}`} style={{ width: 186 }}>
                    <button type="button" onClick={() => setViewing(a)} style={{ border: 0, padding: 0, background: 'none' }} aria-label={a.label}>
                      <img className="console-thumb" src={reviewApi.contentUrl(detail.id, a.id)} alt={a.label} loading="lazy" />
                    </button>
                    <div>
                      <Typography.Text>{a.label}</Typography.Text> <ChangedTag on={isChanged(item)} />
                    </div>
                  </Card>
                );
              })}
            </Flex>
          </Card>
        </Col>
      </Row>
      <TimelineCard entries={timeline} title="处理记录" />
      {viewing && <Viewer src={reviewApi.contentUrl(detail.id, viewing.id)} title={viewing.label} onClose={() => setViewing(undefined)} />}
      {rejecting && (
        <RejectModal
          detail={detail}
          open={rejecting}
          onClose={() => setRejecting(false)}
          onDone={() => {
            setRejecting(false);
            message.success(s.returnedMessage);
            navigate('/console/review');
          }}
        />
      )}
    </Flex>
  );
}
