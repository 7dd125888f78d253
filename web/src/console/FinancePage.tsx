/**
 * 财务: 待确认到账 (the voucher beside the remittance code and amount; 确认到账 or 驳回 with a
 * reason), 待退款, and 导入对账单 (a CSV statement matched by remittance code and exact amount).
 */
import { UploadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Image, Input, Modal, Popconfirm, Space, Table, Tabs, Tag, Typography, Upload, type TableColumnsType } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { errorMessage } from '../api';
import { financeApi, type FinanceItem, type RefundItem, type StatementLineResult } from './financeApi';
import { shanghaiTime } from '../format';
import { PageTitle } from '../components/PageTitle';

const resultLabels: Record<StatementLineResult['result'], { text: string; color: string }> = {
  matched: { text: '已匹配并确认到账', color: 'green' },
  amount_mismatch: { text: '金额不符，请人工核对', color: 'orange' },
  no_code: { text: '未找到汇款识别码', color: 'default' },
  unknown_code: { text: '识别码无待确认订单', color: 'default' },
  duplicate_line: { text: '重复到账，请人工核对', color: 'orange' },
  not_confirmed: { text: '未能确认（状态已变化）', color: 'red' },
  error: { text: '处理失败', color: 'red' },
};

export function FinancePage() {
  const { message } = App.useApp();
  const [items, setItems] = useState<FinanceItem[]>([]);
  const [refunds, setRefunds] = useState<RefundItem[]>([]);
  const [error, setError] = useState<string | undefined>();
  const [rejecting, setRejecting] = useState<FinanceItem | undefined>();
  const [reason, setReason] = useState('');
  const [statement, setStatement] = useState<StatementLineResult[] | undefined>();

  const load = useCallback(async () => {
    try {
      setItems((await financeApi.queue()).items);
      setRefunds((await financeApi.refunds()).items);
      setError(undefined);
    } catch (err) {
      setError(errorMessage(err));
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  async function act(run: () => Promise<{ statusLabel: string }>, done: string) {
    try {
      await run();
      message.success(done);
    } catch (err) {
      message.error(errorMessage(err));
    }
    await load();
  }

  const columns: TableColumnsType<FinanceItem> = [
    { title: '申请单号', dataIndex: 'number' },
    { title: '单位名称', dataIndex: 'orgName', render: (v: string | null) => v ?? '—' },
    { title: '金额（元）', dataIndex: 'amount', align: 'right', width: 100 },
    { title: '汇款识别码', dataIndex: 'remittanceCode', width: 130, render: (v: string | null) => <Typography.Text style={{ whiteSpace: 'nowrap', fontFamily: 'monospace' }}>{v}</Typography.Text> },
    { title: '支付说明', dataIndex: 'note', render: (v: string) => v || '—' },
    { title: '提交时间', dataIndex: 'createdAt', render: (v: string) => shanghaiTime(v) },
    {
      title: '凭证',
      key: 'voucher',
      render: (_, row) => <Image src={financeApi.voucherUrl(row.id)} alt={`${row.number} 汇款凭证`} width={80} />,
    },
    {
      title: '操作',
      key: 'actions',
      render: (_, row) => (
        <Space>
          <Popconfirm title={`确认 ${row.number} 已到账 ${row.amount} 元？`} okText="确认到账" cancelText="取消" onConfirm={() => act(() => financeApi.confirm(row.id), '已确认到账')}>
            <Button type="primary" size="small">
              确认到账
            </Button>
          </Popconfirm>
          <Button size="small" danger onClick={() => setRejecting(row)}>
            驳回
          </Button>
        </Space>
      ),
    },
  ];

  const refundColumns: TableColumnsType<RefundItem> = [
    { title: '申请单号', dataIndex: 'number' },
    { title: '单位名称', dataIndex: 'orgName', render: (v: string | null) => v ?? '—' },
    { title: '金额（元）', dataIndex: 'amount', align: 'right' },
    { title: '原因', dataIndex: 'reason' },
    { title: '状态', dataIndex: 'status', render: (v: string) => (v === 'failed' ? <Tag color="red">退款失败</Tag> : <Tag>待退款</Tag>) },
    {
      title: '操作',
      key: 'actions',
      render: (_, row) => (
        <Popconfirm title="微信支付原路退回；银行汇款请先线下汇回再确认" okText="已退款" cancelText="取消" onConfirm={() => act(() => financeApi.completeRefund(row.id), '已退款')}>
          <Button size="small">退款</Button>
        </Popconfirm>
      ),
    },
  ];

  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <PageTitle style={{ margin: 0 }}>
        财务管理
      </PageTitle>
      {error && <Alert type="error" showIcon title={error} />}
      <Tabs
        items={[
          { key: 'queue', label: `待确认到账（${items.length}）`, children: <Table rowKey="id" columns={columns} dataSource={items} locale={{ emptyText: '暂无待确认的汇款' }} /> },
          { key: 'refunds', label: `待退款（${refunds.length}）`, children: <Table rowKey="id" columns={refundColumns} dataSource={refunds} locale={{ emptyText: '暂无待退款' }} /> },
          {
            key: 'statement',
            label: '导入对账单',
            children: (
              <Card size="small">
                <Typography.Paragraph type="secondary">
                  上传银行导出的 CSV 对账单（首行为表头，需含“金额/贷方金额”和“摘要/附言”列）。附言中的汇款识别码与金额都相符的记录自动确认到账，其余留待人工核对。
                </Typography.Paragraph>
                <Upload
                  accept=".csv,text/csv"
                  maxCount={1}
                  showUploadList={false}
                  beforeUpload={(file) => {
                    financeApi.importStatement(file).then(
                      (r) => {
                        setStatement(r.lines);
                        message.success(`导入完成：${r.matched} 笔已确认到账`);
                        void load();
                      },
                      (err: unknown) => message.error(errorMessage(err)),
                    );
                    return false;
                  }}
                >
                  <Button icon={<UploadOutlined aria-hidden />}>选择对账单文件</Button>
                </Upload>
                {statement && (
                  <Table
                    style={{ marginTop: 16 }}
                    rowKey="line"
                    size="small"
                    dataSource={statement}
                    columns={[
                      { title: '行', dataIndex: 'line' },
                      { title: '日期', dataIndex: 'date' },
                      { title: '付款人', dataIndex: 'payer' },
                      { title: '金额（元）', dataIndex: 'amount', align: 'right' },
                      { title: '摘要', dataIndex: 'memo' },
                      { title: '申请单号', dataIndex: 'number', render: (v: string | null) => v ?? '—' },
                      { title: '结果', dataIndex: 'result', render: (v: StatementLineResult['result']) => <Tag color={resultLabels[v].color}>{resultLabels[v].text}</Tag> },
                    ]}
                  />
                )}
              </Card>
            ),
          },
        ]}
      />
      <Modal
        open={rejecting !== undefined}
        title={`驳回 ${rejecting?.number ?? ''}`}
        okText="驳回"
        cancelText="取消"
        okButtonProps={{ danger: true, disabled: reason.trim().length < 2 }}
        onCancel={() => setRejecting(undefined)}
        onOk={() => {
          const row = rejecting;
          if (!row) return;
          setRejecting(undefined);
          void act(() => financeApi.reject(row.id, reason.trim()), '已驳回，已短信通知申请人');
          setReason('');
        }}
        destroyOnHidden
      >
        <Input.TextArea aria-label="驳回原因" placeholder="如：未查到该笔汇款，请核对汇款账号和金额" maxLength={100} showCount value={reason} onChange={(e) => setReason(e.target.value)} />
      </Modal>
    </Space>
  );
}
