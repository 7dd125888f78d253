import { Flex, Spin } from 'antd';
import { common } from '../strings';

export function FullPageSpin() {
  return (
    <Flex align="center" justify="center" style={{ minHeight: '100vh' }} aria-label={common.loading} aria-busy>
      <Spin size="large" />
    </Flex>
  );
}
