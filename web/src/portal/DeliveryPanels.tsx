/**
 * The applicant's list after payment: the 邮寄信息 cell (courier and waybill number, or the pickup
 * address), and 证书与印章 — the seal preview with 确认印章, and downloads of the certificates and
 * the seal once issued. What the CA module has not issued yet (or, before that module is merged,
 * its 404) reads as "正在制作中", never as an error.
 */
import { DownloadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Empty, Flex, Image, List, Modal, Popconfirm, Spin, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { ApiError, errorMessage } from '../api';
import { shanghaiTime } from '../console/format';
import type { ApplicationSummary } from './applicationsApi';
import { deliveryApi, type Artefacts, type Shipment } from './deliveryApi';
import { deliveryStrings as s } from './strings';

/** Statuses whose order has left the CA (or been completed): they have a shipment to show. */
export const DELIVERED = new Set(['shipped', 'awaiting_pickup', 'completed']);
/** From 已支付 on, certificates and the seal are being made or are there. */
export const PAID_ON = new Set(['paid', 'in_production', 'shipped', 'awaiting_pickup', 'completed']);

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

type Loaded = { kind: 'loading' } | { kind: 'none' } | { kind: 'error'; message: string } | { kind: 'ready'; artefacts: Artefacts };

export function ArtefactsModal({ row, onClose }: { row: ApplicationSummary | undefined; onClose: () => void }) {
  const { message } = App.useApp();
  const [state, setState] = useState<Loaded>({ kind: 'loading' });
  const [approving, setApproving] = useState(false);
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
      await load();
    } catch (err) {
      message.error(errorMessage(err));
    } finally {
      setApproving(false);
    }
  };

  const a = state.kind === 'ready' ? state.artefacts : undefined;
  const nothingYet = state.kind === 'none' || (a && !a.seal && a.certificates.length === 0);
  return (
    <Modal open={row !== undefined} title={row ? s.artefactsTitle(row.number) : ''} onCancel={onClose} footer={<Button onClick={onClose}>{s.close}</Button>} width={640} destroyOnHidden>
      {state.kind === 'loading' && <Spin />}
      {state.kind === 'error' && <Alert type="error" showIcon title={state.message} />}
      {nothingYet && <Alert type="info" showIcon title={s.notYet} />}
      {a && id && !nothingYet && (
        <Flex vertical gap={20}>
          {a.seal && (
            <section>
              <Typography.Title level={5}>{s.sealTitle}</Typography.Title>
              <Flex gap={16} align="center" wrap>
                <Image src={deliveryApi.sealPreviewUrl(id)} alt={s.sealPreviewAlt} width={140} height={140} style={{ objectFit: 'contain', border: '1px solid #f0f0f0' }} />
                <Flex vertical gap={8} align="flex-start">
                  <Typography.Text strong>{a.seal.name}</Typography.Text>
                  {a.sealApproval ? (
                    <Tag color="green">{s.sealApproved(shanghaiTime(a.sealApproval.approvedAt))}</Tag>
                  ) : (
                    <Popconfirm title={s.approveSealPrompt} okText={s.approveSeal} cancelText={s.confirmKeep} onConfirm={approve}>
                      <Button type="primary" loading={approving}>
                        {s.approveSeal}
                      </Button>
                    </Popconfirm>
                  )}
                  {a.sealApproval && (
                    <Button icon={<DownloadOutlined aria-hidden />} href={deliveryApi.sealFileUrl(id)}>
                      {s.downloadSeal}
                    </Button>
                  )}
                </Flex>
              </Flex>
            </section>
          )}
          <section>
            <Typography.Title level={5}>{s.certificatesTitle}</Typography.Title>
            {a.certificates.length === 0 ? (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={s.noCertificates} />
            ) : (
              <List
                dataSource={a.certificates}
                renderItem={(c) => (
                  <List.Item
                    actions={[
                      <Button key="download" size="small" icon={<DownloadOutlined aria-hidden />} href={deliveryApi.certificateUrl(id, c.serialHex)}>
                        {s.downloadCertificate}
                      </Button>,
                    ]}
                  >
                    <List.Item.Meta
                      title={
                        <Flex gap={8} align="center" wrap>
                          {c.profileLabel}（{c.familyLabel}）<Tag color={c.status === 'valid' ? 'green' : 'red'}>{c.statusLabel}</Tag>
                        </Flex>
                      }
                      description={s.validity(shanghaiTime(c.notBefore).slice(0, 10), shanghaiTime(c.notAfter).slice(0, 10))}
                    />
                  </List.Item>
                )}
              />
            )}
          </section>
        </Flex>
      )}
    </Modal>
  );
}
