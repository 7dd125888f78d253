/**
 * 查看: everything an application holds, read-only — the status, the operator (ID number and phone
 * masked as the server gives them), the organisation, 证书用途, invoice, delivery and the scans.
 */
import { ArrowLeftOutlined, EditOutlined } from '@ant-design/icons';
import { Button, Card, Descriptions, Flex, Result, Skeleton, Typography } from 'antd';
import { shanghaiTime } from '../../format';
import { useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { errorMessage } from '../../api';
import { common } from '../../strings';
import { applicationsApi, contractPdfUrl, type ApplicationView } from '../applicationsApi';
import { describeDelivery, describeInvoice } from './describe';
import { TimelineCard, type TimelineEntry } from '../../components/TimelineCard';
import { StatusTag } from '../StatusTag';
import { UploadCard } from './UploadCard';
import { InvoiceCard } from '../InvoiceCard';
import { detailStrings as s } from './strings';
import './apply.css';
import { PageTitle } from '../../components/PageTitle';

const time = shanghaiTime;

export function ApplicationDetailPage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const [view, setView] = useState<ApplicationView | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [timeline, setTimeline] = useState<TimelineEntry[] | undefined>(undefined);

  useEffect(() => {
    let active = true;
    applicationsApi.view(id).then(
      (v) => active && setView(v),
      (err: unknown) => active && setError(errorMessage(err)),
    );
    applicationsApi.timeline(id).then(
      (t) => active && setTimeline(t.entries),
      () => active && setTimeline([]),
    );
    return () => {
      active = false;
    };
  }, [id]);

  if (error) {
    return (
      <section className="portal-page">
        <Result status="warning" title={common.loadFailedTitle} subTitle={error} />
      </section>
    );
  }
  if (!view) {
    return (
      <section className="portal-page">
        <Skeleton active paragraph={{ rows: 12 }} />
      </section>
    );
  }

  const attachments = [...view.baseAttachments, ...view.projectAttachments];
  const accepted = (kind: 'sign' | 'read') => view.contractAcceptances.find((c) => c.kind === kind);

  return (
    <section className="portal-page">
      <Flex justify="space-between" align="center" wrap gap={12} className="portal-page-header">
        <Flex align="center" gap={12} wrap>
          <PageTitle style={{ margin: 0 }}>
            {s.title}
          </PageTitle>
          <StatusTag status={view.status} label={view.statusLabel} />
        </Flex>
        <Flex gap={8} wrap>
          {view.events.includes('submit') && (
            <Button type="primary" icon={<EditOutlined aria-hidden />} onClick={() => navigate(`/applications/${view.id}`)}>
              {s.continue}
            </Button>
          )}
          {view.events.includes('resubmit') && (
            <Button type="primary" icon={<EditOutlined aria-hidden />} onClick={() => navigate(`/applications/${view.id}`)}>
              {s.modify}
            </Button>
          )}
          <Button icon={<ArrowLeftOutlined aria-hidden />} onClick={() => navigate('/applications')}>
            {s.back}
          </Button>
        </Flex>
      </Flex>
      <Flex vertical gap={16}>
        <Descriptions bordered size="small" column={{ xs: 1, sm: 1, md: 2 }}>
          <Descriptions.Item label={s.number}>{view.number}</Descriptions.Item>
          <Descriptions.Item label={s.status}>{view.statusLabel}</Descriptions.Item>
          <Descriptions.Item label={s.applicantType}>{view.applicantTypeLabel}</Descriptions.Item>
          <Descriptions.Item label={s.amount}>{`${view.amount} 元（服务年限 ${view.termYears} 年）`}</Descriptions.Item>
          <Descriptions.Item label={s.createdAt}>{time(view.createdAt)}</Descriptions.Item>
          <Descriptions.Item label={s.submittedAt}>{time(view.submittedAt)}</Descriptions.Item>
        </Descriptions>
        <Descriptions title={s.operatorTitle} bordered size="small" column={{ xs: 1, sm: 1, md: 3 }}>
          <Descriptions.Item label={s.operatorName}>{view.operator.name}</Descriptions.Item>
          <Descriptions.Item label={s.idNumber}>{view.operator.idNumberMasked}</Descriptions.Item>
          <Descriptions.Item label={s.phone}>{view.operator.phoneMasked}</Descriptions.Item>
        </Descriptions>
        <Descriptions title={s.organisationTitle} bordered size="small" column={{ xs: 1, sm: 1, md: 2 }}>
          <Descriptions.Item label={s.orgName}>{view.organisation?.name ?? s.notFilled}</Descriptions.Item>
          <Descriptions.Item label={s.uscc}>{view.organisation?.uscc ?? s.notFilled}</Descriptions.Item>
          <Descriptions.Item label={s.legalRepresentative}>{view.organisation?.legalRepresentative ?? s.notFilled}</Descriptions.Item>
          <Descriptions.Item label={s.contractTitle}>
            {[accepted('sign') && s.contractSign, accepted('read') && s.contractRead].filter(Boolean).join('，') || '—'}
            {accepted('sign') && (
              <a href={contractPdfUrl(view.id, true)} style={{ marginLeft: 12 }}>
                {s.contractDownload}
              </a>
            )}
          </Descriptions.Item>
          {view.organisation?.registryOutcome === 'not_found' && (
            <Descriptions.Item label={s.registry}>{s.registryNotFound}</Descriptions.Item>
          )}
        </Descriptions>
        <Descriptions title={s.formTitle} bordered size="small" column={1}>
          <Descriptions.Item label={s.project}>{view.project?.name ?? s.notFilled}</Descriptions.Item>
          <Descriptions.Item label={s.invoice}>{describeInvoice(view.invoice)}</Descriptions.Item>
          <Descriptions.Item label={s.delivery}>{describeDelivery(view.delivery)}</Descriptions.Item>
        </Descriptions>
        {view.status !== 'draft' && <InvoiceCard applicationId={view.id} />}
        <Card size="small" title={s.attachmentsTitle}>
          <div className="apply-upload-grid">
            {attachments.map((slot) => (
              <UploadCard key={slot.kind} applicationId={view.id} slot={slot} readOnly />
            ))}
          </div>
        </Card>
        <TimelineCard entries={timeline} />
      </Flex>
    </section>
  );
}
