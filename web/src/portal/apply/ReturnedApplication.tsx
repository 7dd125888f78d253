/**
 * 待修改: the application the reviewer returned. The reasons stand on top (审核未通过，请按以下意见修改后
 * 再次提交, one "label：reason" each); only the returned items can be changed — the returned scans'
 * upload cards, the returned groups of 申请信息 or 实名认证 — everything else is read-only. 再次提交
 * sends it back to 待审核; the server's refusals (409 未被退回修改, 422 请先修改退回的内容) show here.
 */
import { ArrowLeftOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Descriptions, Flex, Form, Typography } from 'antd';
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { errorMessage } from '../../api';
import type { ApplicationView, OrganisationOutcome } from '../applicationsApi';
import { applicationsApi } from '../applicationsApi';
import { StatusTag } from '../StatusTag';
import { describeDelivery, describeInvoice } from './describe';
import { FormStep, type FormFields } from './FormStep';
import { IdentityStep, type IdentityFields } from './IdentityStep';
import { UploadCard } from './UploadCard';
import { detailStrings, returnedStrings as s, wizardStrings } from './strings';
import { PageTitle } from '../../components/PageTitle';

interface Props {
  application: ApplicationView;
  /** Reloads the application after a change; throws what the server said. */
  refresh(): Promise<unknown>;
}

export function ReturnedApplication({ application: view, refresh }: Props) {
  const navigate = useNavigate();
  const { message } = App.useApp();
  const [identityForm] = Form.useForm<IdentityFields>();
  const [applicationForm] = Form.useForm<FormFields>();
  const [error, setError] = useState<string | undefined>(undefined);
  const [identityNotice, setIdentityNotice] = useState<string | undefined>(undefined);
  const [resubmitting, setResubmitting] = useState(false);
  const [operatorPhone, setOperatorPhone] = useState<string | undefined>(undefined);

  const returned = view.returnedItems ?? [];
  const isReturned = (item: string) => returned.some((r) => r.item === item);
  const editable = { project: isReturned('field:project'), invoice: isReturned('field:invoice'), delivery: isReturned('field:delivery') };
  const formReturned = editable.project || editable.invoice || editable.delivery;
  const identityReturned = isReturned('field:operator') || isReturned('field:organisation');
  const slots = [...view.baseAttachments, ...view.projectAttachments];
  const attachmentsReturned = slots.some((slot) => isReturned(`attachment:${slot.kind}`));

  function reload() {
    setError(undefined);
    refresh().catch((err: unknown) => setError(errorMessage(err)));
  }

  async function formSaved() {
    message.success(s.saved);
    reload();
  }

  async function operatorVerified(_id: string, phone: string) {
    setOperatorPhone(phone);
    reload();
  }

  async function organisationVerified(outcome: OrganisationOutcome) {
    setIdentityNotice(outcome.message);
    reload();
  }

  async function resubmit() {
    setResubmitting(true);
    setError(undefined);
    try {
      await applicationsApi.resubmit(view.id);
      message.success(s.resubmitted);
      navigate('/applications');
    } catch (err) {
      setError(errorMessage(err));
      setResubmitting(false);
    }
  }

  return (
    <section className="portal-page">
      <Flex justify="space-between" align="center" wrap gap={12} className="portal-page-header">
        <Flex vertical gap={2}>
          <Flex align="center" gap={12} wrap>
            <PageTitle style={{ margin: 0 }}>
              {s.title}
            </PageTitle>
            <StatusTag status={view.status} label={view.statusLabel} />
          </Flex>
          <Typography.Text type="secondary">{wizardStrings.number(view.number)}</Typography.Text>
        </Flex>
        <Button icon={<ArrowLeftOutlined aria-hidden />} onClick={() => navigate('/applications')}>
          {wizardStrings.backToList}
        </Button>
      </Flex>
      <Flex vertical gap={16}>
        <Alert
          type="warning"
          showIcon
          title={s.alert}
          description={
            <ul className="apply-returned-list">
              {returned.map((r) => (
                <li key={r.item}>{s.item(r.label, r.reason)}</li>
              ))}
            </ul>
          }
        />

        {identityReturned ? (
          <Card size="small" title={s.identityTitle}>
            <IdentityStep
              form={identityForm}
              application={view}
              notice={identityNotice && <Alert type="info" showIcon title={identityNotice} />}
              onOperatorVerified={operatorVerified}
              onOrganisationVerified={organisationVerified}
              onNext={() => undefined}
            />
          </Card>
        ) : (
          <Descriptions title={s.readOnlyTitle} bordered size="small" column={{ xs: 1, sm: 1, md: 2 }}>
            <Descriptions.Item label={detailStrings.applicantType}>{view.applicantTypeLabel}</Descriptions.Item>
            <Descriptions.Item label={detailStrings.operatorName}>{view.operator.name}</Descriptions.Item>
            <Descriptions.Item label={detailStrings.idNumber}>{view.operator.idNumberMasked}</Descriptions.Item>
            <Descriptions.Item label={detailStrings.phone}>{view.operator.phoneMasked}</Descriptions.Item>
            <Descriptions.Item label={detailStrings.orgName}>{view.organisation?.name ?? detailStrings.notFilled}</Descriptions.Item>
            <Descriptions.Item label={detailStrings.uscc}>{view.organisation?.uscc ?? detailStrings.notFilled}</Descriptions.Item>
          </Descriptions>
        )}

        <Card size="small" title={s.formTitle}>
          {formReturned && <Alert type="info" showIcon title={s.formIntro} style={{ marginBottom: 16 }} />}
          {formReturned ? (
            <FormStep
              form={applicationForm}
              application={view}
              operatorPhone={operatorPhone}
              onSaved={formSaved}
              editable={editable}
              submitLabel={s.save}
            />
          ) : (
            <Descriptions bordered size="small" column={1}>
              <Descriptions.Item label={detailStrings.project}>{view.project?.name ?? detailStrings.notFilled}</Descriptions.Item>
              <Descriptions.Item label={detailStrings.invoice}>{describeInvoice(view.invoice)}</Descriptions.Item>
              <Descriptions.Item label={detailStrings.delivery}>{describeDelivery(view.delivery)}</Descriptions.Item>
              <Descriptions.Item label={detailStrings.amount}>{`${view.amount} 元`}</Descriptions.Item>
            </Descriptions>
          )}
        </Card>

        <Card size="small" title={s.attachmentsTitle}>
          <Typography.Paragraph type="secondary">{attachmentsReturned ? s.attachmentsIntro : s.attachmentsReadOnly}</Typography.Paragraph>
          <div className="apply-upload-grid">
            {slots.map((slot) => (
              <UploadCard
                key={slot.kind}
                applicationId={view.id}
                slot={slot}
                readOnly={!isReturned(`attachment:${slot.kind}`)}
                onUploaded={reload}
              />
            ))}
          </div>
        </Card>

        {error && <Alert type="error" showIcon title={error} />}
        <div>
          <Button type="primary" onClick={resubmit} loading={resubmitting}>
            {s.resubmit}
          </Button>
        </div>
      </Flex>
    </section>
  );
}
