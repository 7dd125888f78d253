/**
 * 续期 in 证书与印章: per certificate, its days left with 即将到期 / 已过期 and the 续期 button (or
 * 重新申请 when the grace period is over); and, for a paid 续期, 上传证书请求 — the PKCS#10 request
 * made in the holder's own USB key (or a 软证书) — issued at once with the new seal.
 */
import { UploadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Flex, Input, Radio, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { errorMessage } from '../api';
import type { HeldCertificate as CertificateView } from './deliveryApi';
import { downloadBase64 } from '../download';
import { applicationsApi } from './applicationsApi';
import { deliveryApi } from './deliveryApi';
import { renewalPanelStrings as s } from './strings';

/** 剩余 N 天, 即将到期 / 已过期, 已续期: what the holder reads beside 有效期. */
export function ExpiryTags({ certificate: c }: { certificate: CertificateView }) {
  if (c.status === 'revoked') return null;
  return (
    <>
      {c.successorSerialHex && <Tag color="blue">{c.successionLabel ?? s.renewed}</Tag>}
      {!c.successorSerialHex && c.expiry && <Tag color={c.expiry.state === 'expired' ? 'red' : 'orange'}>{c.expiry.label}</Tag>}
      {!c.successorSerialHex && c.status === 'valid' && c.daysLeft !== undefined && <Typography.Text type="secondary">{s.daysLeft(c.daysLeft)}</Typography.Text>}
    </>
  );
}

/**
 * Opens an after-sales draft (续期, 变更, 补办): its message, then its wizard. A refusal is shown by
 * `onError` (a dialog's own alert), or as a message.
 */
export function useStartDraft(onError?: (text: string) => void) {
  const { message } = App.useApp();
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  const start = async (open: () => Promise<{ id: string; message: string }>) => {
    setBusy(true);
    try {
      const created = await open();
      message.success(created.message);
      navigate(`/applications/${created.id}`);
    } catch (err) {
      if (onError) onError(errorMessage(err));
      else void message.error(errorMessage(err));
      setBusy(false);
    }
  };
  return { busy, start };
}

/** 续期 (or 继续续期 / 重新申请) for a certificate that may be renewed. */
export function RenewButton({ certificate: c }: { certificate: CertificateView }) {
  const navigate = useNavigate();
  const { busy, start } = useStartDraft();
  const r = c.renewal;
  if (!r) return null;
  if (r.renewingApplicationId) {
    return (
      <Button size="small" onClick={() => navigate(`/applications/${r.renewingApplicationId}`)}>
        {s.continueKind(r.renewingKindLabel ?? '续期')}
      </Button>
    );
  }
  if (r.newApplication) {
    return (
      <Button size="small" onClick={() => navigate('/applications/new')} title={r.message ?? undefined}>
        {s.newApplication}
      </Button>
    );
  }
  if (!r.offered) return null;
  return (
    <Button type="primary" size="small" loading={busy} onClick={() => void start(() => applicationsApi.startRenewal(c.serialHex))}>
      {s.renew}
    </Button>
  );
}

/** A paid 续期: the holder's PKCS#10 request (pasted or from a file), or a 软证书, issued at once. */
export function RenewalIssuePanel({ id, onIssued }: { id: string; onIssued: () => void }) {
  const { message } = App.useApp();
  const [mode, setMode] = useState<'csr' | 'software'>('csr');
  const [csrPem, setCsrPem] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const [p12, setP12] = useState<{ base64: string; password: string; fileName: string } | undefined>(undefined);

  const readFile = async (file: File | undefined) => {
    if (file) setCsrPem(await file.text());
  };
  const issue = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const result = await deliveryApi.issueRenewal(id, mode === 'csr' ? { mode, csrPem } : { mode, family: 'sm2' });
      if (result.envelope) downloadBase64(result.envelope.base64, result.envelope.fileName, 'application/octet-stream');
      if (result.p12) setP12(result.p12);
      message.success(result.message);
      onIssued();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section>
      <Typography.Title level={5}>{s.issueTitle}</Typography.Title>
      <Flex vertical gap={12}>
        <Alert type="info" showIcon title={s.issueIntro} />
        <Radio.Group
          value={mode}
          onChange={(e) => setMode(e.target.value as 'csr' | 'software')}
          options={[
            { value: 'csr', label: s.modeCsr },
            { value: 'software', label: s.modeSoftware },
          ]}
        />
        {mode === 'csr' && (
          <>
            <Input.TextArea
              rows={6}
              value={csrPem}
              onChange={(e) => setCsrPem(e.target.value)}
              placeholder={s.csrPlaceholder}
              aria-label={s.csrLabel}
              style={{ fontFamily: 'monospace' }}
            />
            <label className="ant-btn ant-btn-default" style={{ width: 'fit-content', cursor: 'pointer', display: 'inline-flex', alignItems: 'center', gap: 6, padding: '4px 15px' }}>
              <UploadOutlined aria-hidden />
              {s.chooseFile}
              <input type="file" accept=".csr,.pem,.req,.txt" style={{ display: 'none' }} aria-label={s.chooseFile} onChange={(e) => void readFile(e.target.files?.[0])} />
            </label>
          </>
        )}
        {error && <Alert type="error" showIcon title={error} />}
        <div>
          <Button type="primary" loading={busy} disabled={mode === 'csr' && csrPem.trim() === ''} onClick={issue}>
            {s.issue}
          </Button>
        </div>
        {p12 && (
          <Alert
            type="success"
            showIcon
            title={s.p12Ready}
            description={
              <Flex vertical gap={8}>
                <span>{s.p12Password}</span>
                <Typography.Text code copyable>
                  {p12.password}
                </Typography.Text>
                <Button onClick={() => downloadBase64(p12.base64, p12.fileName, 'application/x-pkcs12')}>{s.downloadP12}</Button>
              </Flex>
            }
          />
        )}
      </Flex>
    </section>
  );
}
