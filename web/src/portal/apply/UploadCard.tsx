/**
 * One upload slot (营业执照副本扫描件, 企业印章 …): its label and hint, a thumbnail of what is on file,
 * the progress of an upload under way, and the server's refusal in words when it says no.
 */
import { CheckCircleFilled, FileImageOutlined, UploadOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Flex, Image, Progress, Tag, Typography } from 'antd';
import { useId, useRef, useState, type ChangeEvent } from 'react';
import { errorMessage } from '../../api';
import { applicationsApi, attachmentContentUrl, type AttachmentSlot } from '../applicationsApi';
import { ConvertImageModal, type ConversionRequest } from './ConvertImageModal';
import { formatSize, planUpload } from './imageFiles';
import { attachmentStrings as s } from './strings';

interface Props {
  applicationId: string;
  slot: AttachmentSlot;
  /** Read-only: the thumbnail only. */
  readOnly?: boolean;
  onUploaded?(): void;
}

/** What the file input offers; other files can still be picked and are judged by content. */
const ACCEPT = 'image/jpeg,image/png,image/bmp,image/gif,image/webp,image/avif,image/heic,.jpg,.jpeg,.png,.bmp';

export function UploadCard({ applicationId, slot, readOnly = false, onUploaded }: Props) {
  const titleId = useId();
  const input = useRef<HTMLInputElement>(null);
  const [progress, setProgress] = useState<number | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [conversion, setConversion] = useState<ConversionRequest | undefined>(undefined);
  const uploaded = slot.uploaded;

  async function send(file: Blob, filename: string) {
    setError(undefined);
    setProgress(0);
    try {
      await applicationsApi.uploadAttachment(applicationId, slot.kind, file, filename, setProgress);
      setProgress(100);
      onUploaded?.();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setProgress(undefined);
    }
  }

  async function picked(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    // The same file picked again after a refusal must fire another change.
    event.target.value = '';
    if (!file) return;
    setError(undefined);
    const plan = await planUpload(file);
    if (plan.action === 'convert') setConversion({ file, reason: plan.reason });
    else await send(file, file.name);
  }

  const uploading = progress !== undefined;

  return (
    <Card size="small" className="apply-upload-card" role="group" aria-labelledby={titleId}>
      <Flex vertical gap={8}>
        <Flex justify="space-between" align="start" gap={8}>
          <Typography.Text strong id={titleId}>
            {slot.label}
          </Typography.Text>
          {uploaded ? (
            <Tag color="success" icon={<CheckCircleFilled aria-hidden />}>
              {s.uploaded}
            </Tag>
          ) : (
            <Tag>{s.notUploaded}</Tag>
          )}
        </Flex>
        {slot.hint && (
          <Typography.Text type="secondary" className="apply-upload-hint">
            {slot.hint}
          </Typography.Text>
        )}
        <div className="apply-thumb">
          {uploaded ? (
            <Image
              src={attachmentContentUrl(applicationId, uploaded.id)}
              alt={slot.label}
              height={120}
              style={{ objectFit: 'contain', maxWidth: '100%' }}
            />
          ) : (
            <FileImageOutlined className="apply-thumb-empty" aria-hidden />
          )}
        </div>
        {uploaded && (
          <Typography.Text type="secondary" className="apply-upload-file" ellipsis={{ tooltip: uploaded.name }}>
            {s.fileInfo(uploaded.name, formatSize(uploaded.sizeBytes))}
          </Typography.Text>
        )}
        {uploading && <Progress percent={progress} size="small" status="active" aria-label={s.uploading} />}
        {error && <Alert type="error" showIcon title={error} className="apply-upload-error" />}
        {!readOnly && (
          <>
            <input
              ref={input}
              type="file"
              accept={ACCEPT}
              className="apply-file-input"
              aria-label={slot.label}
              onChange={picked}
              tabIndex={-1}
            />
            <Button icon={<UploadOutlined aria-hidden />} onClick={() => input.current?.click()} loading={uploading} block>
              {uploading ? s.uploading : uploaded ? s.replace : s.choose}
            </Button>
          </>
        )}
      </Flex>
      <ConvertImageModal
        request={conversion}
        onCancel={() => setConversion(undefined)}
        onConfirm={(blob, filename) => {
          setConversion(undefined);
          void send(blob, filename);
        }}
      />
    </Card>
  );
}
