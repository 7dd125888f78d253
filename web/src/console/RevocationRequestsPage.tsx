/**
 * 吊销申请 (制证员 and 管理员): holders' requests to revoke a certificate. 同意吊销 revokes it at once
 * (CRL re-signed, OCSP answers revoked); 不予吊销 needs a reason the holder reads. Decided requests
 * stay listed under their own tabs as the record.
 */
import { Alert, App, Button, Input, Modal, Popconfirm, Space, Table, Tabs, Tag, Typography, type TableColumnsType } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import type {
  RevocationRequestView,
  StaffRevocationRequestView,
  StaffRevocationRequests,
} from '../../../src/http/contract.ts';
import { errorMessage } from '../api';
import { staffClient } from './api';
import { shanghaiTime } from '../format';
import { PageTitle } from '../components/PageTitle';

type StaffRevocationRequest = StaffRevocationRequestView;

type Status = RevocationRequestView['status'];
const tabs: { key: Status; label: string }[] = [
  { key: 'pending', label: '待审核' },
  { key: 'approved', label: '已吊销' },
  { key: 'rejected', label: '不予吊销' },
];

const revocationApi = {
  list: (status: Status) => staffClient.request<StaffRevocationRequests>('GET', `/api/revocation-requests?status=${status}`),
  approve: (id: string) => staffClient.request<RevocationRequestView>('POST', `/api/revocation-requests/${id}/approve`, { body: {} }),
  reject: (id: string, note: string) => staffClient.request<RevocationRequestView>('POST', `/api/revocation-requests/${id}/reject`, { body: { note } }),
};

export function RevocationRequestsPage() {
  const { message } = App.useApp();
  const [status, setStatus] = useState<Status>('pending');
  const [items, setItems] = useState<StaffRevocationRequest[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>();
  const [rejecting, setRejecting] = useState<StaffRevocationRequest | undefined>();
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      setItems((await revocationApi.list(status)).items);
      setError(undefined);
    } catch (err) {
      setError(errorMessage(err));
    }
  }, [status]);

  useEffect(() => {
    setItems(undefined);
    void load();
  }, [load]);

  async function act(run: () => Promise<unknown>, done: string) {
    setBusy(true);
    try {
      await run();
      message.success(done);
      setRejecting(undefined);
      setNote('');
    } catch (err) {
      message.error(errorMessage(err));
    } finally {
      setBusy(false);
    }
    await load();
  }

  const columns: TableColumnsType<StaffRevocationRequest> = [
    { title: '申请单号', dataIndex: 'applicationNumber', width: 170 },
    { title: '单位名称', dataIndex: 'orgName', render: (v: string | null) => v ?? '—' },
    { title: '证书', key: 'certificate', render: (_, r) => `${r.profileLabel}（${r.familyLabel}）` },
    {
      title: '序列号',
      dataIndex: 'certificateSerial',
      render: (v: string) => (
        <Typography.Text copyable style={{ fontFamily: 'monospace' }}>
          {v}
        </Typography.Text>
      ),
    },
    // 挂失 is revoked at once (listed under 已同意): the 制证员 sees it and expects the 补办.
    { title: '类型', dataIndex: 'kindLabel', render: (v: string, r) => (r.kind === 'loss_report' ? <Tag color="red">{v}</Tag> : v) },
    { title: '吊销原因', dataIndex: 'reasonLabel' },
    { title: '申请说明', dataIndex: 'note', render: (v: string) => v || '—' },
    { title: '提交时间', dataIndex: 'createdAt', render: (v: string) => shanghaiTime(v) },
    ...(status === 'pending'
      ? [
          {
            title: '操作',
            key: 'actions',
            render: (_: unknown, r: StaffRevocationRequest) => (
              <Space>
                <Popconfirm
                  title={`确认吊销 ${r.applicationNumber} 的${r.profileLabel}？吊销立即生效，不可恢复。`}
                  okText="同意吊销"
                  okButtonProps={{ danger: true }}
                  cancelText="取消"
                  onConfirm={() => act(() => revocationApi.approve(r.id), `已吊销 ${r.applicationNumber} 的${r.profileLabel}`)}
                >
                  <Button danger type="primary" size="small">
                    同意吊销
                  </Button>
                </Popconfirm>
                <Button size="small" onClick={() => setRejecting(r)}>
                  不予吊销
                </Button>
              </Space>
            ),
          },
        ]
      : [
          { title: '处理时间', dataIndex: 'decidedAt', render: (v: string | null) => (v ? shanghaiTime(v) : '—') },
          ...(status === 'rejected' ? [{ title: '不予吊销原因', dataIndex: 'decisionNote', render: (v: string | null) => v ?? '—' }] : []),
        ]),
  ];

  return (
    <>
      <PageTitle>吊销申请</PageTitle>
      <Tabs activeKey={status} onChange={(k) => setStatus(k as Status)} items={tabs.map((t) => ({ key: t.key, label: t.label }))} />
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Table<StaffRevocationRequest>
        rowKey="id"
        loading={items === undefined && !error}
        dataSource={items ?? []}
        columns={columns}
        pagination={false}
        locale={{ emptyText: status === 'pending' ? '暂无待审核的吊销申请' : '暂无记录' }}
      />
      <Modal
        open={rejecting !== undefined}
        title={rejecting ? `不予吊销 ${rejecting.applicationNumber}` : ''}
        okText="不予吊销"
        cancelText="取消"
        okButtonProps={{ disabled: note.trim() === '', loading: busy }}
        onOk={() => rejecting && act(() => revocationApi.reject(rejecting.id, note.trim()), `已告知申请人不予吊销`)}
        onCancel={() => {
          setRejecting(undefined);
          setNote('');
        }}
        destroyOnHidden
      >
        <Typography.Paragraph>请填写原因，申请人会在短信和“证书与印章”中看到。证书将保持有效。</Typography.Paragraph>
        <Input.TextArea aria-label="不予吊销原因" rows={3} maxLength={200} showCount value={note} onChange={(e) => setNote(e.target.value)} />
      </Modal>
    </>
  );
}
