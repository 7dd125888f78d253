import { Button, Flex, Result } from 'antd';
import { common } from '../strings';

export function FullPageError({ message, onRetry }: { message: string; onRetry: () => void }) {
  return (
    <Flex align="center" justify="center" style={{ minHeight: '100vh' }}>
      <Result
        status="warning"
        title={common.loadFailedTitle}
        subTitle={message}
        extra={
          <Button type="primary" onClick={onRetry}>
            {common.retry}
          </Button>
        }
      />
    </Flex>
  );
}
