/**
 * The platform for bench/sms-burst.ts, in its own process: configured from the environment like
 * `npm start`, printing one JSON line per message the SMS simulator accepts ({ phone, at }), so the
 * benchmark reads each code's arrival time. `baseline` as argument: the SMS worker as it was
 * before wake-ups (polling only; with SMS_SEND_CONCURRENCY=1, one message per 0.5 s poll).
 */
import pino from 'pino';
import { createCertDesk } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';

const baseline = process.argv[2] === 'baseline';
const certdesk = await createCertDesk(loadConfig(), {
  logger: pino({ level: 'silent' }),
  onSimulatedSms: (sms) => process.stdout.write(`${JSON.stringify({ phone: sms.phone, at: Date.now() })}\n`),
  smsWorker: baseline ? { wakeUps: false } : undefined,
});
await certdesk.listen();
process.stdout.write(`${JSON.stringify({ port: (certdesk.app.server.address() as { port: number }).port })}\n`);
process.once('SIGTERM', () => {
  void certdesk.close().then(() => process.exit(0));
});
