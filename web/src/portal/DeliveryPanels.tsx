/**
 * The applicant's list after payment: the 邮寄信息 cell (courier and waybill number, or the pickup
 * address), and 证书与印章 — the seal picture with 确认印章 from 已支付 on (production waits for it),
 * and downloads of the certificates and the seal once issued. What is not issued yet reads as
 * "正在制作中", never as an error.
 */
import { DownloadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Empty, Flex, Form, Image, Input, List, Modal, Popconfirm, Select, Spin, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { ApiError, errorMessage } from '../api';
import { applicantRevocationReasonLabels, applicantRevocationReasons } from '../../../src/domain/revocation-reasons';
import { shanghaiTime } from '../format';
import type { ApplicationSummary } from './applicationsApi';
import { deliveryApi, type Artefacts, type HeldCertificate, type Shipment } from './deliveryApi';
import { AftersalesButtons } from './AftersalesPanels';
import { ExpiryTags, RenewalIssuePanel, RenewButton } from './RenewalPanels';
import { deliveryStrings as s, unlockStrings } from './strings';
import { UnlockModal } from './UnlockPanel';


export function ShipmentCell({ row }: { row: ApplicationSummary }) {
  const [shipment, setShipment] = useState<Shipment | null | undefined>(undefined);
  useEffect(() => {
    let current = true;
    deliveryApi.shipment(row.id).then(
      (sh) => current && setShipment(sh),
      () => current && setShipment(null),
    );
    return () => {
      current = false;
    };
  }, [row.id, row.status]);
  if (shipment === undefined) return <Spin size="small" />;
  if (!shipment) return '—';
  if (shipment.method === 'post') {
    return (
      <Typography.Text copyable={{ text: shipment.trackingNumber ?? '' }}>
        {s.tracking(shipment.courierLabel ?? '', shipment.trackingNumber ?? '')}
      </Typography.Text>
    );
  }
  return <Typography.Text>{s.pickupAt(shipment.pickupAddress ?? '')}</Typography.Text>;
}

export function ConfirmReceiptButton({ row, onDone }: { row: ApplicationSummary; onDone: () => void }) {
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  const confirm = async () => {
    setBusy(true);
    try {
      await deliveryApi.confirmReceipt(row.id);
      message.success(s.received(row.number));
    } catch (err) {
      message.error(errorMessage(err));
    } finally {
      setBusy(false);
      onDone();
    }
  };
  return (
    <Popconfirm title={s.confirmReceiptPrompt} okText={s.confirmOk} cancelText={s.confirmKeep} onConfirm={confirm}>
      <Button type="primary" size="small" loading={busy}>
        {s.confirmReceipt}
      </Button>
    </Popconfirm>
  );
}

const requestTagColor = { pending: 'gold', approved: 'red', rejected: 'default' } as const;

/** 申请吊销: the reason (and a note) for one certificate; staff decide, the holder is told by SMS. */
function RevocationModal({ id, certificate, onClose }: { id: string; certificate: HeldCertificate | undefined; onClose: (sent: boolean) => void }) {
  const { message } = App.useApp();
  const [form] = Form.useForm<{ reason?: string; note?: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const submit = async (values: { reason?: string; note?: string }) => {
    if (!certificate || !values.reason) return;
    setBusy(true);
    setError(undefined);
    try {
      await deliveryApi.requestRevocation(id, certificate.serialHex, { reason: values.reason, note: values.note?.trim() ?? '' });
      message.success(s.revocationSent);
      onClose(true);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open={certificate !== undefined}
      title={certificate ? s.revocationTitle(certificate.profileLabel) : ''}
      okText={s.revocationSubmit}
      okButtonProps={{ danger: true, loading: busy }}
      cancelText={s.confirmKeep}
      onOk={() => form.submit()}
      onCancel={() => onClose(false)}
      destroyOnHidden
    >
      <Flex vertical gap={12}>
        <Alert type="warning" showIcon title={s.revocationIntro} />
        {certificate?.pairSerialHex && <Alert type="info" showIcon title={s.revocationPairNote} />}
        <Form form={form} layout="vertical" onFinish={submit} name="revocation">
          <Form.Item name="reason" label={s.revocationReason} rules={[{ required: true, message: s.revocationReasonRequired }]}>
            <Select placeholder={s.revocationReasonRequired} options={applicantRevocationReasons.map((r) => ({ value: r, label: applicantRevocationReasonLabels[r] }))} />
          </Form.Item>
          <Form.Item name="note" label={s.revocationNote} rules={[{ max: 200, message: s.revocationNoteMax }]}>
            <Input.TextArea rows={3} maxLength={200} showCount />
          </Form.Item>
        </Form>
        {error && <Alert type="error" showIcon title={error} />}
      </Flex>
    </Modal>
  );
}

type Loaded = { kind: 'loading' } | { kind: 'none' } | { kind: 'error'; message: string } | { kind: 'ready'; artefacts: Artefacts };

export function ArtefactsModal({ row, onClose, onChanged }: { row: ApplicationSummary | undefined; onClose: () => void; onChanged?: () => void }) {
  const { message } = App.useApp();
  const [state, setState] = useState<Loaded>({ kind: 'loading' });
  const [approving, setApproving] = useState(false);
  const [revoking, setRevoking] = useState<HeldCertificate | undefined>(undefined);
  const [unlocking, setUnlocking] = useState<HeldCertificate | undefined>(undefined);
  const id = row?.id;

  const load = useCallback(async () => {
    if (!id) return;
    try {
      setState({ kind: 'ready', artefacts: await deliveryApi.artefacts(id) });
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) setState({ kind: 'none' });
      else setState({ kind: 'error', message: errorMessage(err) });
    }
  }, [id]);

  useEffect(() => {
    setState({ kind: 'loading' });
    void load();
  }, [load]);

  const approve = async () => {
    if (!id) return;
    setApproving(true);
    try {
      await deliveryApi.approveSeal(id);
      onChanged?.();
      await load();
    } catch (err) {
      message.error(errorMessage(err));
    } finally {
      setApproving(false);
    }
  };

  const a = state.kind === 'ready' ? state.artefacts : undefined;
  const nothingYet =
    state.kind === 'none' || (a && !a.seal && !a.sealPicture && a.certificates.length === 0 && !row?.events.includes('issue_online'));
  return (
    <Modal open={row !== undefined} title={row ? s.artefactsTitle(row.number) : ''} onCancel={onClose} footer={<Button onClick={onClose}>{s.close}</Button>} width={640} className="portal-artefacts" destroyOnHidden>
      {state.kind === 'loading' && <Spin />}
      {state.kind === 'error' && <Alert type="error" showIcon title={state.message} />}
      {nothingYet && <Alert type="info" showIcon title={s.notYet} />}
      {a && id && !nothingYet && (
        <Flex vertical gap={20}>
          {(a.seal ?? a.sealPicture) && (
            <section>
              <Typography.Title level={5}>{s.sealTitle}</Typography.Title>
              {a.sealPicture?.awaited && <Alert type="warning" showIcon title={s.sealAwaited} description={s.sealAwaitedHint} style={{ marginBottom: 12 }} />}
              <Flex gap={16} align="center" wrap>
                <Image
                  src={a.seal?.pictureUrl ?? a.sealPicture?.url}
                  alt={s.sealPreviewAlt}
                  width={140}
                  height={140}
                  style={{ objectFit: 'contain', border: '1px solid #f0f0f0' }}
                />
                <Flex vertical gap={8} align="flex-start">
                  <Typography.Text strong>{a.seal?.name ?? row?.orgName}</Typography.Text>
                  {a.sealApproval ? (
                    <Tag color="green">{s.sealApproved(shanghaiTime(a.sealApproval.approvedAt))}</Tag>
                  ) : (
                    a.sealPicture?.approvable && (
                      <Popconfirm title={s.approveSealPrompt} okText={s.approveSeal} cancelText={s.confirmKeep} onConfirm={approve}>
                        <Button type="primary" loading={approving}>
                          {s.approveSeal}
                        </Button>
                      </Popconfirm>
                    )
                  )}
                  {a.seal ? (
                    <Button icon={<DownloadOutlined aria-hidden />} href={deliveryApi.sealFileUrl(id)}>
                      {s.downloadSeal}
                    </Button>
                  ) : (
                    a.sealApproval && <Typography.Text type="secondary">{s.sealPending}</Typography.Text>
                  )}
                </Flex>
              </Flex>
            </section>
          )}
          {row?.events.includes('issue_online') && !a.sealPicture?.awaited && a.certificates.length === 0 && (
            <RenewalIssuePanel
              id={id}
              onIssued={() => {
                onChanged?.();
                void load();
              }}
            />
          )}
          <section>
            <Typography.Title level={5}>{s.certificatesTitle}</Typography.Title>
            {a.certificates.length === 0 ? (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={s.noCertificates} />
            ) : (
              <List
                dataSource={a.certificates}
                renderItem={(c) => {
                  const request = c.revocationRequest;
                  const canAsk = c.status === 'valid' && request?.status !== 'pending';
                  // One 解锁 per USB key: on its signing certificate (an SM2 pair shares the key).
                  const onUsbKey = c.usbKeySerial !== null && c.status !== 'revoked' && c.profile === 'unitSigning';
                  return (
                    <List.Item
                      actions={[
                        <Button key="download" size="small" icon={<DownloadOutlined aria-hidden />} href={deliveryApi.certificateUrl(id, c.serialHex)}>
                          {s.downloadCertificate}
                        </Button>,
                        <RenewButton key="renew" certificate={c} />,
                        <AftersalesButtons key="aftersales" applicationId={id} certificate={c} onChanged={() => void load()} />,
                        ...(onUsbKey
                          ? [
                              <Button key="unlock" size="small" onClick={() => setUnlocking(c)}>
                                {unlockStrings.unlock}
                              </Button>,
                            ]
                          : []),
                        ...(canAsk
                          ? [
                              <Button key="revoke" size="small" danger onClick={() => setRevoking(c)}>
                                {s.requestRevocation}
                              </Button>,
                            ]
                          : []),
                      ]}
                    >
                      <List.Item.Meta
                        title={
                          <Flex gap={8} align="center" wrap>
                            {c.profileLabel}（{c.familyLabel}）<Tag color={c.status === 'valid' ? 'green' : 'red'}>{c.statusLabel}</Tag>
                            {request && c.status !== 'revoked' && <Tag color={requestTagColor[request.status]}>{request.statusLabel}</Tag>}
                            <ExpiryTags certificate={c} />
                          </Flex>
                        }
                        description={
                          <Flex vertical gap={2}>
                            <span>{s.validity(shanghaiTime(c.notBefore).slice(0, 10), shanghaiTime(c.notAfter).slice(0, 10))}</span>
                            {c.profile === 'unitEncryption' && <span>{s.encryptionPairNote}</span>}
                            {c.revokedAt && <span>{s.revokedAt(shanghaiTime(c.revokedAt), c.revocationReasonLabel ?? '')}</span>}
                            {request?.status === 'rejected' && request.decisionNote && c.status === 'valid' && (
                              <Typography.Text type="warning">{s.revocationRejected(request.decisionNote)}</Typography.Text>
                            )}
                          </Flex>
                        }
                      />
                    </List.Item>
                  );
                }}
              />
            )}
          </section>
        </Flex>
      )}
      {id && <UnlockModal id={id} certificate={unlocking} onClose={() => setUnlocking(undefined)} />}
      {id && (
        <RevocationModal
          id={id}
          certificate={revoking}
          onClose={(sent) => {
            setRevoking(undefined);
            if (sent) void load();
          }}
        />
      )}
    </Modal>
  );
}
