/**
 * 支付 (the manual: 如果订单状态为“资料审核通过”状态，用户可以直接点击后面的“支付”按钮): the choice of
 * 银行汇款 or 微信支付. Payment itself is the next piece of work; 确认支付 says so for now.
 */
import { Alert, Button, Flex, Modal, Radio, Typography } from 'antd';
import { useState } from 'react';
import type { ApplicationSummary } from './applicationsApi';
import { paymentStrings as s } from './strings';

type Method = 'bank_transfer' | 'wechat';

interface Props {
  application: ApplicationSummary | undefined;
  onClose(): void;
}

export function PaymentModal({ application, onClose }: Props) {
  const [method, setMethod] = useState<Method>('bank_transfer');
  const [notice, setNotice] = useState<string | undefined>(undefined);

  function close() {
    setNotice(undefined);
    onClose();
  }

  return (
    <Modal
      open={application !== undefined}
      title={s.title}
      onCancel={close}
      destroyOnHidden
      footer={[
        <Button key="cancel" onClick={close}>
          {s.cancel}
        </Button>,
        <Button key="confirm" type="primary" onClick={() => setNotice(s.comingSoon)}>
          {s.confirm}
        </Button>,
      ]}
    >
      {application && (
        <Flex vertical gap={12}>
          <Typography.Text>{s.order(application.number, application.amount)}</Typography.Text>
          <Radio.Group
            aria-label={s.method}
            value={method}
            onChange={(e) => setMethod(e.target.value as Method)}
            options={[
              { value: 'bank_transfer', label: s.bankTransfer },
              { value: 'wechat', label: s.wechat },
            ]}
          />
          {notice && <Alert type="info" showIcon title={notice} />}
        </Flex>
      )}
    </Modal>
  );
}
