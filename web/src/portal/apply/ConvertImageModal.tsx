/**
 * 图片需要转换: offered when a picture is over 1 MB or in a format the platform does not take but
 * the browser can open. The conversion runs as soon as the dialog opens, so the applicant sees the
 * result and its size before anything is sent.
 */
import { Alert, Flex, Modal, Spin, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { conversionStrings as s } from './strings';
import { convertToJpeg, formatSize, jpegName, type Converted, type Plan } from './imageFiles';

export interface ConversionRequest {
  file: File;
  reason: Extract<Plan, { action: 'convert' }>['reason'];
}

interface Props {
  request: ConversionRequest | undefined;
  onConfirm(file: Blob, filename: string): void;
  onCancel(): void;
}

type State = { status: 'converting' } | { status: 'done'; result: Converted; previewUrl: string } | { status: 'failed' };

export function ConvertImageModal({ request, onConfirm, onCancel }: Props) {
  const [state, setState] = useState<State>({ status: 'converting' });

  useEffect(() => {
    if (!request) return;
    let current = true;
    let previewUrl: string | undefined;
    setState({ status: 'converting' });
    convertToJpeg(request.file).then(
      (result) => {
        if (!current) return;
        previewUrl = URL.createObjectURL(result.blob);
        setState({ status: 'done', result, previewUrl });
      },
      () => {
        if (current) setState({ status: 'failed' });
      },
    );
    return () => {
      current = false;
      if (previewUrl) URL.revokeObjectURL(previewUrl);
    };
  }, [request]);

  const reason =
    request?.reason.kind === 'tooLarge'
      ? s.tooLarge(formatSize(request.reason.bytes))
      : request?.reason.kind === 'unsupported'
        ? s.unsupported(request.reason.format)
        : '';

  return (
    <Modal
      open={request !== undefined}
      title={s.title}
      okText={s.convertAndUpload}
      cancelText={s.cancel}
      okButtonProps={{ disabled: state.status !== 'done' }}
      onOk={() => {
        if (request && state.status === 'done') onConfirm(state.result.blob, jpegName(request.file.name));
      }}
      onCancel={onCancel}
      destroyOnHidden
      centered
    >
      <Flex vertical gap={12}>
        <Typography.Paragraph style={{ margin: 0 }}>
          {reason}
          {s.offer}
        </Typography.Paragraph>
        {state.status === 'converting' && (
          <Flex align="center" gap={8}>
            <Spin size="small" />
            <Typography.Text type="secondary">{s.converting}</Typography.Text>
          </Flex>
        )}
        {state.status === 'failed' && <Alert type="error" showIcon title={s.failed} />}
        {state.status === 'done' && (
          <Flex vertical align="center" gap={8}>
            <img src={state.previewUrl} alt={s.previewAlt} className="apply-convert-preview" />
            <Typography.Text>{s.result(formatSize(state.result.blob.size), state.result.width, state.result.height)}</Typography.Text>
          </Flex>
        )}
      </Flex>
    </Modal>
  );
}
