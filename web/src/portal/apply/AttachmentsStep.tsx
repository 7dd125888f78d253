/**
 * 上传附件 (enterprises): the base scans (营业执照副本扫描件, the 企业印章, both sides of the legal
 * representative's ID), then 提交. The server says
 * which are missing; that list is shown as it words it.
 */
import { Flex, Typography } from 'antd';
import { applicationsApi, type ApplicationView } from '../applicationsApi';
import { AttachmentSlots } from './AttachmentSlots';
import { attachmentStrings as s } from './strings';

interface Props {
  application: ApplicationView;
  onChanged(): void;
  onCompleted(): void;
}

export function AttachmentsStep({ application, onChanged, onCompleted }: Props) {
  return (
    <Flex vertical gap={16}>
      <Typography.Text>{s.intro}</Typography.Text>
      <Typography.Text type="warning">{s.note}</Typography.Text>
      <AttachmentSlots
        applicationId={application.id}
        slots={application.baseAttachments}
        onChanged={onChanged}
        submit={async () => {
          await applicationsApi.completeAttachments(application.id);
          onCompleted();
        }}
      />
    </Flex>
  );
}
