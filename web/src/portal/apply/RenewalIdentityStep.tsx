/**
 * 续期's first step (确认单位信息): the unit's data as verified last time, filled in for the holder
 * to confirm by a fresh 企业认证 against the registry. A change of 单位名称, 统一社会信用代码 or
 * 法定代表人 is typed here (the registry names the field that differs); a new 经办人 is 实名认证'd.
 */
import { SafetyCertificateOutlined, UserOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Descriptions, Flex, Form, Input, Switch } from 'antd';
import { useState } from 'react';
import { errorMessage } from '../../api';
import { MOBILE_PATTERN, idNumberRule, upperWithoutSpaces, usccRule, withoutSpaces } from '../../validation';
import { applicationsApi, type ApplicationView, type OrganisationOutcome } from '../applicationsApi';
import { identityStrings as id, renewalStrings as s } from './strings';

interface Fields {
  orgName: string;
  uscc: string;
  legalRepresentative: string;
  operatorName?: string;
  operatorIdNumber?: string;
  operatorPhone?: string;
}

interface Props {
  application: ApplicationView;
  onOrganisationVerified(outcome: OrganisationOutcome): Promise<void>;
  onOperatorVerified(): Promise<void>;
}

export function RenewalIdentityStep({ application, onOrganisationVerified, onOperatorVerified }: Props) {
  const [form] = Form.useForm<Fields>();
  const [newOperator, setNewOperator] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const previous = application.renewal?.previous;

  async function confirm() {
    let values: Fields;
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      if (newOperator) {
        await applicationsApi.verifyOperator({
          applicationId: application.id,
          applicantType: application.applicantType,
          operatorName: values.operatorName ?? '',
          operatorIdNumber: values.operatorIdNumber ?? '',
          operatorPhone: values.operatorPhone ?? '',
        });
        await onOperatorVerified();
      }
      const outcome = await applicationsApi.verifyOrganisation(application.id, {
        orgName: values.orgName,
        uscc: values.uscc,
        legalRepresentative: values.legalRepresentative,
      });
      await onOrganisationVerified(outcome);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Form<Fields>
      form={form}
      name="renewal-identity"
      layout="vertical"
      className="apply-form"
      initialValues={{
        orgName: application.organisation?.name ?? previous?.orgName,
        uscc: application.organisation?.uscc ?? previous?.uscc,
        legalRepresentative: application.organisation?.legalRepresentative ?? previous?.legalRepresentative,
      }}
      onValuesChange={() => setError(undefined)}
    >
      <Flex vertical gap={16}>
        <Alert type="info" showIcon title={s.intro} />
        {previous && (
          <Descriptions size="small" bordered column={1} title={s.previousTitle}>
            <Descriptions.Item label={s.previousNumber}>{previous.applicationNumber}</Descriptions.Item>
            <Descriptions.Item label={s.renewsSerial}>{application.renewal?.renewsSerial}</Descriptions.Item>
            <Descriptions.Item label={id.orgName}>{previous.orgName}</Descriptions.Item>
            <Descriptions.Item label={id.uscc}>{previous.uscc}</Descriptions.Item>
            <Descriptions.Item label={id.legalRepresentative}>{previous.legalRepresentative}</Descriptions.Item>
            <Descriptions.Item label={s.operator}>
              {previous.operatorName}（{previous.operatorIdNumber}）
            </Descriptions.Item>
          </Descriptions>
        )}
        <Card size="small" title={<Flex gap={8} align="center"><SafetyCertificateOutlined aria-hidden />{id.organisationTitle}</Flex>}>
          <Form.Item<Fields> name="orgName" label={id.orgName} rules={[{ required: true, whitespace: true, message: id.orgNameRequired }]}>
            <Input maxLength={100} />
          </Form.Item>
          <Form.Item<Fields> name="uscc" label={id.uscc} normalize={upperWithoutSpaces} rules={[{ required: true, message: id.usccRequired }, usccRule]}>
            <Input maxLength={18} autoComplete="off" />
          </Form.Item>
          <Form.Item<Fields>
            name="legalRepresentative"
            label={id.legalRepresentative}
            rules={[{ required: true, whitespace: true, message: id.legalRepresentativeRequired }]}
          >
            <Input maxLength={30} />
          </Form.Item>
        </Card>
        <Card size="small" title={<Flex gap={8} align="center"><UserOutlined aria-hidden />{s.operator}</Flex>}>
          <Flex gap={8} align="center">
            <Switch checked={newOperator} onChange={setNewOperator} aria-label={s.changeOperator} />
            <span>{newOperator ? s.changeOperator : `${s.keepOperator}：${application.operator.name}`}</span>
          </Flex>
          {newOperator && (
            <>
              <Alert type="warning" showIcon title={s.operatorChangedHint} style={{ margin: '12px 0' }} />
              <Form.Item<Fields> name="operatorName" label={id.operatorName} rules={[{ required: true, whitespace: true, message: id.operatorNameRequired }]}>
                <Input maxLength={30} autoComplete="name" />
              </Form.Item>
              <Form.Item<Fields> name="operatorIdNumber" label={id.idNumber} normalize={upperWithoutSpaces} rules={[{ required: true, message: id.idNumberRequired }, idNumberRule]}>
                <Input maxLength={18} autoComplete="off" />
              </Form.Item>
              <Form.Item<Fields>
                name="operatorPhone"
                label={id.phone}
                normalize={withoutSpaces}
                rules={[{ required: true, message: id.phoneRequired }, { pattern: MOBILE_PATTERN, message: id.phoneInvalid }]}
              >
                <Input inputMode="numeric" maxLength={11} autoComplete="tel" />
              </Form.Item>
            </>
          )}
        </Card>
        {error && <Alert type="error" showIcon title={error} />}
        <div>
          <Button type="primary" onClick={confirm} loading={busy}>
            {s.confirm}
          </Button>
        </div>
      </Flex>
    </Form>
  );
}
