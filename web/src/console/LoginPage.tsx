/** 员工登录: username and password, then the authenticator's code, or binding one at the first login. */
import { Alert, Button, Card, Flex, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router-dom';
import { errorMessage } from '../api';
import { staffApi, type PasswordStep } from './api';
import { useStaffSession } from './session';
import { s } from './strings';
import './console.css';
import { PageTitle } from '../components/PageTitle';

export function ConsoleLoginPage() {
  const { state, signedIn } = useStaffSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [step, setStep] = useState<PasswordStep | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  if (state.status === 'signedIn') return <Navigate to="/console" replace />;

  const from = (location.state as { from?: string } | null)?.from;

  const onPassword = async (values: { username: string; password: string }) => {
    setBusy(true);
    setError(undefined);
    try {
      setStep(await staffApi.passwordLogin(values.username, values.password));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const onCode = async (values: { code: string }) => {
    if (!step) return;
    setBusy(true);
    setError(undefined);
    try {
      const session = await staffApi.secondStep(step.next, step.ticket, values.code.trim());
      signedIn(session);
      navigate(from && from.startsWith('/console') && from !== '/console/login' ? from : '/console', { replace: true });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Flex component="main" align="center" justify="center" className="console-login">
      <Card className="console-login-card">
        <PageTitle size={24} className="console-login-title">
          {s.consoleTitle}
        </PageTitle>
        {error && <Alert type="error" showIcon message={error} className="console-login-alert" />}
        {!step && (
          <Form layout="vertical" onFinish={onPassword} requiredMark={false}>
            <Form.Item label={s.username} name="username" rules={[{ required: true, message: s.usernameRequired }]}>
              <Input autoComplete="username" placeholder={s.usernamePlaceholder} />
            </Form.Item>
            <Form.Item label={s.password} name="password" rules={[{ required: true, message: s.passwordRequired }]}>
              <Input.Password autoComplete="current-password" placeholder={s.passwordPlaceholder} />
            </Form.Item>
            <Button type="primary" htmlType="submit" block loading={busy}>
              {s.login}
            </Button>
          </Form>
        )}
        {step && (
          <Form layout="vertical" onFinish={onCode} requiredMark={false}>
            {step.next === 'enrol' && (
              <>
                <Typography.Title level={5}>{s.enrolTitle}</Typography.Title>
                <Flex justify="center">
                  <img src={step.qrDataUrl} alt={s.qrAlt} className="console-qr" />
                </Flex>
                <Typography.Paragraph>{s.enrolHint}</Typography.Paragraph>
              </>
            )}
            <Form.Item
              label={s.totpCode}
              name="code"
              rules={[
                { required: true, message: s.totpRequired },
                { pattern: /^\s*\d{6}\s*$/, message: s.totpFormat },
              ]}
            >
              <Input inputMode="numeric" maxLength={6} autoComplete="one-time-code" placeholder={s.totpPlaceholder} autoFocus />
            </Form.Item>
            <Button type="primary" htmlType="submit" block loading={busy}>
              {step.next === 'enrol' ? s.enrolSubmit : s.verify}
            </Button>
            <Button
              type="link"
              block
              onClick={() => {
                setStep(undefined);
                setError(undefined);
              }}
            >
              {s.backToPassword}
            </Button>
          </Form>
        )}
      </Card>
    </Flex>
  );
}
