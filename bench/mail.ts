/**
 * `npx tsx bench/mail.ts`: invoice mails (text, HTML and a PDF of about 100 KB) through the real
 * SMTP adapter to the loopback simulator, one connection per mail as the adapter sends them:
 * mails/s and the median and worst time of one mail, one at a time and 8 at once. The outbox is in
 * memory (what SMTP and MIME cost) and in an in-memory PGlite (what /dev/mail adds).
 * About 100 ms of each mail is smtp-server's fixed pause before its greeting (it refuses clients
 * that talk first); a real relay has its own.
 */
import { randomBytes } from 'node:crypto';
import { openDatabase } from '../src/db/database.ts';
import { DbMailOutbox } from '../src/dev/mail-outbox.ts';
import { MemoryMailOutbox, startMailSimulator, type MailOutbox } from '../src/providers/mail/simulator.ts';
import { SmtpMailProvider } from '../src/providers/mail/smtp.ts';

const MAILS = 200;
const credentials = { user: 'bench', password: 'bench-secret-0123456789' };
// Random bytes do not compress: the worst case of a PDF for base64 and the database.
const pdf = randomBytes(100 * 1024);

async function run(label: string, outbox: MailOutbox): Promise<void> {
  const sim = await startMailSimulator({ outbox, port: 0, credentials });
  const provider = new SmtpMailProvider({ host: '127.0.0.1', port: sim.port, security: 'none', ...credentials, from: '某某CA <invoice@ca.example>' });
  try {
    for (const concurrency of [1, 8]) {
      const times: number[] = [];
      let next = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < MAILS) {
            const i = next++;
            const t0 = performance.now();
            await provider.send({
              to: `buyer-${i}@buyer.example`,
              subject: `您的电子发票（申请单号 CD${i}）`,
              text: '您好：附件为您的增值税电子普通发票。',
              html: '<p>您好：附件为您的<b>增值税电子普通发票</b>。</p>',
              attachments: [{ filename: `电子发票_CD${i}.pdf`, contentType: 'application/pdf', content: pdf }],
            });
            times.push(performance.now() - t0);
          }
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      times.sort((a, b) => a - b);
      const median = times[Math.floor(times.length / 2)] ?? 0;
      const worst = times[times.length - 1] ?? 0;
      console.log(
        `${label.padEnd(16)} ×${concurrency}  ${(MAILS / seconds).toFixed(0).padStart(5)} mails/s  median ${median.toFixed(1).padStart(6)} ms  max ${worst.toFixed(1).padStart(6)} ms`,
      );
    }
  } finally {
    provider.close();
    await sim.close();
  }
}

console.log(`${MAILS} mails of ${(pdf.length / 1024).toFixed(0)} KB PDF each, SMTP with AUTH on 127.0.0.1, ${new Date().toISOString()}`);
await run('memory outbox', new MemoryMailOutbox(MAILS));
const database = await openDatabase({ kind: 'pglite', dataDir: 'memory://' });
try {
  await database.migrate();
  await run('PGlite outbox', new DbMailOutbox(database.db));
} finally {
  await database.close();
}
