/**
 * 解锁 of a USB key's user PIN, answered remotely: the key's client tool shows a challenge, the CA
 * answers with the challenge encrypted under the key's own administrator key, and the key checks
 * that answer with the administrator key it was personalised with. Nothing but the CA's master key
 * (in the key store, never here) can make the answer, and it fits one key and one challenge.
 *
 * What we follow:
 *  - GM/T 0016-2012 (智能密码钥匙密码应用接口规范, SKF) §7.3 设备管理, SKF_DevAuth: device
 *    authentication by a block cipher and the device authentication key preset in the key — the
 *    caller takes a random number from the device (SKF_GenRandom, 8 bytes), pads it with 0x00 to
 *    one 16-byte block, encrypts it in ECB mode under the authentication key and hands the 16-byte
 *    result to the device, which compares it with its own encryption. The remote-unlock tools of
 *    SKF keys reuse that exchange with the administrator key (the key then lets its client tool
 *    call SKF_UnblockPIN, §7.4 访问控制). Here the cipher is SM4 (GB/T 32907-2016, SGD_SM4_ECB).
 *  - Key diversification (分散) as in PBOC 3.0 (JR/T 0025.7, key derivation of a card's keys from an
 *    issuer master key, in its SM4 form): the 8-byte diversification data D gives the block
 *    D ‖ NOT(D), and the card's key is SM4_ECB(masterKey, D ‖ NOT(D)). PBOC takes D from the card
 *    number; a USB key's serial (SKF DEVINFO.SerialNumber, up to 32 characters) may be longer than
 *    8 bytes, and truncating it would give two keys with the same tail one administrator key, so
 *    D = the first 8 bytes of SM3(serial) — the serial trimmed and upper-cased, in ASCII.
 *
 * The same algorithm is written once more, independently, in the tests' USB key simulator
 * (test/support/usb-key.ts), which is personalised from the master key's bytes: a slip here does
 * not reproduce itself there.
 */
import { createCipheriv, createHash } from 'node:crypto';

export const SM4_BLOCK = 16;
/** SKF_GenRandom's usual 8 bytes; a full block (16) is accepted as it is. */
export const CHALLENGE_BYTES = [8, 16] as const;

/** A secret SM4 key held by the key store: it encrypts whole blocks and never shows its bytes. */
export interface BlockCipher {
  readonly algorithm: 'sm4';
  /** SM4-ECB without padding; `blocks` is a multiple of 16 bytes. */
  encrypt(blocks: Uint8Array): Uint8Array;
}

/** SM4-ECB over whole blocks with a key in memory (node:crypto, OpenSSL's sm4-ecb). */
export function sm4EcbEncrypt(key: Uint8Array, blocks: Uint8Array): Uint8Array {
  if (key.length !== SM4_BLOCK) throw new Error('SM4 key must be 16 bytes');
  if (blocks.length === 0 || blocks.length % SM4_BLOCK !== 0) throw new Error('SM4-ECB input must be whole 16-byte blocks');
  const cipher = createCipheriv('sm4-ecb', key, null).setAutoPadding(false);
  return new Uint8Array(Buffer.concat([cipher.update(blocks), cipher.final()]));
}

/** A BlockCipher over key bytes (the file store decrypts the key into one of these). */
export function sm4Cipher(key: Uint8Array): BlockCipher {
  const copy = Uint8Array.from(key);
  if (copy.length !== SM4_BLOCK) throw new Error('SM4 key must be 16 bytes');
  return { algorithm: 'sm4', encrypt: (blocks) => sm4EcbEncrypt(copy, blocks) };
}

/** The key check value (KCV): the first 3 bytes of the key's encryption of a zero block, hex. Names a key without revealing it. */
export function keyCheckValue(key: BlockCipher): string {
  return Buffer.from(key.encrypt(new Uint8Array(SM4_BLOCK)).subarray(0, 3)).toString('hex');
}

/** The serial as the diversification reads it: trimmed, upper-case (the holder may type it either way). */
export function normaliseKeySerial(serial: string): string {
  return serial.trim().toUpperCase();
}

/** PBOC-style diversification block D ‖ NOT(D), with D = SM3(serial)[0..8]. */
export function diversificationBlock(serial: string): Uint8Array {
  const d = createHash('sm3').update(normaliseKeySerial(serial), 'ascii').digest().subarray(0, 8);
  const block = new Uint8Array(SM4_BLOCK);
  block.set(d, 0);
  for (let i = 0; i < 8; i++) block[8 + i] = ~d[i]! & 0xff;
  return block;
}

/** The USB key's administrator key: SM4_ECB(masterKey, D ‖ NOT(D)). */
export function administratorKey(master: BlockCipher, serial: string): Uint8Array {
  return master.encrypt(diversificationBlock(serial));
}

/** The challenge padded with 0x00 to one block, as SKF_DevAuth's callers pad SKF_GenRandom's bytes. */
export function challengeBlock(challenge: Uint8Array): Uint8Array {
  if (!(CHALLENGE_BYTES as readonly number[]).includes(challenge.length)) throw new Error('challenge must be 8 or 16 bytes');
  const block = new Uint8Array(SM4_BLOCK);
  block.set(challenge, 0);
  return block;
}

/** The unlock code for that key and that challenge: SM4_ECB(adminKey(serial), challenge ‖ 0x00…), 16 bytes. */
export function unlockResponse(master: BlockCipher, serial: string, challenge: Uint8Array): Uint8Array {
  return sm4EcbEncrypt(administratorKey(master, serial), challengeBlock(challenge));
}
