/**
 * 变更, 挂失 and 补办 in 证书与印章, per certificate as the server offers them (artefacts'
 * `aftersales`): 变更 asks what changed and opens the 变更 application; 挂失 is confirmed by an SMS
 * code and revokes at once; 补办 (after 挂失) opens the 补办 application.
 */
import { Alert, App, Button, Checkbox, Flex, Form, Input, Modal, Typography } from 'antd';
import { useState } from 'react';
import { changeItemLabels, changeItems } from '../../../src/domain/aftersales';
import { errorMessage } from '../api';
import { applicationsApi } from './applicationsApi';
import { deliveryApi, type HeldCertificate } from './deliveryApi';
import { useStartDraft } from './RenewalPanels';
import { aftersalesStrings as s } from './strings';

interface Props {
  applicationId: string;
  certificate: HeldCertificate;
  onChanged: () => void;
}

export function AftersalesButtons({ applicationId, certificate: c, onChanged }: Props) {
  const [dialog, setDialog] = useState<'change' | 'loss' | undefined>(undefined);
  const { busy, start } = useStartDraft();
  const offer = c.aftersales;
  if (!offer) return null;

  const reissue = () => void start(() => applicationsApi.startReissue(c.serialHex));

  return (
    <Flex gap={8} wrap>
      {offer.change.offered && (
        <Button size="small" onClick={() => setDialog('change')}>
          {s.change}
        </Button>
      )}
      {offer.lossReport.offered && (
        <Button size="small" danger onClick={() => setDialog('loss')}>
          {s.lossReport}
        </Button>
      )}
      {offer.reissue.offered && (
        <Button size="small" type="primary" loading={busy} onClick={reissue}>
          {s.reissue}
        </Button>
      )}
      <ChangeModal open={dialog === 'change'} serial={c.serialHex} onClose={() => setDialog(undefined)} />
      <LossModal
        open={dialog === 'loss'}
        applicationId={applicationId}
        serial={c.serialHex}
        onClose={(done) => {
          setDialog(undefined);
          if (done) onChanged();
        }}
      />
    </Flex>
  );
}

function ChangeModal({ open, serial, onClose }: { open: boolean; serial: string; onClose: () => void }) {
  const [items, setItems] = useState<string[]>([]);
  const [error, setError] = useState<string | undefined>(undefined);
  const { busy, start: startDraft } = useStartDraft(setError);
  const start = () => (items.length === 0 ? setError(s.changeItemsRequired) : void startDraft(() => applicationsApi.startChange(serial, items)));
  return (
    <Modal open={open} title={s.changeTitle} onCancel={onClose} onOk={start} okText={s.startChange} cancelText={s.cancel} confirmLoading={busy} destroyOnHidden>
      <Flex vertical gap={12}>
        <Typography.Text>{s.changeIntro}</Typography.Text>
        <Checkbox.Group
          value={items}
          onChange={(v) => {
            setItems(v);
            setError(undefined);
          }}
          options={changeItems.map((item) => ({ value: item, label: changeItemLabels[item] }))}
        />
        {error && <Alert type="error" showIcon title={error} />}
      </Flex>
    </Modal>
  );
}

function LossModal({ open, applicationId, serial, onClose }: { open: boolean; applicationId: string; serial: string; onClose: (done: boolean) => void }) {
  const { message } = App.useApp();
  const [form] = Form.useForm<{ code: string; note?: string }>();
  const [sentTo, setSentTo] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const send = async () => {
    setError(undefined);
    try {
      setSentTo((await deliveryApi.lossReportCode(applicationId, serial)).phoneMasked);
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  const confirm = async () => {
    let values: { code: string; note?: string };
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const done = await deliveryApi.reportLoss(applicationId, serial, { code: values.code, note: values.note ?? '' });
      message.success(done.message);
      onClose(true);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open={open}
      title={s.lossTitle}
      onCancel={() => onClose(false)}
      onOk={confirm}
      okText={s.confirmLoss}
      okButtonProps={{ danger: true, disabled: !sentTo }}
      cancelText={s.cancel}
      confirmLoading={busy}
      destroyOnHidden
    >
      <Flex vertical gap={12}>
        <Alert type="warning" showIcon title={s.lossIntro} />
        <Form form={form} layout="vertical" preserve={false}>
          <Form.Item label={s.code} required>
            <Flex gap={8}>
              <Form.Item name="code" noStyle rules={[{ required: true, pattern: /^\d{6}$/, message: s.codeRequired }]}>
                <Input inputMode="numeric" maxLength={6} aria-label={s.code} style={{ width: 160 }} />
              </Form.Item>
              <Button onClick={send}>{s.sendCode}</Button>
            </Flex>
          </Form.Item>
          {sentTo && <Typography.Text type="secondary">{s.codeSent(sentTo)}</Typography.Text>}
          <Form.Item name="note" label={s.lossNote}>
            <Input maxLength={200} />
          </Form.Item>
        </Form>
        {error && <Alert type="error" showIcon title={error} />}
      </Flex>
    </Modal>
  );
}
