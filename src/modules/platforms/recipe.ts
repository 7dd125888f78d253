/**
 * The signing recipe as /docs describes it (the README repeats it), with a worked example whose
 * values platform-signature.test.ts recomputes: if the code and the documentation ever disagree,
 * that test fails.
 */
export const workedExample = {
  keyId: 'cdk_0123456789abcdef',
  secret: 'cdsk_example-secret-for-the-documentation',
  method: 'GET',
  path: '/api/platform/v1/certificates',
  query: 'uscc=91150100MA0N1234XY',
  body: '',
  timestamp: 1767225600,
  nonce: 'k7Qm2xW9pL4sT8vZ',
  bodySha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  signature: '5184211c2f2cbf9ffc8c35dc8b553c73607769c2261bfd6046cf7417de64fc60',
  webhookBody: '{"id":"0b9f3c1e-8a52-4d7e-9c61-2f4a5b6c7d8e","type":"certificate.issued"}',
  webhookSignature: 't=1767225600,v1=8c6170e937f6acd49befe4f30c02a89b8d6d54091cdd6d307de0247029b8a4ae',
} as const;

const e = workedExample;

export const signingRecipe = `接入平台（relying platforms）调用 /api/platform/v1/… 时，每个请求都须签名（HMAC-SHA256）。
Every request to /api/platform/v1/… is signed by the platform with its API key (HMAC-SHA256).

**Authorization 头 / header**

\`Authorization: CD1-HMAC-SHA256 KeyId=<密钥ID>,Timestamp=<Unix 秒>,Nonce=<随机数>,Signature=<十六进制签名>\`

- Timestamp：Unix 时间（秒），与服务器时间相差不得超过 ±5 分钟 / within ±5 minutes of the server's clock.
- Nonce：16–64 位 [A-Za-z0-9_-]，同一密钥每个随机数只能用一次 / used once per key.
- Signature = hex(HMAC-SHA256(secret, stringToSign))，stringToSign 为以下 7 行以 "\\n" 连接（末尾无换行）：

\`\`\`
CD1-HMAC-SHA256
<METHOD，大写>
<path，不含查询串，按发送原样>
<规范化查询串：各参数解码后按 RFC 3986 重新编码，按名称再按值排序，以 & 连接；无参数为空行>
<hex(SHA-256(请求体原始字节))；GET 为空串的 SHA-256>
<Timestamp>
<Nonce>
\`\`\`

**示例 / Worked example**：KeyId \`${e.keyId}\`，secret \`${e.secret}\`，请求 \`${e.method} ${e.path}?${e.query}\`，Timestamp \`${e.timestamp}\`（2026-01-01T00:00:00Z），Nonce \`${e.nonce}\`：

\`\`\`
${['CD1-HMAC-SHA256', e.method, e.path, e.query, e.bodySha256, e.timestamp, e.nonce].join('\n')}
\`\`\`

Signature = \`${e.signature}\`

\`Authorization: CD1-HMAC-SHA256 KeyId=${e.keyId},Timestamp=${e.timestamp},Nonce=${e.nonce},Signature=${e.signature}\`

（可用 \`printf '…' | openssl dgst -sha256 -hmac '<secret>'\` 核对 / check with openssl.）

拒绝时返回 401（或 404：不存在或不属于本平台的项目），error.message 为中文说明，error.details.messageEn 为英文说明。
Refusals answer 401 (or 404: not found or outside the platform's projects) with error.message in Chinese and error.details.messageEn in English.

**Webhook**：POST JSON \`{ id, type, typeLabel, occurredAt, data }\` 到平台登记的地址，头部 \`X-CertDesk-Event-Id\`、\`X-CertDesk-Key-Id\`、
\`X-CertDesk-Signature: t=<Unix 秒>,v1=hex(HMAC-SHA256(secret, "<t>.<原始请求体>"))\`。以 2xx 应答即为送达，否则按退避重试（至少投递一次：请按 id 去重）。
例 / e.g. body \`${e.webhookBody}\` at t=${e.timestamp} → \`${e.webhookSignature}\`.`;
