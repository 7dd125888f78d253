/** `npm start`: the platform on http://localhost:3000 with the embedded database and simulators. */
import { maskPhone } from './domain/phone.ts';
import { ConfigError, loadConfig } from './config.ts';
import { createCertDesk } from './app.ts';
import { isConnectionFailure } from './db/failures.ts';
import { DirectoryLockedError } from './db/lock.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const showSms = config.sms.provider === 'simulator';
  const certdesk = await createCertDesk(config, {
    // The simulator prints what it "delivers" so a tester at the console needs nothing else.
    onSimulatedSms: showSms
      ? (sms) => process.stdout.write(`[模拟短信] ${maskPhone(sms.phone)}：${sms.text}\n`)
      : undefined,
  });
  await certdesk.listen();
  const port = (certdesk.app.server.address() as { port: number }).port;
  const base = config.publicUrl ?? `http://localhost:${port}`;
  const lines = [
    '',
    `CertDesk 数字证书在线受理平台已启动：${base}`,
    `  数据库：${config.database.kind === 'pglite' ? `内嵌 PGlite（${config.database.dataDir}）` : 'PostgreSQL（DATABASE_URL）'}`,
    `  接口文档：${base}/docs`,
  ];
  if (config.devPages) {
    lines.push(`  模拟短信（验证码）：${base}/dev/sms`);
    lines.push(`  模拟实名认证库（可用的单位和经办人）：${base}/dev/registry`);
    if (certdesk.mailSimulator) lines.push(`  模拟邮箱（电子发票邮件）：${base}/dev/mail（SMTP 127.0.0.1:${certdesk.mailSimulator.port}）`);
    if (certdesk.einvoiceSimulator) lines.push(`  模拟开票平台（已开具的电子发票）：${base}/dev/invoices`);
    lines.push(`  模拟接入平台（Webhook 接收地址 ${base}/dev/webhook-receiver）：${base}/dev/webhooks`);
  }
  lines.push(`  员工控制台：${base}/console${config.mode === 'demo' ? `（演示账号及动态验证码见 ${base}/dev/staff）` : ''}`);
  lines.push(`  证书、印章和签名合同验证：${base}/verify`);
  if (certdesk.operatorSocket) lines.push(`  运维命令行：certdesk 命令经 ${certdesk.operatorSocket} 交由本服务器执行`);
  if (config.payments.wechat.provider === 'simulator') lines.push('  微信支付：模拟器（支付弹窗中的链接打开模拟的手机付款页）');
  if (config.mode === 'production') lines.push('  生产模式：短信经阿里云短信服务发送');
  process.stdout.write(`${lines.join('\n')}\n\n`);

  const stop = async (signal: string) => {
    certdesk.app.log.info({ signal }, 'shutting down');
    await certdesk.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  // pg-boss's own cron worker completes its jobs with promises nobody awaits (our workers do not,
  // src/jobs/worker.ts): a database that goes away at that moment rejects one unhandled. That kind
  // must not end the process; any other unhandled rejection still does, as Node's default.
  process.on('unhandledRejection', (reason) => {
    if (!isConnectionFailure(reason)) throw reason;
    certdesk.app.log.warn({ err: reason }, 'unawaited job-queue query failed: database unavailable');
  });
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
  } else if (err instanceof DirectoryLockedError) {
    process.stderr.write(`启动失败：${err.message}\n`);
  } else {
    process.stderr.write(`启动失败：${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
  process.exit(1);
});
