/**
 * 上传附件并提交: the scans the chosen project (所属项目) asks for — 法人手章 and 法人签名 — then 提交,
 * which sends the application to review (待审核). A 事业单位 uploads everything here, as the manual
 * has it: its 事业单位法人证书 and the stamped 申请表 and 授权委托书, whose templates are downloaded
 * here filled in; the contract it signed (with the CA's seal and signature) is offered here too.
 */
import { DownloadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Flex, Typography } from 'antd';
import { useNavigate } from 'react-router-dom';
import { applicationsApi, contractPdfUrl, templateUrl, type ApplicationView } from '../applicationsApi';
import { AttachmentSlots } from './AttachmentSlots';
import { attachmentStrings as s, contractStrings } from './strings';

interface Props {
  application: ApplicationView;
  onChanged(): void;
}

const templates = new Set(['application_form', 'authorisation_letter']);

export function ProjectAttachmentsStep({ application, onChanged }: Props) {
  const { message } = App.useApp();
  const navigate = useNavigate();
  const renewal = application.kind !== 'new';
  const institution = application.applicantType === 'institution' && !renewal;
  // 续期: only the licence, and only when the registration changed (the server says which).
  const slots = renewal || institution ? [...application.baseAttachments, ...application.projectAttachments] : application.projectAttachments;

  return (
    <Flex vertical gap={16}>
      {institution && (
        <Alert
          type="success"
          showIcon
          title={s.signedContract}
          action={
            <Button size="small" icon={<DownloadOutlined aria-hidden />} href={contractPdfUrl(application.id, true)}>
              {contractStrings.pdfDownload}
            </Button>
          }
        />
      )}
      {application.project && <Typography.Text>{s.projectIntro(application.project.name)}</Typography.Text>}
      {institution && (
        <Flex vertical gap={8} className="apply-templates">
          <Typography.Text>{s.institutionIntro(slots.filter((x) => !templates.has(x.kind)).map((x) => x.label))}</Typography.Text>
          <Flex gap={8} wrap>
            <Button icon={<DownloadOutlined aria-hidden />} href={templateUrl(application.id, 'application-form.pdf')} download>
              {s.downloadApplicationForm}
            </Button>
            <Button icon={<DownloadOutlined aria-hidden />} href={templateUrl(application.id, 'authorisation-letter.pdf')} download>
              {s.downloadAuthorisationLetter}
            </Button>
          </Flex>
        </Flex>
      )}
      {renewal ? (
        <Alert
          type={slots.length > 0 ? 'warning' : 'success'}
          showIcon
          title={
            application.kind === 'change'
              ? slots.length > 0
                ? s.changeNote
                : s.changeNoPapersNote
              : application.kind === 'reissue'
                ? s.reissueNote
                : slots.length > 0
                  ? s.renewalChangedNote
                  : s.renewalUnchangedNote
          }
        />
      ) : (
        <Typography.Text type="warning">{institution ? s.institutionProjectNote : s.projectNote}</Typography.Text>
      )}
      <AttachmentSlots
        applicationId={application.id}
        slots={slots}
        onChanged={onChanged}
        submit={async () => {
          const result = await applicationsApi.submit(application.id);
          // 续期自动审核: approved at once, nothing to wait for.
          message.success({ content: result.status === 'approved' ? s.autoApproved : s.submitted, duration: 6 });
          navigate('/applications');
        }}
      />
    </Flex>
  );
}
