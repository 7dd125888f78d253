/**
 * 发票管理 (财务): the invoices by status — 待开具 / 开具中, 开具失败 (with the platform's reason),
 * 已开具, 已红冲 — each opening a detail with 下载, 重新发送, 重试 (failed) and 重开 (a wrong title:
 * the issued invoice is reversed by a 红字发票 and a new one issued); and the 发票台账 for a period,
 * blue and red, with its totals, exported as Excel or CSV.
 */
import { Alert, App, Button, DatePicker, Descriptions, Drawer, Flex, Form, Input, Modal, Popconfirm, Segmented, Space, Statistic, Table, Tabs, Tag, Typography, type TableColumnsType } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useCallback, useEffect, useState } from 'react';
import { errorMessage } from '../api';
import { shanghaiTime } from '../format';
import { formOf } from '../../../src/domain/invoice';
import { InvoiceFields } from '../portal/apply/InvoiceFields';
import { consoleInvoiceApi, type ConsoleInvoice, type ConsoleInvoiceDetail, type InvoiceStatus, type Ledger, type WantedInvoice } from './invoiceApi';
import { PageTitle } from '../components/PageTitle';

const statusColour: Record<InvoiceStatus, string> = { pending: 'default', issuing: 'processing', issued: 'success', failed: 'error', reversed: 'warning', cancelled: 'default' };
const filters: { label: string; value: InvoiceStatus | 'all' }[] = [
  { label: '全部', value: 'all' },
  { label: '待开具', value: 'pending' },
  { label: '开具中', value: 'issuing' },
  { label: '开具失败', value: 'failed' },
  { label: '已开具', value: 'issued' },
  { label: '已红冲', value: 'reversed' },
];

function StatusCell({ row }: { row: Pick<ConsoleInvoice, 'status' | 'statusLabel' | 'colour' | 'colourLabel'> }) {
  return (
    <Space size={4}>
      {row.colour === 'red' && <Tag color="red">{row.colourLabel}</Tag>}
      <Tag color={statusColour[row.status]}>{row.statusLabel}</Tag>
    </Space>
  );
}

function InvoiceDrawer({ id, onClose, onChanged }: { id: string | undefined; onClose: () => void; onChanged: () => void }) {
  const { message } = App.useApp();
  const [detail, setDetail] = useState<ConsoleInvoiceDetail | undefined>();
  const [reissuing, setReissuing] = useState(false);
  const [resending, setResending] = useState(false);
  const [busy, setBusy] = useState(false);
  const [reissueForm] = Form.useForm<{ invoice: WantedInvoice }>();
  const [resendForm] = Form.useForm<{ email?: string }>();

  const load = useCallback(async () => {
    if (!id) return setDetail(undefined);
    try {
      setDetail(await consoleInvoiceApi.detail(id));
    } catch (err) {
      message.error(errorMessage(err));
    }
  }, [id, message]);
  useEffect(() => {
    void load();
  }, [load]);

  async function act(run: () => Promise<unknown>, done: string) {
    setBusy(true);
    try {
      await run();
      message.success(done);
      onChanged();
      await load();
      return true;
    } catch (err) {
      message.error(errorMessage(err));
      return false;
    } finally {
      setBusy(false);
    }
  }

  const inv = detail?.invoice;
  return (
    <Drawer title={inv ? `发票详情 · ${inv.applicationNumber}` : '发票详情'} open={id !== undefined} onClose={onClose} size="large">
      {inv && (
        <Flex vertical gap={16}>
          <Descriptions bordered size="small" column={1}>
            <Descriptions.Item label="状态">
              <StatusCell row={inv} />
            </Descriptions.Item>
            <Descriptions.Item label="发票号码">{inv.number ?? '—'}</Descriptions.Item>
            <Descriptions.Item label="发票类型">{inv.typeLabel}</Descriptions.Item>
            <Descriptions.Item label="购买方名称">{inv.buyer.name}</Descriptions.Item>
            <Descriptions.Item label="纳税人识别号">{inv.buyer.taxNumber}</Descriptions.Item>
            {inv.type === 'special' && <Descriptions.Item label="地址、电话">{`${inv.buyer.address ?? ''} ${inv.buyer.phone ?? ''}`}</Descriptions.Item>}
            {inv.type === 'special' && <Descriptions.Item label="开户行及账号">{`${inv.buyer.bank ?? ''} ${inv.buyer.account ?? ''}`}</Descriptions.Item>}
            <Descriptions.Item label="邮箱">{inv.fullEmail}</Descriptions.Item>
            <Descriptions.Item label="金额 / 税额 / 价税合计">{`${inv.amount} 元 / ${inv.tax} 元（${inv.taxRate}） / ${inv.total} 元`}</Descriptions.Item>
            <Descriptions.Item label="开票日期">{inv.issuedAt ? shanghaiTime(inv.issuedAt) : '—'}</Descriptions.Item>
            {inv.reason && <Descriptions.Item label="红冲原因">{inv.reason}</Descriptions.Item>}
            {inv.lastError && (
              <Descriptions.Item label="开票平台答复">
                <Typography.Text type="danger">{inv.lastError}</Typography.Text>
              </Descriptions.Item>
            )}
          </Descriptions>
          <Space wrap>
            {inv.downloadable && (
              <Button href={consoleInvoiceApi.pdfUrl(inv.id)} download>
                下载发票
              </Button>
            )}
            {inv.downloadable && <Button onClick={() => setResending(true)}>重新发送</Button>}
            {inv.status === 'failed' && (
              <Popconfirm title="重新提交开票平台开具？" okText="重试" cancelText="取消" onConfirm={() => act(() => consoleInvoiceApi.retry(inv.id), '已重新提交开具')}>
                <Button type="primary" loading={busy}>
                  重试
                </Button>
              </Popconfirm>
            )}
            {inv.colour === 'blue' && inv.status === 'issued' && (
              <Button
                danger
                onClick={() => {
                  reissueForm.setFieldsValue({ invoice: formOf({ type: inv.type, buyer: inv.buyer, email: inv.fullEmail }) });
                  setReissuing(true);
                }}
              >
                重开
              </Button>
            )}
          </Space>
          {detail.related.length > 0 && (
            <Table
              size="small"
              rowKey="id"
              pagination={false}
              title={() => '同一申请的其他发票'}
              dataSource={detail.related}
              columns={[
                { title: '发票号码', dataIndex: 'number', render: (v: string | null) => v ?? '—' },
                { title: '状态', key: 's', render: (_: unknown, r) => <StatusCell row={r} /> },
                { title: '价税合计（元）', dataIndex: 'total', align: 'right' },
                { title: '抬头', dataIndex: 'buyerName' },
              ]}
            />
          )}
          <Table
            size="small"
            rowKey="id"
            pagination={false}
            title={() => '邮件发送记录'}
            locale={{ emptyText: '尚未发送' }}
            dataSource={detail.mails}
            columns={[
              { title: '时间', dataIndex: 'at', render: (v: string) => shanghaiTime(v) },
              { title: '收件邮箱', dataIndex: 'to' },
              { title: '结果', dataIndex: 'statusLabel' },
              { title: '说明', dataIndex: 'error', render: (v: string | null) => v ?? '—' },
            ]}
          />
        </Flex>
      )}
      <Modal
        title="重开发票"
        open={reissuing}
        okText="红冲并重开"
        okButtonProps={{ danger: true }}
        cancelText="取消"
        confirmLoading={busy}
        destroyOnHidden
        width={560}
        onCancel={() => setReissuing(false)}
        onOk={async () => {
          const { invoice } = await reissueForm.validateFields();
          if (inv && (await act(() => consoleInvoiceApi.reissue(inv.id, { ...invoice, wanted: true }), '已红冲原发票，并按更正后的信息重新开具'))) setReissuing(false);
        }}
      >
        <Alert type="warning" showIcon title="原发票将由红字发票冲销，并按下列信息开具新发票；新发票开具后自动发送至邮箱。" style={{ marginBottom: 16 }} />
        <Form form={reissueForm} layout="vertical" preserve={false}>
          <InvoiceFields wantedOnly />
        </Form>
      </Modal>
      <Modal
        title="重新发送发票"
        open={resending}
        okText="发送"
        cancelText="取消"
        confirmLoading={busy}
        destroyOnHidden
        onCancel={() => setResending(false)}
        onOk={async () => {
          const { email } = await resendForm.validateFields();
          if (inv && (await act(() => consoleInvoiceApi.resend(inv.id, email?.trim() || undefined), '已提交发送'))) setResending(false);
        }}
      >
        <Form form={resendForm} layout="vertical" preserve={false}>
          <Form.Item name="email" label="收件邮箱（留空则发送至原邮箱）" rules={[{ type: 'email', message: '邮箱格式不正确' }]}>
            <Input inputMode="email" maxLength={100} />
          </Form.Item>
        </Form>
      </Modal>
    </Drawer>
  );
}

function InvoiceQueue() {
  const [filter, setFilter] = useState<InvoiceStatus | 'all'>('all');
  const [search, setSearch] = useState('');
  const [rows, setRows] = useState<ConsoleInvoice[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [open, setOpen] = useState<string | undefined>();

  const load = useCallback(async () => {
    try {
      setRows(await consoleInvoiceApi.list(filter === 'all' ? undefined : filter, search.trim() || undefined));
      setError(undefined);
    } catch (err) {
      setError(errorMessage(err));
      setRows((r) => r ?? []);
    }
  }, [filter, search]);
  useEffect(() => {
    void load();
  }, [load]);

  const columns: TableColumnsType<ConsoleInvoice> = [
    { title: '申请单号', dataIndex: 'applicationNumber' },
    { title: '单位名称', dataIndex: 'orgName', render: (v: string | null) => v ?? '—' },
    { title: '发票抬头', dataIndex: 'buyerName' },
    { title: '发票类型', dataIndex: 'typeLabel' },
    { title: '价税合计（元）', dataIndex: 'total', align: 'right' },
    { title: '状态', key: 'status', render: (_, r) => <StatusCell row={r} /> },
    { title: '发票号码', dataIndex: 'number', render: (v: string | null) => v ?? '—' },
    { title: '说明', dataIndex: 'lastError', ellipsis: true, render: (v: string | null) => (v ? <Typography.Text type="danger">{v}</Typography.Text> : '—') },
    {
      title: '操作',
      key: 'actions',
      render: (_, r) => (
        <Button type="link" size="small" onClick={() => setOpen(r.id)}>
          详情
        </Button>
      ),
    },
  ];

  return (
    <Flex vertical gap={12}>
      <Flex gap={12} wrap align="center">
        <Segmented options={filters} value={filter} onChange={(v) => setFilter(v as InvoiceStatus | 'all')} />
        <Input.Search placeholder="按申请单号查找" allowClear style={{ width: 240 }} onSearch={setSearch} />
      </Flex>
      {error && <Alert type="error" showIcon title={error} />}
      <Table<ConsoleInvoice> rowKey="id" columns={columns} dataSource={rows ?? []} loading={rows === undefined} locale={{ emptyText: '没有发票' }} scroll={{ x: 'max-content' }} />
      <InvoiceDrawer id={open} onClose={() => setOpen(undefined)} onChanged={() => void load()} />
    </Flex>
  );
}

function InvoiceLedger() {
  const [range, setRange] = useState<[Dayjs, Dayjs]>([dayjs().startOf('month'), dayjs()]);
  const [ledger, setLedger] = useState<Ledger | undefined>();
  const [error, setError] = useState<string | undefined>();
  const from = range[0].format('YYYY-MM-DD');
  const to = range[1].format('YYYY-MM-DD');

  useEffect(() => {
    consoleInvoiceApi.ledger(from, to).then(
      (l) => {
        setLedger(l);
        setError(undefined);
      },
      (err: unknown) => setError(errorMessage(err)),
    );
  }, [from, to]);

  return (
    <Flex vertical gap={12}>
      <Flex gap={12} wrap align="center">
        <DatePicker.RangePicker value={range} allowClear={false} onChange={(v) => v?.[0] && v[1] && setRange([v[0], v[1]])} />
        <Button href={consoleInvoiceApi.exportUrl(from, to, 'xlsx')} download>
          导出 Excel
        </Button>
        <Button href={consoleInvoiceApi.exportUrl(from, to, 'csv')} download>
          导出 CSV
        </Button>
      </Flex>
      {error && <Alert type="error" showIcon title={error} />}
      {ledger && (
        <Flex gap={32} wrap>
          <Statistic title="发票张数" value={ledger.totals.count} />
          <Statistic title="金额合计（元）" value={ledger.totals.amount} />
          <Statistic title="税额合计（元）" value={ledger.totals.tax} />
          <Statistic title="价税合计（元）" value={ledger.totals.total} />
        </Flex>
      )}
      <Table
        rowKey="id"
        size="small"
        dataSource={ledger?.rows ?? []}
        loading={!ledger && !error}
        locale={{ emptyText: '该期间没有开具的发票' }}
        scroll={{ x: 'max-content' }}
        columns={[
          { title: '开票日期', dataIndex: 'issuedAt', render: (v: string | null) => shanghaiTime(v) },
          { title: '发票号码', dataIndex: 'number' },
          { title: '红蓝字', key: 'c', render: (_: unknown, r: Ledger['rows'][number]) => (r.colour === 'red' ? <Tag color="red">{r.colourLabel}</Tag> : r.colourLabel) },
          { title: '申请单号', dataIndex: 'applicationNumber' },
          { title: '购买方名称', dataIndex: 'buyerName' },
          { title: '金额（元）', dataIndex: 'amount', align: 'right' },
          { title: '税额（元）', dataIndex: 'tax', align: 'right' },
          { title: '价税合计（元）', dataIndex: 'total', align: 'right' },
          { title: '状态', dataIndex: 'statusLabel' },
        ]}
      />
    </Flex>
  );
}

export function InvoicesPage() {
  return (
    <section>
      <PageTitle>发票管理</PageTitle>
      <Tabs
        items={[
          { key: 'queue', label: '发票管理', children: <InvoiceQueue /> },
          { key: 'ledger', label: '发票台账', children: <InvoiceLedger /> },
        ]}
      />
    </section>
  );
}
