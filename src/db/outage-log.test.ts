import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createOutageLog } from './outage-log.ts';

function capture() {
  const lines: { level: number; msg: string; failures?: number }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as (typeof lines)[number]);
      done();
    },
  });
  return { log: pino({ level: 'info' }, stream), lines };
}

const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

describe('the outage log', () => {
  it('says once that the database went away, reminds once a minute, and says when it is back', () => {
    const { log, lines } = capture();
    let now = 0;
    const outage = createOutageLog(log, 'database', { now: () => now });
    for (let i = 0; i < 500; i++) {
      now += 100; // 50 s of failures, ten a second
      outage.failed(refused, 'request');
    }
    expect(lines.map((l) => l.msg)).toEqual(['database unavailable']);
    for (let i = 0; i < 200; i++) {
      now += 100;
      outage.failed(refused, 'connection');
    }
    expect(lines.map((l) => l.msg)).toEqual(['database unavailable', 'database still unavailable']);
    expect(outage.down).toBe(true);
    outage.recovered();
    outage.recovered();
    expect(lines.map((l) => l.msg)).toEqual(['database unavailable', 'database still unavailable', 'database available again']);
    expect(lines.at(-1)?.failures).toBe(700);
    expect(outage.down).toBe(false);
  });

  it('counts a failure after a quiet spell as a new outage when nothing said it recovered', () => {
    const { log, lines } = capture();
    let now = 0;
    const full = createOutageLog(log, 'storage', { now: () => now });
    full.failed(refused, 'request');
    now += 5 * 60_000;
    full.failed(refused, 'request');
    expect(lines.map((l) => l.msg)).toEqual(['storage unavailable', 'storage unavailable']);
  });
});
