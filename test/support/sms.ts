/**
 * Reads login codes the way a tester does: from the SMS simulator's outbox page, /dev/sms.
 * Messages go out through the job queue, so a code shows up a second or two after it was asked for.
 */
const ROW = /<tr\b[^>]*\bdata-phone="(\d+)"[^>]*>([\s\S]*?)<\/tr>/g;
const CODE = /验证码为(\d{6})/;

/** Codes sent to `phone`, newest first, as the outbox lists them. */
export function codesInOutbox(html: string, phone: string): string[] {
  const codes: string[] = [];
  for (const [, rowPhone, content] of html.matchAll(ROW)) {
    if (rowPhone !== phone || content === undefined) continue;
    const code = CODE.exec(content)?.[1];
    if (code) codes.push(code);
  }
  return codes;
}

/**
 * Polls /dev/sms until a code for `phone` arrives. With `after`, a code already read earlier, only a
 * code newer than that one counts.
 */
export async function waitForCode(
  baseUrl: string,
  phone: string,
  { after, timeoutMs = 15_000 }: { after?: string; timeoutMs?: number } = {},
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(new URL('/dev/sms', baseUrl));
    if (!res.ok) throw new Error(`GET /dev/sms answered ${res.status}`);
    const codes = codesInOutbox(await res.text(), phone);
    // Rows above `after` are newer than it; when `after` is not listed, every row is.
    const seen = after === undefined ? -1 : codes.indexOf(after);
    const fresh = seen === -1 ? codes : codes.slice(0, seen);
    if (fresh[0] !== undefined) return fresh[0];
    if (Date.now() > deadline) throw new Error(`no login code for ${phone} at /dev/sms within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The newest SMS to `phone` at /dev/sms whose text contains `marker`, waiting for the job queue. */
export async function waitForSms(baseUrl: string, phone: string, marker: string): Promise<string> {
  for (let i = 0; i < 75; i++) {
    const html = await (await fetch(`${baseUrl}/dev/sms`)).text();
    const row = [...html.matchAll(/<tr data-phone="(\d+)">[\s\S]*?<td>([^<]*)<\/td><\/tr>/g)].find(
      (m) => m[1] === phone && m[2]!.includes(marker),
    );
    if (row) return row[2]!;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no SMS with ${marker} for ${phone}`);
}
