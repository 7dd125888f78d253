/**
 * 签发证书, 电子印章 and the certificates issued, on the 制证 page. The CA module serves these
 * (caApi); until it is merged its endpoints answer 404 and the panels say the service is not open.
 * A software certificate's password comes back once: it is shown in a modal with a warning and the
 * .p12 download, and never kept by the page after it closes. SM2 issues a dual pair (签名 + 加密);
 * from a USB key's CSR the encryption key comes back once as an envelope to download and write into
 * the USB key, in a modal of its own.
 */
import { DownloadOutlined, SafetyCertificateOutlined, UploadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Empty, Flex, Form, Image, Input, Modal, Radio, Select, Space, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { ApiError, errorMessage } from '../api';
import { caApi, type Artefacts, type CertificateView, type IssueRequest, type IssueResult } from './api';
import { shanghaiTime } from '../format';
import { ps } from './strings';
import { downloadBase64 } from '../download';

export type ArtefactsState = { kind: 'loading' } | { kind: 'unavailable' } | { kind: 'error'; message: string } | { kind: 'ready'; artefacts: Artefacts };
type Loaded = ArtefactsState;

/** The CA module's artefacts of one application, reloadable; a 404 means the module is not there yet. */
export function useArtefacts(id: string) {
  const [state, setState] = useState<Loaded>({ kind: 'loading' });
  const load = useCallback(async () => {
    try {
      setState({ kind: 'ready', artefacts: await caApi.artefacts(id) });
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) setState({ kind: 'unavailable' });
      else setState({ kind: 'error', message: errorMessage(err) });
    }
  }, [id]);
  useEffect(() => {
    void load();
  }, [load]);
  return { state, reload: load };
}


/** What one 签发证书 produced: one certificate, or the two of an SM2 dual pair. */
function IssuedList({ certificates }: { certificates: CertificateView[] }) {
  return (
    <div>
      <Typography.Text type="secondary">{ps.issuedCertificates}</Typography.Text>
      <ul style={{ margin: '4px 0 0', paddingInlineStart: 20 }}>
        {certificates.map((c) => (
          <li key={c.serialHex}>
            {c.profileLabel}（{c.familyLabel}） <Typography.Text code>{c.serialHex}</Typography.Text>
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * What the server hands over once and keeps no copy of (the PKCS#12 password, the envelope): the
 * modal closes only by its button, after the warning, the certificates issued and the download.
 */
function OnceModal(props: { title: string; warning: string; closeText: string; onClose: () => void; certificates: CertificateView[]; children: ReactNode }) {
  return (
    <Modal open title={props.title} closable={false} maskClosable={false} keyboard={false} footer={<Button type="primary" onClick={props.onClose}>{props.closeText}</Button>}>
      <Flex vertical gap={16}>
        <Alert type="warning" showIcon message={props.warning} />
        <IssuedList certificates={props.certificates} />
        {props.children}
      </Flex>
    </Modal>
  );
}

function P12Modal({ result, onClose }: { result: IssueResult & { p12: NonNullable<IssueResult['p12']> }; onClose: () => void }) {
  const { p12 } = result;
  return (
    <OnceModal title={ps.p12Title} warning={ps.p12Warning} closeText={ps.p12Close} onClose={onClose} certificates={result.certificates}>
      {result.certificates.length > 1 && <Typography.Text>{ps.p12Dual}</Typography.Text>}
      <div>
        <Typography.Text type="secondary">{ps.p12Password}</Typography.Text>
        <Typography.Paragraph copyable={{ text: p12.password }} code style={{ fontSize: 20, marginTop: 4 }} aria-label={ps.p12Password}>
          {p12.password}
        </Typography.Paragraph>
      </div>
      <Button icon={<DownloadOutlined aria-hidden />} onClick={() => downloadBase64(p12.base64, p12.fileName, 'application/x-pkcs12')}>
        {ps.p12Download}（{p12.fileName}）
      </Button>
    </OnceModal>
  );
}

function EnvelopeModal({ result, onClose }: { result: IssueResult & { envelope: NonNullable<IssueResult['envelope']> }; onClose: () => void }) {
  const { envelope } = result;
  return (
    <OnceModal title={ps.envelopeTitle} warning={ps.envelopeWarning} closeText={ps.envelopeClose} onClose={onClose} certificates={result.certificates}>
      <Typography.Text>{ps.envelopeIntro(result.certificates[0]?.usbKeySerial ?? '')}</Typography.Text>
      <Button icon={<DownloadOutlined aria-hidden />} onClick={() => downloadBase64(envelope.base64, envelope.fileName, 'application/octet-stream')}>
        {ps.envelopeDownload}（{envelope.fileName}）
      </Button>
    </OnceModal>
  );
}

interface IssueValues {
  mode: 'csr' | 'software';
  csrPem?: string;
  usbKeySerial?: string;
  family?: 'sm2' | 'p256';
}

function IssueForm({ id, onIssued }: { id: string; onIssued: () => void }) {
  const { message } = App.useApp();
  const [form] = Form.useForm<IssueValues>();
  const mode = Form.useWatch('mode', form) ?? 'csr';
  const [busy, setBusy] = useState(false);
  const [shown, setShown] = useState<IssueResult>();
  const fileInput = useRef<HTMLInputElement>(null);

  const submit = async (v: IssueValues) => {
    const body: IssueRequest =
      v.mode === 'csr' ? { mode: 'csr', csrPem: (v.csrPem ?? '').trim(), usbKeySerial: (v.usbKeySerial ?? '').trim() } : { mode: 'software', family: v.family ?? 'sm2' };
    setBusy(true);
    try {
      const result = await caApi.issue(id, body);
      message.success(ps.issued);
      if (result.p12 || result.envelope) setShown(result);
      form.resetFields(['csrPem', 'usbKeySerial']);
      onIssued();
    } catch (err) {
      message.error(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Form form={form} layout="vertical" initialValues={{ mode: 'csr', family: 'sm2' }} onFinish={submit}>
        <Form.Item name="mode">
          <Radio.Group optionType="button" buttonStyle="solid" options={[{ value: 'csr', label: ps.issueUsbKey }, { value: 'software', label: ps.issueSoftware }]} />
        </Form.Item>
        {mode === 'csr' ? (
          <>
            <Form.Item label={ps.csr} name="csrPem" rules={[{ required: true, whitespace: true, message: ps.csrRequired }]}>
              <Input.TextArea rows={5} placeholder={ps.csrPlaceholder} style={{ fontFamily: 'monospace', fontSize: 12 }} />
            </Form.Item>
            <input
              ref={fileInput}
              type="file"
              accept=".csr,.pem,.req,.txt"
              // Never the browser's own (English) file control: the button below opens it.
              style={{ display: 'none' }}
              aria-hidden
              onChange={(e) => {
                const file = e.target.files?.[0];
                if (file) void file.text().then((text) => form.setFieldValue('csrPem', text));
                e.target.value = '';
              }}
            />
            <Button icon={<UploadOutlined aria-hidden />} onClick={() => fileInput.current?.click()} style={{ marginBottom: 16 }}>
              {ps.csrUpload}
            </Button>
            <Form.Item label={ps.usbKeySerial} name="usbKeySerial" rules={[{ required: true, whitespace: true, message: ps.usbKeySerialRequired }]}>
              <Input maxLength={64} />
            </Form.Item>
          </>
        ) : (
          <Form.Item label={ps.family} name="family">
            <Radio.Group options={[{ value: 'sm2', label: ps.familySm2 }, { value: 'p256', label: ps.familyP256 }]} />
          </Form.Item>
        )}
        <Button type="primary" htmlType="submit" loading={busy} icon={<SafetyCertificateOutlined aria-hidden />}>
          {ps.issue}
        </Button>
      </Form>
      {shown?.p12 && <P12Modal result={{ ...shown, p12: shown.p12 }} onClose={() => setShown(undefined)} />}
      {shown?.envelope && <EnvelopeModal result={{ ...shown, envelope: shown.envelope }} onClose={() => setShown(undefined)} />}
    </>
  );
}

function RevokeModal({ cert, onClose, onDone }: { cert: CertificateView; onClose: () => void; onDone: () => void }) {
  const { message } = App.useApp();
  const [reason, setReason] = useState<string>('unspecified');
  const [busy, setBusy] = useState(false);
  const revoke = async () => {
    setBusy(true);
    try {
      const result = await caApi.revoke(cert.serialHex, reason);
      message.success(result.pair ? ps.revokedWithPair(result.pair.profileLabel) : ps.revoked);
      onDone();
    } catch (err) {
      message.error(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open title={`${ps.revokeTitle} ${cert.serialHex}`} onCancel={onClose} onOk={revoke} okText={ps.revokeConfirm} okButtonProps={{ danger: true }} cancelText={ps.cancel} confirmLoading={busy}>
      <Typography.Paragraph>{cert.subject}</Typography.Paragraph>
      {cert.pairSerialHex && <Alert type="info" showIcon message={ps.revokePairWarning(cert.pairSerialHex)} style={{ marginBottom: 16 }} />}
      <Space direction="vertical" style={{ width: '100%' }}>
        <Typography.Text>{ps.revokeReason}</Typography.Text>
        <Select aria-label={ps.revokeReason} value={reason} onChange={setReason} options={[...ps.revokeReasons]} style={{ width: '100%' }} />
      </Space>
    </Modal>
  );
}

/**
 * What the order still lacks before it may leave (邮寄 / 通知自取): a valid certificate, the seal.
 * The server checks the same (production/service.ts); this only words it on the page.
 */
export function handOverMissing(artefacts: Artefacts | undefined): string[] {
  if (!artefacts) return [ps.missingCertificate, ps.missingSeal];
  const missing: string[] = [];
  if (!artefacts.certificates.some((c) => c.status === 'valid')) missing.push(ps.missingCertificate);
  if (!artefacts.seal) missing.push(ps.missingSeal);
  return missing;
}

/** Why 制作电子印章 cannot be pressed yet, or undefined when it can. */
function sealBlocked(artefacts: Artefacts): string | undefined {
  if (!artefacts.sealApproval) return ps.sealAwaitingApplicant;
  const sm2Signing = artefacts.certificates.some((c) => c.status === 'valid' && c.family === 'sm2' && c.profile === 'unitSigning');
  if (!sm2Signing) return ps.sealNeedsSm2;
  return undefined;
}

/** Issuance (while 制证中), the seal, and the certificate list with 吊销. */
export function ProductionCaPanels({ id, canIssue, state, reload }: { id: string; canIssue: boolean; state: ArtefactsState; reload: () => Promise<void> }) {
  const { message } = App.useApp();
  const [revoking, setRevoking] = useState<CertificateView>();
  const [sealBusy, setSealBusy] = useState(false);

  if (state.kind === 'unavailable') {
    return (
      <Card title={canIssue ? ps.issueTitle : ps.artefactsTitle} size="small">
        <Alert type="info" showIcon message={ps.caUnavailable} />
      </Card>
    );
  }
  if (state.kind === 'error') return <Alert type="error" showIcon message={state.message} />;
  const artefacts = state.kind === 'ready' ? state.artefacts : undefined;

  const makeSeal = async () => {
    setSealBusy(true);
    try {
      await caApi.makeSeal(id);
      message.success(ps.sealMade);
      await reload();
    } catch (err) {
      message.error(errorMessage(err));
    } finally {
      setSealBusy(false);
    }
  };

  const columns: TableColumnsType<CertificateView> = [
    { title: ps.colSerial, dataIndex: 'serialHex', key: 'serial', render: (v: string) => <Typography.Text code copyable={{ text: v }}>{v.length > 16 ? `${v.slice(0, 16)}…` : v}</Typography.Text> },
    { title: ps.colProfile, key: 'profile', render: (_: unknown, c) => `${c.profileLabel}（${c.familyLabel}）` },
    { title: ps.colValidity, key: 'validity', render: (_: unknown, c) => `${shanghaiTime(c.notBefore).slice(0, 10)} 至 ${shanghaiTime(c.notAfter).slice(0, 10)}` },
    { title: ps.colUsbKey, dataIndex: 'usbKeySerial', key: 'usbKey', render: (v: string | null) => v ?? ps.issueSoftware },
    { title: ps.colCertStatus, dataIndex: 'statusLabel', key: 'status', render: (v: string, c) => <Tag color={c.status === 'valid' ? 'green' : 'red'}>{v}</Tag> },
    {
      title: ps.colActions,
      key: 'actions',
      render: (_: unknown, c) =>
        c.status === 'valid' ? (
          <Button size="small" danger onClick={() => setRevoking(c)} aria-label={`${ps.revoke} ${c.serialHex}`}>
            {ps.revoke}
          </Button>
        ) : null,
    },
  ];

  return (
    <Flex vertical gap={16}>
      {canIssue && (
        <Card title={ps.issueTitle} size="small">
          <IssueForm id={id} onIssued={() => void reload()} />
        </Card>
      )}
      <Card title={ps.sealTitle} size="small" loading={!artefacts}>
        {artefacts?.seal ? (
          <Flex gap={16} align="center" wrap>
            <Image src={artefacts.seal.pictureUrl} alt={artefacts.seal.name} width={120} height={120} style={{ objectFit: 'contain' }} />
            <Flex vertical gap={4}>
              <Typography.Text strong>{artefacts.seal.name}</Typography.Text>
              <Typography.Text type="secondary">
                {shanghaiTime(artefacts.seal.createdAt)} 至 {shanghaiTime(artefacts.seal.validEnd).slice(0, 10)}
              </Typography.Text>
              {artefacts.sealApproval && <Tag color="green">{ps.sealApproved(shanghaiTime(artefacts.sealApproval.approvedAt))}</Tag>}
            </Flex>
          </Flex>
        ) : (
          <Flex gap={16} align="center" wrap>
            {artefacts?.sealPicture && (
              <Image src={artefacts.sealPicture.url} alt={ps.sealPictureAlt} width={120} height={120} style={{ objectFit: 'contain' }} />
            )}
            <Flex vertical gap={8} align="flex-start">
              <Typography.Text type="secondary">{ps.sealNone}</Typography.Text>
              {artefacts &&
                (artefacts.sealApproval ? (
                  <Tag color="green">{ps.sealApproved(shanghaiTime(artefacts.sealApproval.approvedAt))}</Tag>
                ) : (
                  <Tag color="orange">{ps.sealAwaitingApplicant}</Tag>
                ))}
              {canIssue && artefacts && (
                <>
                  <Button type="primary" onClick={makeSeal} loading={sealBusy} disabled={sealBlocked(artefacts) !== undefined}>
                    {ps.makeSeal}
                  </Button>
                  {artefacts.sealApproval && sealBlocked(artefacts) && <Typography.Text type="secondary">{sealBlocked(artefacts)}</Typography.Text>}
                </>
              )}
            </Flex>
          </Flex>
        )}
      </Card>
      <Card title={ps.artefactsTitle} size="small" loading={!artefacts}>
        {artefacts && artefacts.certificates.length === 0 ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={ps.noCertificates} />
        ) : (
          <Table<CertificateView> rowKey="serialHex" size="small" columns={columns} dataSource={artefacts?.certificates ?? []} pagination={false} />
        )}
      </Card>
      {revoking && (
        <RevokeModal
          cert={revoking}
          onClose={() => setRevoking(undefined)}
          onDone={() => {
            setRevoking(undefined);
            void reload();
          }}
        />
      )}
    </Flex>
  );
}
