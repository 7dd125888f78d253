/**
 * 上传附件并提交: the scans the chosen project (所属项目) asks for — 法人手章 and 法人签名, and for a
 * 事业单位 the stamped 申请表 and 授权委托书, whose templates are downloaded here filled in — then
 * 提交, which sends the application to review (待审核).
 */
import { DownloadOutlined } from '@ant-design/icons';
import { App, Button, Flex, Typography } from 'antd';
import { useNavigate } from 'react-router-dom';
import { applicationsApi, templateUrl, type ApplicationView } from '../applicationsApi';
import { AttachmentSlots } from './AttachmentSlots';
import { attachmentStrings as s } from './strings';

interface Props {
  application: ApplicationView;
  onChanged(): void;
}

export function ProjectAttachmentsStep({ application, onChanged }: Props) {
  const { message } = App.useApp();
  const navigate = useNavigate();
  const institution = application.applicantType === 'institution';

  return (
    <Flex vertical gap={16}>
      {application.project && <Typography.Text>{s.projectIntro(application.project.name)}</Typography.Text>}
      {institution && (
        <Flex vertical gap={8} className="apply-templates">
          <Typography.Text>{s.templatesIntro}</Typography.Text>
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
      <Typography.Text type="warning">{institution ? s.institutionProjectNote : s.projectNote}</Typography.Text>
      <AttachmentSlots
        applicationId={application.id}
        slots={application.projectAttachments}
        onChanged={onChanged}
        submit={async () => {
          await applicationsApi.submit(application.id);
          message.success({ content: s.submitted, duration: 6 });
          navigate('/applications');
        }}
      />
    </Flex>
  );
}
