/**
 * Mail as the app starts it from configuration: the SMTP adapter, and in demo and development the
 * loopback simulator it talks to (started first: the adapter needs its port). One call for
 * createCertDesk, so that the app does not learn how the simulator is put together.
 */
import type { Logger } from 'pino';
import type { MailConfig } from '../../config.ts';
import { startMailSimulator, type MailOutbox, type MailSimulator } from './simulator.ts';
import { SmtpMailProvider } from './smtp.ts';

export interface MailDelivery {
  provider: SmtpMailProvider;
  /** Only when configured as the provider. */
  simulator: MailSimulator | undefined;
  close(): Promise<void>;
}

export async function startMailDelivery(config: MailConfig, deps: { outbox: MailOutbox; log?: Pick<Logger, 'info' | 'warn'>; now?: () => Date }): Promise<MailDelivery> {
  let simulator: MailSimulator | undefined;
  let port = config.port;
  if (config.provider === 'simulator') {
    simulator = await startMailSimulator({
      outbox: deps.outbox,
      port: config.simulatorPort,
      fallbackToFreePort: config.simulatorPortFallback,
      ...(config.user !== undefined && config.password !== undefined ? { credentials: { user: config.user, password: config.password } } : {}),
      ...(deps.log ? { log: deps.log } : {}),
      ...(deps.now ? { now: deps.now } : {}),
    });
    port = simulator.port;
  }
  if (port === undefined) throw new Error('mail: no SMTP port configured');
  const provider = new SmtpMailProvider({ host: config.host, port, security: config.security, user: config.user, password: config.password, from: config.from });
  return {
    provider,
    simulator,
    async close() {
      provider.close();
      await simulator?.close();
    },
  };
}
