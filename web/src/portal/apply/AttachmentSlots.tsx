/**
 * The upload cards of one attachments step and its 提交. The server's refusal of 提交 (请上传：…)
 * stays until the next scan arrives, which makes it out of date.
 */
import { Alert, Button, Flex } from 'antd';
import { useState } from 'react';
import { errorMessage } from '../../api';
import type { AttachmentSlot } from '../applicationsApi';
import { UploadCard } from './UploadCard';
import { attachmentStrings as s } from './strings';

interface Props {
  applicationId: string;
  slots: AttachmentSlot[];
  /** A scan was stored: the wizard reloads the application to show it. */
  onChanged(): void;
  /** 提交: resolves when the step is done, throws the server's refusal. */
  submit(): Promise<void>;
}

export function AttachmentSlots({ applicationId, slots, onChanged, submit }: Props) {
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);

  function uploaded() {
    setError(undefined);
    onChanged();
  }

  async function pressSubmit() {
    setSaving(true);
    setError(undefined);
    try {
      await submit();
    } catch (err) {
      setError(errorMessage(err));
      setSaving(false);
    }
  }

  return (
    <Flex vertical gap={16}>
      {slots.length === 0 ? (
        <Alert type="info" showIcon title={s.none} />
      ) : (
        <div className="apply-upload-grid">
          {slots.map((slot) => (
            <UploadCard key={slot.kind} applicationId={applicationId} slot={slot} onUploaded={uploaded} />
          ))}
        </div>
      )}
      {error && <Alert type="error" showIcon title={error} />}
      <div>
        <Button type="primary" onClick={pressSubmit} loading={saving}>
          {s.submit}
        </Button>
      </div>
    </Flex>
  );
}
