/**
 * 发票 on 申请详情: each invoice of the application (blue, and red after a refund or 重开) with its
 * status, number, 下载发票 and 重新发送 (to the address on record or a corrected one), and 修改发票信息
 * while the invoice is not yet at the platform. Before payment it says when the invoice comes.
 */
import { Alert, App, Button, Card, Descriptions, Flex, Form, Input, Modal, Space, Table, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { errorMessage } from '../api';
import { shanghaiTime } from '../format';
import { InvoiceFields } from './apply/InvoiceFields';
import { invoiceApi, invoicePdfUrl, type ApplicantInvoices, type WantedInvoice } from './invoiceApi';
import { invoiceStrings as s } from './strings';

type InvoiceRow = ApplicantInvoices['invoices'][number];

const statusColour: Record<InvoiceRow['status'], string> = { pending: 'default', issuing: 'processing', issued: 'success', failed: 'error', reversed: 'warning', cancelled: 'default' };

function ResendButton({ invoice, onSent }: { invoice: InvoiceRow; onSent: () => void }) {
  const { message } = App.useApp();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<{ email?: string }>();
  async function send() {
    const { email } = await form.validateFields();
    setBusy(true);
    try {
      const mail = await invoiceApi.resend(invoice.id, email?.trim() || undefined);
      message.success(s.resent(mail.to));
      setOpen(false);
      onSent();
    } catch (err) {
      message.error(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <>
      <Button type="link" size="small" onClick={() => setOpen(true)}>
        {s.resend}
      </Button>
      <Modal title={s.resendTitle} open={open} okText={s.send} cancelText={s.cancel} confirmLoading={busy} onOk={() => void send()} onCancel={() => setOpen(false)} destroyOnHidden>
        <Typography.Paragraph>{s.resendNote(invoice.email)}</Typography.Paragraph>
        <Form form={form} layout="vertical">
          <Form.Item name="email" label={s.resendEmail} rules={[{ type: 'email', message: s.emailInvalid }]}>
            <Input inputMode="email" autoComplete="email" maxLength={100} placeholder={s.resendPlaceholder} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}

function ChangeBuyerModal({ applicationId, current, open, onClose, onChanged }: { applicationId: string; current: WantedInvoice; open: boolean; onClose: () => void; onChanged: () => void }) {
  const { message } = App.useApp();
  const [form] = Form.useForm<{ invoice: WantedInvoice }>();
  const [busy, setBusy] = useState(false);
  async function save() {
    const { invoice } = await form.validateFields();
    setBusy(true);
    try {
      await invoiceApi.change(applicationId, { ...invoice, wanted: true });
      message.success(s.changed);
      onClose();
      onChanged();
    } catch (err) {
      message.error(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Modal title={s.changeTitle} open={open} okText={s.save} cancelText={s.cancel} confirmLoading={busy} onOk={() => void save()} onCancel={onClose} destroyOnHidden width={560}>
      <Alert type="info" showIcon title={s.changeNote} style={{ marginBottom: 16 }} />
      <Form form={form} layout="vertical" initialValues={{ invoice: current }} preserve={false}>
        <InvoiceFields wantedOnly />
      </Form>
    </Modal>
  );
}

export function InvoiceCard({ applicationId }: { applicationId: string }) {
  const [data, setData] = useState<ApplicantInvoices | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [changing, setChanging] = useState(false);

  const load = useCallback(async () => {
    try {
      setData(await invoiceApi.ofApplication(applicationId));
      setError(undefined);
    } catch (err) {
      setError(errorMessage(err));
    }
  }, [applicationId]);

  useEffect(() => {
    void load();
  }, [load]);

  // While the platform is at work, look again now and then (an invoice arrives within minutes).
  useEffect(() => {
    if (!data?.invoices.some((i) => i.status === 'pending' || i.status === 'issuing')) return;
    const timer = setInterval(() => void load(), 4000);
    return () => clearInterval(timer);
  }, [data, load]);

  if (error) return <Alert type="warning" showIcon title={error} />;
  if (!data || !data.requested?.wanted) return null;

  const columns = [
    { title: s.colour, key: 'colour', render: (_: unknown, r: InvoiceRow) => (r.colour === 'red' ? <Tag color="red">{r.colourLabel}</Tag> : r.colourLabel) },
    { title: s.number, dataIndex: 'number', key: 'number', render: (v: string | null) => v ?? '—' },
    { title: s.type, dataIndex: 'typeLabel', key: 'type' },
    { title: s.buyer, dataIndex: 'buyerName', key: 'buyer' },
    { title: s.total, dataIndex: 'total', key: 'total', align: 'right' as const, render: (v: string) => `${v} 元` },
    {
      title: s.status,
      key: 'status',
      render: (_: unknown, r: InvoiceRow) => (
        <Flex vertical gap={2} align="flex-start">
          <Tag color={statusColour[r.status]}>{r.statusLabel}</Tag>
          {r.reason && <Typography.Text type="secondary">{s.reason(r.reason)}</Typography.Text>}
          {r.status === 'failed' && <Typography.Text type="danger">{s.failedNote}</Typography.Text>}
        </Flex>
      ),
    },
    { title: s.issuedAt, dataIndex: 'issuedAt', key: 'issuedAt', render: (v: string | null) => (v ? shanghaiTime(v) : '—') },
    {
      title: s.mails,
      key: 'mails',
      render: (_: unknown, r: InvoiceRow) =>
        r.mails.length === 0 ? '—' : (
          <Flex vertical gap={2}>
            {r.mails.map((m) => (
              <span key={m.id}>{s.mailLine(shanghaiTime(m.at), m.to, m.statusLabel)}</span>
            ))}
          </Flex>
        ),
    },
    {
      title: s.actions,
      key: 'actions',
      render: (_: unknown, r: InvoiceRow) =>
        r.downloadable ? (
          <Space size={0} wrap>
            <Button type="link" size="small" href={invoicePdfUrl(r.id)} download>
              {s.download}
            </Button>
            <ResendButton invoice={r} onSent={() => void load()} />
          </Space>
        ) : (
          '—'
        ),
    },
  ];

  return (
    <Card
      size="small"
      title={s.title}
      extra={
        data.editable && (
          <Button size="small" onClick={() => setChanging(true)}>
            {s.change}
          </Button>
        )
      }
    >
      {data.invoices.length === 0 ? (
        <Descriptions size="small" column={1}>
          <Descriptions.Item label={s.status}>{data.paid ? s.waitingPlatform : s.afterPayment}</Descriptions.Item>
        </Descriptions>
      ) : (
        <Table<InvoiceRow> rowKey="id" size="small" columns={columns} dataSource={data.invoices} pagination={false} scroll={{ x: 'max-content' }} />
      )}
      {data.requested.wanted && (
        <ChangeBuyerModal applicationId={applicationId} current={data.requested} open={changing} onClose={() => setChanging(false)} onChanged={() => void load()} />
      )}
    </Card>
  );
}
