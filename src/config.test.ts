/** The mail settings: the simulator by default, an SMTP server in production, refused when unsafe or incomplete. */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

const smtp = { MAIL_PROVIDER: 'smtp', MAIL_SMTP_HOST: 'smtp.exmail.example', MAIL_FROM: '某某CA <invoice@ca.example>' };

function configError(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('mail configuration', () => {
  it('runs the simulator by default, on 2525 unless the app itself takes any free port', () => {
    const demo = loadConfig({}).mail;
    expect(demo).toMatchObject({ provider: 'simulator', host: '127.0.0.1', security: 'none', simulatorPort: 2525, simulatorPortFallback: true });
    expect(demo.from).toBe('CertDesk 数字证书认证中心 <invoice@certdesk.example>');
    expect(loadConfig({ PORT: '0' }).mail.simulatorPort).toBe(0);
    // A port asked for is that port or nothing.
    expect(loadConfig({ MAIL_SIMULATOR_PORT: '2600' }).mail).toMatchObject({ simulatorPort: 2600, simulatorPortFallback: false });
  });

  it('reads an SMTP server, with the usual port for its encryption', () => {
    expect(loadConfig(smtp).mail).toMatchObject({ provider: 'smtp', host: 'smtp.exmail.example', port: 587, security: 'starttls', user: undefined });
    expect(loadConfig({ ...smtp, MAIL_SMTP_SECURE: 'tls' }).mail.port).toBe(465);
    const withLogin = loadConfig({ ...smtp, MAIL_SMTP_PORT: '2587', MAIL_SMTP_USER: 'invoice@ca.example', MAIL_SMTP_PASSWORD: 'p@ss' }).mail;
    expect(withLogin).toMatchObject({ port: 2587, user: 'invoice@ca.example', password: 'p@ss' });
  });

  it('refuses what would fail or leak later, in Chinese', () => {
    expect(configError({ MAIL_PROVIDER: 'smtp' })).toContain('MAIL_SMTP_HOST');
    expect(configError({ ...smtp, MAIL_SMTP_USER: 'invoice@ca.example' })).toContain('MAIL_SMTP_PASSWORD');
    expect(configError({ ...smtp, MAIL_SMTP_SECURE: 'none' })).toContain('只能用于本机邮件中继');
    expect(loadConfig({ ...smtp, MAIL_SMTP_HOST: '127.0.0.1', MAIL_SMTP_SECURE: 'none' }).mail.port).toBe(25);
    expect(configError({ MAIL_FROM: 'invoice at ca' })).toContain('MAIL_FROM 应为一个发件地址');
    expect(configError({ MAIL_FROM: 'a@ca.example, b@ca.example' })).toContain('MAIL_FROM');
    expect(configError({ MAIL_SMTP_SECURE: 'ssl' })).toContain('MAIL_SMTP_SECURE');
  });

  it('production asks for the SMTP server and the From (its refusal of the simulator: test/integration/production.test.ts)', () => {
    expect(configError({ CERTDESK_MODE: 'production' })).toMatch(/MAIL_SMTP_HOST, MAIL_FROM/);
  });
});
