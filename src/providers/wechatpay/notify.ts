/**
 * Opening a notification WeChat Pay posted to our notify_url: the platform signature over the raw
 * body, the timestamp window, AEAD_AES_256_GCM decryption under the APIv3 key, the shape of the
 * resource, and that it is for our merchant and app. Whether the event was already applied is the
 * payments module's business, not this one's.
 */
import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { parseJson } from '../aliyun/rpc-client.ts';
import { refundFromResource, notifyEnvelopeSchema, refundResourceSchema, toTransaction, transactionSchema } from './protocol.ts';
import { aeadDecrypt, checkPlatformSignature } from './signing.ts';
import { WechatNotifyError, type NotifyInput, type WechatNotification } from './types.ts';

export interface NotifyContext {
  platformKeys: ReadonlyMap<string, KeyObject>;
  apiV3Key: string;
  mchid: string;
  appid: string;
  now: Date;
}

function parsed<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new WechatNotifyError(`${what} is not what WeChat Pay sends`, 'malformed');
  return result.data;
}

export function openNotification(input: NotifyInput, ctx: NotifyContext): WechatNotification {
  const body = typeof input.rawBody === 'string' ? input.rawBody : input.rawBody.toString('utf8');
  const check = checkPlatformSignature(input.headers, body, ctx.platformKeys, ctx.now);
  if (!check.ok) throw new WechatNotifyError(`notification refused: ${check.detail}`, check.reason);

  const envelope = parsed(notifyEnvelopeSchema, parseJson(body), 'notification');
  const { resource } = envelope;
  let plaintext: string;
  try {
    plaintext = aeadDecrypt(ctx.apiV3Key, resource.nonce, resource.associated_data, resource.ciphertext);
  } catch {
    throw new WechatNotifyError(`notification ${envelope.id}: resource does not decrypt`, 'undecryptable');
  }
  const decrypted = parseJson(plaintext);
  const head = { id: envelope.id, createTime: new Date(envelope.create_time), eventType: envelope.event_type };

  if (resource.original_type === 'transaction') {
    const transaction = toTransaction(parsed(transactionSchema, decrypted, 'transaction resource'));
    if (transaction.mchid !== ctx.mchid || transaction.appid !== ctx.appid) {
      throw new WechatNotifyError(
        `notification ${envelope.id} is for mchid ${transaction.mchid} / appid ${transaction.appid}`,
        'wrong_merchant',
      );
    }
    return { kind: 'transaction', ...head, transaction };
  }
  const refundBody = parsed(refundResourceSchema, decrypted, 'refund resource');
  if (refundBody.mchid !== ctx.mchid) {
    throw new WechatNotifyError(`notification ${envelope.id} is for mchid ${refundBody.mchid}`, 'wrong_merchant');
  }
  return { kind: 'refund', ...head, refund: refundFromResource(refundBody) };
}
