/**
 * 支付 (the manual): 选择支付方式 → 确认支付. 银行汇款: the account, the exact amount and the
 * remittance code, then 上传凭证 + 支付说明 → 确定提交 (→ 待确认到账). 微信支付: the QR code, polled
 * until 支付成功. The amount shown always comes from the server.
 */
import { shanghaiTime } from '../format';
import { UploadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Descriptions, Flex, Image, Input, Modal, Radio, Result, Spin, Typography, Upload } from 'antd';
import { useEffect, useState } from 'react';
import { errorMessage } from '../api';
import type { ApplicationSummary } from './applicationsApi';
import { paymentApi, type BankDetails, type PaymentView, type WechatOrder } from './paymentApi';
import { paymentStrings as s } from './strings';

type Method = 'bank_transfer' | 'wechat';
type Stage = { step: 'choose' } | { step: 'bank'; bank: BankDetails; payment: PaymentView } | { step: 'wechat'; order: WechatOrder } | { step: 'paid' };

interface Props {
  application: ApplicationSummary | undefined;
  onClose(): void;
  /** The application's status changed (voucher sent, paid): the list reloads. */
  onChanged(): void;
}


export function PaymentModal({ application, onClose, onChanged }: Props) {
  const { message } = App.useApp();
  const [method, setMethod] = useState<Method>('bank_transfer');
  const [stage, setStage] = useState<Stage>({ step: 'choose' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [file, setFile] = useState<File | undefined>();
  const [note, setNote] = useState('');
  const [progress, setProgress] = useState(0);

  function close() {
    setStage({ step: 'choose' });
    setError(undefined);
    setFile(undefined);
    setNote('');
    onClose();
  }

  // 微信支付: poll until the notify (or WeChat Pay's answer to a query) says paid.
  useEffect(() => {
    if (stage.step !== 'wechat' || !application) return;
    let stopped = false;
    const timer = window.setInterval(() => {
      paymentApi.wechatStatus(application.id).then(
        (r) => {
          if (!stopped && r.paid) {
            setStage({ step: 'paid' });
            onChanged();
          }
        },
        () => undefined,
      );
    }, 2000);
    return () => {
      stopped = true;
      window.clearInterval(timer);
    };
  }, [stage.step, application, onChanged]);

  async function confirm() {
    if (!application) return;
    setBusy(true);
    setError(undefined);
    try {
      if (method === 'bank_transfer') {
        const r = await paymentApi.chooseBank(application.id);
        setStage({ step: 'bank', bank: r.bank, payment: r.payment });
      } else {
        setStage({ step: 'wechat', order: await paymentApi.wechatOrder(application.id) });
      }
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  async function submitVoucher() {
    if (!application) return;
    if (!file) {
      setError(s.voucherMissing);
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await paymentApi.submitVoucher(application.id, file, note, setProgress);
      message.success(s.voucherSent);
      onChanged();
      close();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  const footer =
    stage.step === 'choose'
      ? [
          <Button key="cancel" onClick={close}>
            {s.cancel}
          </Button>,
          <Button key="confirm" type="primary" loading={busy} onClick={() => void confirm()}>
            {s.confirm}
          </Button>,
        ]
      : stage.step === 'bank'
        ? [
            <Button key="back" onClick={() => setStage({ step: 'choose' })}>
              {s.back}
            </Button>,
            <Button key="submit" type="primary" loading={busy} onClick={() => void submitVoucher()}>
              {s.submitVoucher}
            </Button>,
          ]
        : [
            <Button key="close" onClick={close}>
              {s.close}
            </Button>,
          ];

  return (
    <Modal open={application !== undefined} title={stage.step === 'bank' ? s.bankTitle : stage.step === 'wechat' || stage.step === 'paid' ? s.wechatTitle : s.title} onCancel={close} destroyOnHidden footer={footer}>
      {application && (
        <Flex vertical gap={12}>
          <Typography.Text>{s.order(application.number, application.amount)}</Typography.Text>
          {stage.step === 'choose' && (
            <Radio.Group
              aria-label={s.method}
              value={method}
              onChange={(e) => setMethod(e.target.value as Method)}
              options={[
                { value: 'bank_transfer', label: s.bankTransfer },
                { value: 'wechat', label: s.wechat },
              ]}
            />
          )}
          {stage.step === 'bank' && (
            <>
              <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
                {s.bankHint}
              </Typography.Paragraph>
              <Descriptions column={1} size="small" bordered>
                <Descriptions.Item label={s.accountName}>{stage.bank.accountName}</Descriptions.Item>
                <Descriptions.Item label={s.bankName}>{stage.bank.bankName}</Descriptions.Item>
                <Descriptions.Item label={s.accountNumber}>
                  <Typography.Text copyable>{stage.bank.accountNumber}</Typography.Text>
                </Descriptions.Item>
                <Descriptions.Item label={s.amountLabel}>{stage.payment.amount} 元</Descriptions.Item>
                <Descriptions.Item label={s.remittanceCode}>
                  <Typography.Text strong copyable>
                    {stage.bank.remittanceCode}
                  </Typography.Text>
                </Descriptions.Item>
              </Descriptions>
              <Upload
                accept=".jpg,.jpeg,.png,.bmp"
                maxCount={1}
                fileList={file ? [{ uid: 'voucher', name: file.name, status: 'done' }] : []}
                beforeUpload={(f) => {
                  setFile(f);
                  setError(undefined);
                  return false;
                }}
                onRemove={() => setFile(undefined)}
              >
                <Button icon={<UploadOutlined aria-hidden />}>{s.uploadVoucher}</Button>
              </Upload>
              <Typography.Text type="secondary">{s.voucherHint}</Typography.Text>
              <Typography.Text>{s.note}</Typography.Text>
              <Input.TextArea aria-label={s.note} placeholder={s.notePlaceholder} maxLength={200} showCount value={note} onChange={(e) => setNote(e.target.value)} />
              {busy && progress > 0 && progress < 100 && <Spin />}
            </>
          )}
          {stage.step === 'wechat' && (
            <Flex vertical align="center" gap={8}>
              <Typography.Text type="secondary">{s.wechatHint}</Typography.Text>
              {stage.order.qrDataUrl && <Image src={stage.order.qrDataUrl} alt="微信支付二维码" width={220} preview={false} />}
              <Typography.Text strong>{stage.order.payment.amount} 元</Typography.Text>
              <Typography.Text type="secondary">{s.expiresAt(shanghaiTime(stage.order.payment.expiresAt))}</Typography.Text>
              {stage.order.payPageUrl && (
                <a href={stage.order.payPageUrl} target="_blank" rel="noreferrer">
                  {s.simulatorLink}
                </a>
              )}
              <Spin size="small" /> <Typography.Text type="secondary">{s.waiting}</Typography.Text>
            </Flex>
          )}
          {stage.step === 'paid' && <Result status="success" title={s.paid} subTitle={s.paidHint} />}
          {error && <Alert type="error" showIcon title={error} />}
        </Flex>
      )}
    </Modal>
  );
}
