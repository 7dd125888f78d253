/**
 * 免密码登录: the applicant's only way in. A new phone is registered by the server on its first
 * successful login, hence the one button 注册/登录. Checks here mirror the server's so that the
 * common mistakes are caught without a round trip; the server's answer is still shown verbatim.
 */
import { MobileOutlined, SafetyCertificateOutlined, SafetyOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Flex, Form, Input, Typography } from 'antd';
import { useRef, useState } from 'react';
import type { InputRef } from 'antd';
import { Navigate, useLocation, useNavigate } from 'react-router-dom';
import { ApiError, authApi, errorMessage } from '../api';
import { useCountdown } from '../hooks/useCountdown';
import { useSession, type LoginRedirectState } from '../session';
import { common } from '../strings';
import { loginStrings as s } from './strings';
import './login.css';
import { PageTitle } from '../components/PageTitle';

const PHONE_PATTERN = /^1[3-9]\d{9}$/;
const CODE_PATTERN = /^\d{6}$/;
const HOME = '/applications';

interface LoginFields {
  phone: string;
  code: string;
}

const withoutSpaces = (value: string | undefined) => (value ?? '').replace(/\s+/g, '');

export function LoginPage() {
  const { state } = useSession();
  const location = useLocation();
  const from = (location.state as LoginRedirectState | null)?.from;

  // Drawn while the session is still being asked for: the visitor sees the page a round trip
  // sooner, and someone already signed in moves on as soon as the answer says so.
  if (state.status === 'signedIn') return <Navigate to={from ?? HOME} replace />;

  return (
    <Flex component="main" vertical align="center" justify="center" className="login-page">
      <Card className="login-card">
        <Flex vertical align="center" className="login-heading">
          <SafetyCertificateOutlined className="login-logo" aria-hidden />
          <PageTitle size={24} style={{ margin: 0 }}>
            {s.title}
          </PageTitle>
          <Typography.Text type="secondary">{s.subtitle}</Typography.Text>
        </Flex>
        <LoginPanel from={from} />
      </Card>
      <Typography.Text type="secondary" className="login-footer">
        {common.customerService}
      </Typography.Text>
    </Flex>
  );
}

function LoginPanel({ from }: { from: string | undefined }) {
  const [showForm, setShowForm] = useState(false);
  if (!showForm) {
    return (
      <Flex vertical gap={16}>
        <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
          {s.intro}
        </Typography.Paragraph>
        <Button type="primary" size="large" block icon={<MobileOutlined aria-hidden />} onClick={() => setShowForm(true)}>
          {s.smsLogin}
        </Button>
      </Flex>
    );
  }
  return <SmsLoginForm from={from} onBack={() => setShowForm(false)} />;
}

function SmsLoginForm({ from, onBack }: { from: string | undefined; onBack: () => void }) {
  const [form] = Form.useForm<LoginFields>();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const { signedIn } = useSession();
  const codeInput = useRef<InputRef>(null);
  const countdown = useCountdown();
  // The server's cooldown is per phone: correcting a mistyped number must not wait for it.
  const [cooldownPhone, setCooldownPhone] = useState<string | undefined>(undefined);
  const [sending, setSending] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [serverError, setServerError] = useState<string | undefined>(undefined);
  const phone = Form.useWatch('phone', form);

  const coolingDown = countdown.remaining > 0 && phone === cooldownPhone;

  async function requestCode() {
    let target: string;
    try {
      target = (await form.validateFields(['phone'])).phone;
    } catch {
      return;
    }
    setServerError(undefined);
    setSending(true);
    try {
      const { cooldownSeconds } = await authApi.requestCode(target);
      setCooldownPhone(target);
      countdown.start(cooldownSeconds);
      message.success(s.codeSent);
      codeInput.current?.focus();
    } catch (err) {
      if (err instanceof ApiError && err.retryAfterSeconds !== undefined) {
        setCooldownPhone(target);
        countdown.start(err.retryAfterSeconds);
      }
      setServerError(errorMessage(err));
    } finally {
      setSending(false);
    }
  }

  async function login(fields: LoginFields) {
    setServerError(undefined);
    setSubmitting(true);
    try {
      const session = await authApi.login(fields.phone, fields.code);
      // The 验证码已发送 toast belongs to the login page; it should not follow the user in.
      message.destroy();
      signedIn(session);
      navigate(from ?? HOME, { replace: true });
    } catch (err) {
      // Shown in the page, not as a toast: the remaining attempts must stay readable.
      setServerError(errorMessage(err));
      setSubmitting(false);
    }
  }

  return (
    <Form<LoginFields>
      form={form}
      name="login"
      layout="vertical"
      requiredMark={false}
      onFinish={login}
      onValuesChange={() => setServerError(undefined)}
      size="large"
    >
      <Typography.Title level={5} style={{ marginTop: 0 }}>
        {s.smsLogin}
      </Typography.Title>
      <Form.Item<LoginFields>
        name="phone"
        label={s.phoneLabel}
        normalize={withoutSpaces}
        rules={[
          { required: true, message: s.phoneRequired },
          { pattern: PHONE_PATTERN, message: s.phoneInvalid },
        ]}
      >
        <Input
          placeholder={s.phonePlaceholder}
          prefix={<MobileOutlined aria-hidden />}
          inputMode="numeric"
          autoComplete="tel"
          maxLength={11}
          allowClear
        />
      </Form.Item>
      <Form.Item label={s.codeLabel} htmlFor="login_code" required>
        <Flex gap={8}>
          <Form.Item<LoginFields>
            name="code"
            noStyle
            normalize={withoutSpaces}
            rules={[
              { required: true, message: s.codeRequired },
              { pattern: CODE_PATTERN, message: s.codeInvalid },
            ]}
          >
            <Input
              ref={codeInput}
              placeholder={s.codePlaceholder}
              prefix={<SafetyOutlined aria-hidden />}
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={6}
            />
          </Form.Item>
          <Button className="login-code-button" onClick={requestCode} loading={sending} disabled={coolingDown}>
            {coolingDown ? s.resendIn(countdown.remaining) : s.requestCode}
          </Button>
        </Flex>
      </Form.Item>
      {serverError && <Alert type="error" showIcon title={serverError} className="login-error" />}
      <Form.Item style={{ marginBottom: 8 }}>
        <Button type="primary" htmlType="submit" block loading={submitting}>
          {s.submit}
        </Button>
      </Form.Item>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Text type="secondary" className="login-note">
          {s.newPhoneNote}
        </Typography.Text>
        <Button type="link" size="small" onClick={onBack} style={{ padding: 0 }}>
          {s.back}
        </Button>
      </Flex>
      {import.meta.env.DEV && (
        <Typography.Link href="/dev/sms" target="_blank" className="login-dev-hint">
          {s.devSmsHint}
        </Typography.Link>
      )}
    </Form>
  );
}
