import { Button, Flex, Result } from 'antd';
import { useNavigate } from 'react-router-dom';
import { common } from './strings';

export function NotFoundPage() {
  const navigate = useNavigate();
  return (
    <Flex align="center" justify="center" style={{ minHeight: '100vh' }}>
      <Result
        status="404"
        title={common.notFoundTitle}
        subTitle={common.notFoundSubtitle}
        extra={
          <Button type="primary" onClick={() => navigate('/')}>
            {common.backHome}
          </Button>
        }
      />
    </Flex>
  );
}
