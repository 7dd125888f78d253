/**
 * 单位证书及电子印章申请: the applicant's orders, newest first, and the 申请 button that starts a new
 * one. Each row offers 查看; a 草稿 also 继续填写; a 待修改 also 修改 (the returned mode); a 资料审核通过
 * a primary 支付 (payment method choice, PaymentModal) and, under the row, the account, amount and
 * remittance code to transfer with; 草稿, 待审核, 待修改 and 资料审核通过 also 取消 (after a
 * confirmation). Once paid, 待确认印章 with a primary 确认印章 until the seal picture is approved, then
 * 证书与印章 (downloads); 已邮寄 shows the courier and waybill number, 待自取 the pickup address, and
 * both offer 确认收货. Once the invoice is issued, 下载发票. On a phone each application is a card of
 * its own (状态, 金额 and the buttons in view without scrolling sideways) instead of a table row.
 */
import { PlusOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Descriptions, Empty, Flex, Grid, Pagination, Popconfirm, Space, Spin, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { useNavigate } from 'react-router-dom';
import { errorMessage } from '../api';
import { applicationsApi, type ApplicationSummary, type BankTransfer } from './applicationsApi';
import { ArtefactsModal, ConfirmReceiptButton, ShipmentCell } from './DeliveryPanels';
import { PaymentModal } from './PaymentModal';
import { StatusTag } from './StatusTag';
import { applicationsStrings as s, deliveryStrings as ds, invoiceStrings as is, renewalPanelStrings as rs } from './strings';
import { invoicePdfUrl } from './invoiceApi';
import { PageTitle } from '../components/PageTitle';


/** The account, the exact amount and the remittance code of a 资料审核通过 application. */
function BankTransferNote({ transfer }: { transfer: BankTransfer }) {
  return (
    <Alert
      type="info"
      showIcon
      className="portal-bank-note"
      title={s.bankTransferTitle(transfer.amount)}
      description={
        <Flex vertical gap={2}>
          <span>{s.bankTransferLine(transfer)}</span>
          <span>
            {s.bankTransferCode}
            <Typography.Text strong copyable>
              {transfer.remittanceCode}
            </Typography.Text>
          </span>
          <span>{s.bankTransferAfter}</span>
        </Flex>
      }
    />
  );
}

const PAGE_SIZE = 10;

function StatusCell({ row }: { row: ApplicationSummary }) {
  return (
    <Flex vertical gap={4} align="flex-start">
      <Flex gap={4} wrap>
        {row.kind !== 'new' && <Tag color="blue">{row.kindLabel}</Tag>}
        <StatusTag status={row.status} label={row.statusLabel} />
      </Flex>
      {row.sealAwaited && <Tag color="orange">{ds.sealAwaited}</Tag>}
      {row.expiry && <Tag color={row.expiry.state === 'expired' ? 'red' : 'orange'}>{row.expiry.label}</Tag>}
    </Flex>
  );
}

/** A phone's list: one card per application, the same facts and buttons as the table's row. */
function ApplicationCards({ rows, actions }: { rows: ApplicationSummary[] | undefined; actions: (row: ApplicationSummary) => ReactNode }) {
  const [page, setPage] = useState(1);
  if (rows === undefined) return <Spin className="portal-page-loading" />;
  if (rows.length === 0) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={s.empty} />;
  return (
    <Flex vertical gap={12}>
      {rows.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE).map((row) => (
        <Card key={row.id} size="small" title={row.number} className="portal-application-card">
          <Descriptions
            column={1}
            size="small"
            items={[
              { key: 'org', label: s.columnOrganisation, children: row.orgName ?? '—' },
              { key: 'project', label: s.columnProject, children: row.projectName ?? '—' },
              { key: 'amount', label: s.columnAmount, children: s.yuan(row.amount) },
              { key: 'status', label: s.columnStatus, children: <StatusCell row={row} /> },
              ...(row.delivered ? [{ key: 'delivery', label: ds.columnDelivery, children: <ShipmentCell row={row} /> }] : []),
            ]}
          />
          {row.bankTransfer && <BankTransferNote transfer={row.bankTransfer} />}
          <div className="portal-application-actions">{actions(row)}</div>
        </Card>
      ))}
      {rows.length > PAGE_SIZE && <Pagination simple align="center" current={page} pageSize={PAGE_SIZE} total={rows.length} onChange={setPage} />}
    </Flex>
  );
}

export function ApplicationsPage() {
  const { message } = App.useApp();
  const mobile = Grid.useBreakpoint().md === false;
  const navigate = useNavigate();
  const [rows, setRows] = useState<ApplicationSummary[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [paying, setPaying] = useState<ApplicationSummary | undefined>(undefined);
  const [artefactsOf, setArtefactsOf] = useState<ApplicationSummary | undefined>(undefined);

  const load = useCallback(async () => {
    try {
      setRows(await applicationsApi.list());
      setError(undefined);
    } catch (err) {
      setError(errorMessage(err));
      setRows((r) => r ?? []);
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  async function cancel(row: ApplicationSummary) {
    try {
      await applicationsApi.cancel(row.id);
      message.success(s.cancelled(row.number));
    } catch (err) {
      message.error(errorMessage(err));
    }
    await load();
  }

  async function refund(row: ApplicationSummary) {
    try {
      const r = await applicationsApi.refund(row.id);
      message.success(s.refundRequested(r.statusLabel));
    } catch (err) {
      message.error(errorMessage(err));
    }
    await load();
  }

  const actions = (row: ApplicationSummary) => (
    <Space size={0} wrap>
      {row.events.includes('confirm_receipt') && <ConfirmReceiptButton row={row} onDone={() => void load()} />}
      {row.events.includes('submit_voucher') && (
        <Button type="primary" size="small" onClick={() => setPaying(row)}>
          {s.pay}
        </Button>
      )}
      {row.sealAwaited && (
        <Button type="primary" size="small" onClick={() => setArtefactsOf(row)}>
          {ds.approveSeal}
        </Button>
      )}
      <Button type="link" size="small" onClick={() => navigate(`/applications/${row.id}/view`)}>
        {s.view}
      </Button>
      {row.invoice?.downloadable && (
        <Button type="link" size="small" href={invoicePdfUrl(row.invoice.id)} download>
          {is.download}
        </Button>
      )}
      {row.events.includes('issue_online') && !row.sealAwaited && (
        <Button type="primary" size="small" onClick={() => setArtefactsOf(row)}>
          {rs.issueTitle}
        </Button>
      )}
      {row.production && !row.sealAwaited && (
        <Button type="link" size="small" onClick={() => setArtefactsOf(row)}>
          {ds.artefacts}
        </Button>
      )}
      {row.events.includes('submit') && (
        <Button type="link" size="small" onClick={() => navigate(`/applications/${row.id}`)}>
          {s.resume}
        </Button>
      )}
      {row.events.includes('resubmit') && (
        <Button type="link" size="small" onClick={() => navigate(`/applications/${row.id}`)}>
          {s.modify}
        </Button>
      )}
      {row.events.includes('refund') && (
        <Popconfirm title={s.refundConfirm} okText={s.cancelOk} cancelText={s.cancelKeep} onConfirm={() => refund(row)}>
          <Button type="link" size="small" danger>
            {s.cancel}
          </Button>
        </Popconfirm>
      )}
      {row.events.includes('cancel') && (
        <Popconfirm title={s.cancelConfirm} okText={s.cancelOk} cancelText={s.cancelKeep} onConfirm={() => cancel(row)}>
          <Button type="link" size="small" danger>
            {s.cancel}
          </Button>
        </Popconfirm>
      )}
    </Space>
  );

  const columns: TableColumnsType<ApplicationSummary> = [
    { title: s.columnNumber, dataIndex: 'number', key: 'number' },
    { title: s.columnOrganisation, dataIndex: 'orgName', key: 'orgName', render: (v: string | null) => v ?? '—' },
    { title: s.columnProject, dataIndex: 'projectName', key: 'projectName', ellipsis: true, width: 200, render: (v: string | null) => v ?? '—' },
    { title: s.columnAmount, dataIndex: 'amount', key: 'amount', align: 'right', render: (v: string) => s.yuan(v) },
    {
      title: s.columnStatus,
      dataIndex: 'statusLabel',
      key: 'status',
      render: (_label: string, row) => <StatusCell row={row} />,
    },
    {
      title: ds.columnDelivery,
      key: 'delivery',
      render: (_, row) => (row.delivered ? <ShipmentCell row={row} /> : '—'),
    },
    {
      title: s.columnActions,
      key: 'actions',
      // Always in view, however narrow the window: the row's buttons are what the applicant came for.
      fixed: 'right',
      render: (_, row) => actions(row),
    },
  ];

  return (
    <section className="portal-page">
      <Flex justify="space-between" align="center" wrap gap={12} className="portal-page-header">
        <PageTitle style={{ margin: 0 }}>
          {s.title}
        </PageTitle>
        <Button type="primary" icon={<PlusOutlined aria-hidden />} onClick={() => navigate('/applications/new')}>
          {s.apply}
        </Button>
      </Flex>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      {mobile ? (
        <ApplicationCards rows={rows} actions={actions} />
      ) : (
        <Table<ApplicationSummary>
          rowKey="id"
          columns={columns}
          dataSource={rows ?? []}
          loading={rows === undefined}
          locale={{ emptyText: s.empty }}
          pagination={{ pageSize: 10, hideOnSinglePage: true }}
          scroll={{ x: 'max-content' }}
          expandable={{
            // 资料审核通过: how to remit, on the list itself (the manual has the applicant remit, then press 支付).
            expandedRowRender: (row) => (row.bankTransfer ? <BankTransferNote transfer={row.bankTransfer} /> : null),
            rowExpandable: (row) => row.bankTransfer !== null,
            expandedRowKeys: (rows ?? []).filter((r) => r.bankTransfer).map((r) => r.id),
            showExpandColumn: false,
          }}
        />
      )}
      <PaymentModal application={paying} onClose={() => setPaying(undefined)} onChanged={() => void load()} />
      <ArtefactsModal row={artefactsOf} onClose={() => setArtefactsOf(undefined)} onChanged={() => void load()} />
    </section>
  );
}
