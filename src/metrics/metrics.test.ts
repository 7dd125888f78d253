import { describe, expect, it } from 'vitest';
import { createMetrics } from './metrics.ts';

class GatewayDown extends Error {
  override name = 'GatewayDown';
}

interface Party {
  call(x: number): Promise<{ outcome?: string; x: number }>;
}

const line = (text: string, labels: string) => text.split('\n').find((l) => l.startsWith(`certdesk_provider_calls_total{${labels}}`));

describe('metrics.provider', () => {
  it('counts each call by outcome, passes results and errors through, and finds the target at each call', async () => {
    const metrics = createMetrics();
    let target: Party | undefined;
    const party = metrics.provider('party', () => target ?? { call: async () => Promise.reject(new Error('not yet')) });
    await expect(party.call(1)).rejects.toThrow('not yet');
    target = {
      async call(x) {
        if (x < 0) throw new GatewayDown('down');
        return x === 0 ? { outcome: 'notFound', x } : { x };
      },
    };
    expect(await party.call(2)).toEqual({ x: 2 });
    expect(await party.call(0)).toEqual({ outcome: 'notFound', x: 0 });
    await expect(party.call(-1)).rejects.toBeInstanceOf(GatewayDown);
    // Not thenable: awaiting the wrapper itself gives the wrapper back.
    expect(await Promise.resolve(party)).toBe(party);

    const { body } = await metrics.scrape();
    expect(line(body, 'party="party",operation="call",outcome="ok"')).toMatch(/ 1$/);
    expect(line(body, 'party="party",operation="call",outcome="notFound"')).toMatch(/ 1$/);
    expect(line(body, 'party="party",operation="call",outcome="GatewayDown"')).toMatch(/ 1$/);
    expect(line(body, 'party="party",operation="call",outcome="error"')).toMatch(/ 1$/);
  });

  it('keeps each instance to its own registry', async () => {
    const a = createMetrics();
    const b = createMetrics();
    await a.provider('p', () => ({ go: async () => 1 })).go();
    expect((await a.scrape()).body).toContain('certdesk_provider_calls_total{party="p",operation="go",outcome="ok"} 1');
    expect((await b.scrape()).body).not.toContain('party="p"');
  });
});
