/**
 * /verify: anyone, without logging in, uploads a certificate, a seal file or a signed PDF, or types
 * a serial, and reads 有效 / 已吊销 / 已过期 / 非本CA签发 with the details the server gives.
 */
import { InboxOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Descriptions, Form, Grid, Input, Result, Space, Spin, Tabs, Typography, Upload } from 'antd';
import { useState } from 'react';
import type { VerifyResult } from '../../../src/http/contract.ts';
import { errorMessage, request, upload } from '../api';
import { verifyText as text } from './strings';
import { PageTitle } from '../components/PageTitle';

export type { VerifyResult };

const MAX_BYTES = 10 * 1024 * 1024;

function status(verdict: VerifyResult['verdict']): 'success' | 'error' | 'warning' {
  if (verdict === 'valid' || verdict === 'renewed') return 'success';
  if (verdict === 'expired' || verdict === 'not_found') return 'warning';
  return 'error';
}

/** What a file says of itself is only a claim when the file is not ours or does not verify. */
const unconfirmed = (verdict: VerifyResult['verdict']) => verdict === 'foreign' || verdict === 'invalid';

function Outcome({ result, title }: { result: VerifyResult; title?: string }) {
  // On a phone the labels go above their values: side by side, long serials and dates break mid-word.
  const wide = Grid.useBreakpoint().sm !== false;
  return (
    <Card size="small" title={title} style={{ marginTop: 16 }}>
      <Result
        status={status(result.verdict)}
        title={
          <span role="heading" aria-level={2}>
            {result.verdictLabel}
          </span>
        }
        subTitle={`${text.kind}：${result.kindLabel}`}
        style={{ padding: 16 }}
      />
      {result.details.length > 0 && (
        <Descriptions
          column={1}
          bordered
          size="small"
          layout={wide ? 'horizontal' : 'vertical'}
          title={unconfirmed(result.verdict) ? text.unconfirmed : undefined}
          styles={{ label: { whiteSpace: 'nowrap' }, title: { fontSize: 14, fontWeight: 'normal' } }}
        >
          {result.details.map((d, i) => (
            <Descriptions.Item key={`${d.label}-${i}`} label={d.label}>
              <span style={{ overflowWrap: 'anywhere' }}>{d.value}</span>
            </Descriptions.Item>
          ))}
        </Descriptions>
      )}
      {result.reasons.length > 0 && (
        <Alert style={{ marginTop: 12 }} type={status(result.verdict) === 'success' ? 'info' : 'warning'} message={text.reasons} description={result.reasons.join('；')} showIcon />
      )}
      {result.signatures && result.signatures.length > 1 &&
        result.signatures.map((s, i) => <Outcome key={i} result={s} title={text.signature(i + 1)} />)}
    </Card>
  );
}

export function VerifyPage() {
  const [result, setResult] = useState<VerifyResult>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const run = async (work: () => Promise<VerifyResult>) => {
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    try {
      setResult(await work());
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const verifyFile = (file: File) => {
    if (file.size > MAX_BYTES) {
      setError(text.tooLarge);
      return;
    }
    void run(() => upload<VerifyResult>('/api/verify', file, file.name, () => undefined));
  };

  return (
    <main style={{ maxWidth: 760, margin: '32px auto', padding: '0 16px' }}>
      <PageTitle size={30}>{text.title}</PageTitle>
      <Typography.Paragraph type="secondary">{text.intro}</Typography.Paragraph>
      <Card>
        <Tabs
          items={[
            {
              key: 'file',
              label: text.fileTab,
              children: (
                <Upload.Dragger
                  accept=".cer,.crt,.pem,.der,.esl,.sel,.pdf"
                  showUploadList={false}
                  disabled={busy}
                  beforeUpload={(file) => {
                    verifyFile(file);
                    return false;
                  }}
                >
                  <p className="ant-upload-drag-icon">
                    <InboxOutlined aria-hidden />
                  </p>
                  <p className="ant-upload-text">{text.chooseFile}</p>
                  <p className="ant-upload-hint">{text.fileHint}</p>
                </Upload.Dragger>
              ),
            },
            {
              key: 'serial',
              label: text.serialTab,
              children: (
                <Form layout="inline" onFinish={(v: { serial: string }) => void run(() => request<VerifyResult>('GET', `/api/verify/serial/${encodeURIComponent(v.serial.trim())}`, { anonymousAllowed: true }))}>
                  <Form.Item name="serial" label={text.serialLabel} rules={[{ required: true, whitespace: true, message: text.serialRequired }]} style={{ flex: 1 }}>
                    <Input placeholder={text.serialPlaceholder} autoComplete="off" />
                  </Form.Item>
                  <Form.Item>
                    <Button type="primary" htmlType="submit" loading={busy}>
                      {text.query}
                    </Button>
                  </Form.Item>
                </Form>
              ),
            },
          ]}
        />
      </Card>
      {busy && (
        <Space style={{ marginTop: 16 }}>
          <Spin /> {text.verifying}
        </Space>
      )}
      {error && <Alert style={{ marginTop: 16 }} type="error" message={error} showIcon />}
      {result && (
        <section aria-label={text.outcome}>
          <Outcome result={result} />
        </section>
      )}
    </main>
  );
}
