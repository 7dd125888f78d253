/** usb-key-unlock's answers, as zod schemas: see src/http/contract.ts. */
import { z } from 'zod';

/** 获取验证码 for a 解锁: where the code went and how long it lives. */
export const unlockCodeSent = z.object({
  requestId: z.string(),
  /** The 经办人's phone on record, masked. */
  phoneMasked: z.string(),
  expiresInSeconds: z.number(),
});
export type UnlockCodeSent = z.infer<typeof unlockCodeSent>;

/** 获取解锁码: the unlock code for that key and that challenge. */
export const unlockAnswer = z.object({
  /** 32 hex digits, upper case, as the key's tool takes it. */
  answer: z.string(),
  /** The same in groups of four, for reading. */
  answerGrouped: z.string(),
  keySerialMasked: z.string(),
});
export type UnlockAnswer = z.infer<typeof unlockAnswer>;
