/**
 * 实名认证: the applicant type and the 经办人 (实名认证), then the organisation (企业认证). The first
 * success creates the draft; a refusal is shown in words and, when the server names the field,
 * under that field. Nothing typed is cleared by a refusal or by 稍后再试.
 */
import { SafetyCertificateOutlined, UserOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Flex, Form, Input, Radio, type FormInstance } from 'antd';
import { useEffect, useState, type ReactNode } from 'react';
import { ApiError, errorMessage } from '../../api';
import { MOBILE_PATTERN, idNumberRule, upperWithoutSpaces, usccRule, withoutSpaces } from '../../validation';
import { applicationsApi, type ApplicantType, type ApplicationView, type OrganisationOutcome } from '../applicationsApi';
import { identityStrings as s } from './strings';

export interface IdentityFields {
  applicantType: ApplicantType;
  operatorName: string;
  operatorIdNumber: string;
  operatorPhone: string;
  orgName: string;
  uscc: string;
  legalRepresentative: string;
}

type FieldName = keyof IdentityFields;
const operatorFields: FieldName[] = ['applicantType', 'operatorName', 'operatorIdNumber', 'operatorPhone'];
const organisationFields: FieldName[] = ['orgName', 'uscc', 'legalRepresentative'];

/** The server's names for a refused field (details.field, or details.fields of a registry mismatch). */
const serverFieldNames: Record<'operator' | 'organisation', Record<string, FieldName>> = {
  operator: { name: 'operatorName', idNumber: 'operatorIdNumber', phone: 'operatorPhone', operatorIdNumber: 'operatorIdNumber', operatorPhone: 'operatorPhone' },
  organisation: { name: 'orgName', uscc: 'uscc', legalRepresentative: 'legalRepresentative' },
};

function refusedFields(err: unknown, part: 'operator' | 'organisation'): FieldName[] {
  if (!(err instanceof ApiError) || !err.details) return [];
  const named = [err.details['field'], ...(Array.isArray(err.details['fields']) ? err.details['fields'] : [])];
  return named.flatMap((f) => (typeof f === 'string' && serverFieldNames[part][f] ? [serverFieldNames[part][f]] : []));
}

interface Props {
  form: FormInstance<IdentityFields>;
  application: ApplicationView | undefined;
  /** 实名认证成功 / 企业不存在, once the organisation is verified. */
  notice: ReactNode;
  onOperatorVerified(id: string, phone: string): Promise<void>;
  onOrganisationVerified(outcome: OrganisationOutcome): Promise<void>;
  onNext(): void;
}

export function IdentityStep({ form, application, notice, onOperatorVerified, onOrganisationVerified, onNext }: Props) {
  const [busy, setBusy] = useState<'operator' | 'organisation' | undefined>(undefined);
  const [operatorResult, setOperatorResult] = useState<{ ok: boolean; message: string } | undefined>(undefined);
  const [organisationError, setOrganisationError] = useState<string | undefined>(undefined);
  const verified = application?.organisation != null && application.step !== 'identity';
  const idNumber = Form.useWatch('operatorIdNumber', form);
  const phone = Form.useWatch('operatorPhone', form);

  // Resuming a draft: what the server kept (ID number and phone only masked, so they stay empty).
  useEffect(() => {
    if (!application || form.isFieldsTouched()) return;
    form.setFieldsValue({
      applicantType: application.applicantType,
      operatorName: application.operator.name,
      orgName: application.organisation?.name ?? undefined,
      uscc: application.organisation?.uscc ?? undefined,
      legalRepresentative: application.organisation?.legalRepresentative ?? undefined,
    });
  }, [application, form]);

  function showRefusal(err: unknown, part: 'operator' | 'organisation') {
    const message = errorMessage(err);
    form.setFields(refusedFields(err, part).map((name) => ({ name, errors: [message] })));
    return message;
  }

  /** The fields' values when the page's own checks pass; the failures show under the fields. */
  async function validated(fields: FieldName[]): Promise<IdentityFields | undefined> {
    try {
      return await form.validateFields(fields);
    } catch {
      return undefined;
    }
  }

  async function verifyOperator() {
    const values = await validated(operatorFields);
    if (!values) return;
    setBusy('operator');
    setOperatorResult(undefined);
    try {
      const result = await applicationsApi.verifyOperator({
        applicationId: application?.id,
        applicantType: values.applicantType,
        operatorName: values.operatorName,
        operatorIdNumber: values.operatorIdNumber,
        operatorPhone: values.operatorPhone,
      });
      setOperatorResult({ ok: true, message: result.message });
      await onOperatorVerified(result.id, values.operatorPhone);
    } catch (err) {
      setOperatorResult({ ok: false, message: showRefusal(err, 'operator') });
    } finally {
      setBusy(undefined);
    }
  }

  async function verifyOrganisation() {
    const values = await validated(organisationFields);
    if (!application || !values) return;
    setBusy('organisation');
    setOrganisationError(undefined);
    try {
      const outcome = await applicationsApi.verifyOrganisation(application.id, {
        orgName: values.orgName,
        uscc: values.uscc,
        legalRepresentative: values.legalRepresentative,
      });
      await onOrganisationVerified(outcome);
    } catch (err) {
      setOrganisationError(showRefusal(err, 'organisation'));
    } finally {
      setBusy(undefined);
    }
  }

  return (
    <Form<IdentityFields>
      form={form}
      name="identity"
      layout="vertical"
      initialValues={{ applicantType: 'enterprise' }}
      onValuesChange={(changed: Partial<IdentityFields>) => {
        if (Object.keys(changed).some((k) => operatorFields.includes(k as FieldName))) setOperatorResult(undefined);
        else setOrganisationError(undefined);
      }}
      className="apply-form"
    >
      <Flex vertical gap={16}>
        {verified && notice}
        <Card size="small" title={<CardTitle icon={<UserOutlined aria-hidden />} text={s.operatorTitle} />}>
          <Form.Item<IdentityFields> name="applicantType" label={s.applicantType} rules={[{ required: true }]}>
            <Radio.Group
              options={[
                { value: 'enterprise', label: s.enterprise },
                { value: 'institution', label: s.institution },
              ]}
            />
          </Form.Item>
          <Form.Item<IdentityFields>
            name="operatorName"
            label={s.operatorName}
            normalize={(v: string | undefined) => (v ?? '').trimStart()}
            rules={[{ required: true, whitespace: true, message: s.operatorNameRequired }, { max: 30, message: s.tooLong(s.operatorName, 30) }]}
          >
            <Input placeholder={s.operatorNamePlaceholder} autoComplete="name" maxLength={30} />
          </Form.Item>
          <Form.Item<IdentityFields>
            name="operatorIdNumber"
            label={s.idNumber}
            normalize={upperWithoutSpaces}
            extra={application && !idNumber ? s.verifiedAs(application.operator.idNumberMasked) : undefined}
            rules={[{ required: true, message: s.idNumberRequired }, idNumberRule]}
          >
            <Input placeholder={s.idNumberPlaceholder} maxLength={18} autoComplete="off" />
          </Form.Item>
          <Form.Item<IdentityFields>
            name="operatorPhone"
            label={s.phone}
            normalize={withoutSpaces}
            extra={application && !phone ? s.verifiedAs(application.operator.phoneMasked) : undefined}
            rules={[
              { required: true, message: s.phoneRequired },
              { pattern: MOBILE_PATTERN, message: s.phoneInvalid },
            ]}
          >
            <Input placeholder={s.phonePlaceholder} inputMode="numeric" maxLength={11} autoComplete="tel" />
          </Form.Item>
          {operatorResult && (
            <Alert type={operatorResult.ok ? 'success' : 'error'} showIcon title={operatorResult.message} className="apply-alert" />
          )}
          <Button type="primary" onClick={verifyOperator} loading={busy === 'operator'} disabled={busy === 'organisation'}>
            {s.verifyOperator}
          </Button>
        </Card>
        <Card size="small" title={<CardTitle icon={<SafetyCertificateOutlined aria-hidden />} text={s.organisationTitle} />}>
          {!application && <Alert type="info" showIcon title={s.operatorFirst} className="apply-alert" />}
          <Form.Item<IdentityFields>
            name="orgName"
            label={s.orgName}
            normalize={(v: string | undefined) => (v ?? '').trimStart()}
            rules={[{ required: true, whitespace: true, message: s.orgNameRequired }, { max: 100, message: s.tooLong(s.orgName, 100) }]}
          >
            <Input placeholder={s.orgNamePlaceholder} maxLength={100} disabled={!application} />
          </Form.Item>
          <Form.Item<IdentityFields>
            name="uscc"
            label={s.uscc}
            normalize={upperWithoutSpaces}
            rules={[{ required: true, message: s.usccRequired }, usccRule]}
          >
            <Input placeholder={s.usccPlaceholder} maxLength={18} disabled={!application} autoComplete="off" />
          </Form.Item>
          <Form.Item<IdentityFields>
            name="legalRepresentative"
            label={s.legalRepresentative}
            normalize={(v: string | undefined) => (v ?? '').trimStart()}
            rules={[{ required: true, whitespace: true, message: s.legalRepresentativeRequired }, { max: 30, message: s.tooLong(s.legalRepresentative, 30) }]}
          >
            <Input placeholder={s.legalRepresentativePlaceholder} maxLength={30} disabled={!application} />
          </Form.Item>
          {organisationError && <Alert type="error" showIcon title={organisationError} className="apply-alert" />}
          <Flex gap={8} wrap>
            <Button
              type="primary"
              onClick={verifyOrganisation}
              loading={busy === 'organisation'}
              disabled={!application || busy === 'operator'}
            >
              {s.verifyOrganisation}
            </Button>
            {verified && <Button onClick={onNext}>{s.continueToContract}</Button>}
          </Flex>
        </Card>
      </Flex>
    </Form>
  );
}

function CardTitle({ icon, text }: { icon: ReactNode; text: string }) {
  return (
    <Flex gap={8} align="center">
      {icon}
      {text}
    </Flex>
  );
}
