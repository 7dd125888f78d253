/**
 * 解锁 in 证书与印章: for a certificate on a USB key, the holder copies the key's serial and the
 * challenge its management tool shows, gets an SMS code at the 经办人's phone, enters it and reads
 * the unlock code (hex, grouped) to type back into the tool. Refusals (another key, too many
 * requests) come from the server in Chinese and are shown in the dialog.
 */
import { Alert, Button, Flex, Form, Input, Modal, Space, Typography } from 'antd';
import { useRef, useState } from 'react';
import type { InputRef } from 'antd';
import { maskKeySerial } from '../../../src/domain/usb-key-unlock';
import { errorMessage } from '../api';
import { useCountdown } from '../hooks/useCountdown';
import { deliveryApi, type HeldCertificate } from './deliveryApi';
import { unlockStrings as s } from './strings';

interface Fields {
  keySerial?: string;
  challenge?: string;
  code?: string;
}

const RESEND_SECONDS = 60;

export function UnlockModal({ id, certificate, onClose }: { id: string; certificate: HeldCertificate | undefined; onClose: () => void }) {
  const [form] = Form.useForm<Fields>();
  const countdown = useCountdown();
  const codeInput = useRef<InputRef>(null);
  const [sent, setSent] = useState<{ requestId: string; phoneMasked: string } | undefined>(undefined);
  const [answer, setAnswer] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState<'code' | 'answer' | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);

  async function requestCode() {
    if (!certificate) return;
    let values: Fields;
    try {
      values = await form.validateFields(['keySerial', 'challenge']);
    } catch {
      return;
    }
    setError(undefined);
    setAnswer(undefined);
    setBusy('code');
    try {
      const result = await deliveryApi.requestUnlockCode(id, certificate.serialHex, { keySerial: values.keySerial ?? '', challenge: values.challenge ?? '' });
      setSent(result);
      countdown.start(RESEND_SECONDS);
      codeInput.current?.focus();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(undefined);
    }
  }

  async function getAnswer(values: Fields) {
    if (!sent) {
      setError(s.codeFirst);
      return;
    }
    setError(undefined);
    setBusy('answer');
    try {
      setAnswer((await deliveryApi.unlockAnswer(sent.requestId, values.code?.trim() ?? '')).answerGrouped);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(undefined);
    }
  }

  return (
    <Modal open={certificate !== undefined} title={s.title} onCancel={onClose} footer={<Button onClick={onClose}>{s.close}</Button>} destroyOnHidden>
      <Flex vertical gap={12}>
        <Alert type="info" showIcon title={s.intro} />
        <Form<Fields> form={form} layout="vertical" name="unlock" requiredMark={false} onFinish={getAnswer} onValuesChange={() => setError(undefined)}>
          <Form.Item
            name="keySerial"
            label={s.keySerial}
            extra={certificate?.usbKeySerial ? s.keySerialHint(maskKeySerial(certificate.usbKeySerial)) : undefined}
            rules={[{ required: true, whitespace: true, message: s.keySerialRequired }]}
          >
            <Input maxLength={64} autoComplete="off" />
          </Form.Item>
          <Form.Item name="challenge" label={s.challenge} extra={s.challengeHint} rules={[{ required: true, whitespace: true, message: s.challengeRequired }]}>
            <Input maxLength={64} autoComplete="off" style={{ fontFamily: 'monospace' }} />
          </Form.Item>
          <Form.Item label={s.code} required={false}>
            <Space.Compact style={{ width: '100%' }}>
              <Form.Item name="code" noStyle rules={[{ required: true, whitespace: true, message: s.codeRequired }]}>
                <Input ref={codeInput} maxLength={6} inputMode="numeric" autoComplete="one-time-code" aria-label={s.code} />
              </Form.Item>
              <Button onClick={requestCode} loading={busy === 'code'} disabled={countdown.remaining > 0}>
                {countdown.remaining > 0 ? s.resendIn(countdown.remaining) : s.requestCode}
              </Button>
            </Space.Compact>
          </Form.Item>
          {sent && <Typography.Paragraph type="secondary">{s.codeSent(sent.phoneMasked)}</Typography.Paragraph>}
          <Button type="primary" htmlType="submit" loading={busy === 'answer'} block>
            {s.getAnswer}
          </Button>
        </Form>
        {error && <Alert type="error" showIcon title={error} />}
        {answer && (
          <Alert
            type="success"
            showIcon
            title={s.answerTitle}
            description={
              <Flex vertical gap={8}>
                <Typography.Text copyable={{ text: answer.replace(/ /g, '') }} strong style={{ fontFamily: 'monospace', fontSize: 16 }} aria-label={s.answerTitle}>
                  {answer}
                </Typography.Text>
                <Typography.Text type="secondary">{s.answerHint}</Typography.Text>
              </Flex>
            }
          />
        )}
      </Flex>
    </Modal>
  );
}
