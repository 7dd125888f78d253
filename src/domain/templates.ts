/**
 * Rules for the texts an administrator edits: the service contract ({{name}} placeholders, filled
 * by the contracts module) and the SMS notices (${name} variables, filled by the SMS gateway).
 * A template that names something the filler does not know would reach an applicant with a hole
 * in it, so each new version is checked here before it is stored. Pure and import-free, because
 * the console imports it to check and preview as the administrator types.
 */

/** Everything fillTemplate (modules/contracts) can put into a contract, with a sample for previews. */
export const contractPlaceholders = {
  applicationNumber: { label: '申请单号', sample: 'CD20260101000123' },
  orgName: { label: '单位名称', sample: '内蒙古示例科技有限公司' },
  uscc: { label: '统一社会信用代码', sample: '91150100MA0N000000' },
  legalRepresentative: { label: '法定代表人', sample: '王某某' },
  operatorName: { label: '经办人姓名', sample: '张某某' },
  operatorIdNumberMasked: { label: '经办人身份证号（脱敏）', sample: '150102********1234' },
  operatorPhoneMasked: { label: '经办人手机号（脱敏）', sample: '138****0000' },
  caName: { label: '电子认证服务机构名称', sample: '示例电子认证服务有限公司' },
  firstPriceYuan: { label: '首次申请价格（元）', sample: '195.00' },
  renewalPriceYuan: { label: '续费价格（元）', sample: '160.00' },
} as const;
export type ContractPlaceholder = keyof typeof contractPlaceholders;

export const CONTRACT_PLACEHOLDER = /\{\{(\w+)\}\}/g;
export const CONTRACT_TITLE_MAX = 100;
export const CONTRACT_BODY_MAX = 30_000;

/**
 * Each SMS template CertDesk sends: the variables its sender passes (with samples for previews),
 * and the code it is registered under at the gateway by default. Everything else derives from
 * here: the template list, the senders' parameter types, and the ALIYUN_SMS_TEMPLATE_* settings.
 */
export const smsTemplateSpecs = {
  login_code: { label: '登录验证码', variables: { code: '123456' }, gatewayCode: 'SMS_CERTDESK_LOGIN' },
  loss_report_code: { label: '挂失验证码', variables: { code: '123456' }, gatewayCode: 'SMS_CERTDESK_LOSS_REPORT_CODE' },
  review_approved: { label: '资料审核通过', variables: { number: 'CD20260101000123', amount: '195.00' }, gatewayCode: 'SMS_CERTDESK_REVIEW_APPROVED' },
  review_returned: { label: '资料审核未通过', variables: { number: 'CD20260101000123' }, gatewayCode: 'SMS_CERTDESK_REVIEW_RETURNED' },
  payment_rejected: { label: '汇款未能确认', variables: { number: 'CD20260101000123', reason: '未查到该笔汇款' }, gatewayCode: 'SMS_CERTDESK_PAYMENT_REJECTED' },
  seal_confirmation: { label: '待确认印章', variables: { number: 'CD20260101000123' }, gatewayCode: 'SMS_CERTDESK_SEAL_CONFIRMATION' },
  shipped: { label: '已邮寄', variables: { number: 'CD20260101000123', courier: 'EMS', trackingNumber: 'EA123456789CN' }, gatewayCode: 'SMS_CERTDESK_SHIPPED' },
  ready_for_pickup: { label: '待自取', variables: { number: 'CD20260101000123', address: '呼和浩特市赛罕区敕勒川大街1号' }, gatewayCode: 'SMS_CERTDESK_READY_FOR_PICKUP' },
  revocation_approved: { label: '吊销申请已通过', variables: { number: 'CD20260101000123', serial: '5f3a9c0e12d4b7a8' }, gatewayCode: 'SMS_CERTDESK_REVOCATION_APPROVED' },
  expiry_reminder: {
    label: '证书到期提醒',
    variables: { orgName: '内蒙古示例科技有限公司', serial: '5f3a9c0e12d4b7a8', date: '2027年12月31日', days: '30' },
    gatewayCode: 'SMS_CERTDESK_EXPIRY_REMINDER',
  },
  unlock_code: { label: 'USB Key 解锁验证码', variables: { code: '123456', keySerial: 'FT****1234' }, gatewayCode: 'SMS_CERTDESK_UNLOCK_CODE' },
  revocation_rejected: { label: '吊销申请未通过', variables: { number: 'CD20260101000123', reason: '请由单位经办人重新提交' }, gatewayCode: 'SMS_CERTDESK_REVOCATION_REJECTED' },
} as const satisfies Record<string, { label: string; variables: Record<string, string>; gatewayCode: string }>;
export type SmsTemplateCode = keyof typeof smsTemplateSpecs;
export const smsTemplateCodes = Object.keys(smsTemplateSpecs) as SmsTemplateCode[];
/** What a sender of `T` must pass: exactly the template's variables. */
export type SmsParams<T extends SmsTemplateCode> = { [K in keyof (typeof smsTemplateSpecs)[T]['variables']]: string };
/** The setting that names the template's code at the gateway: ALIYUN_SMS_TEMPLATE_REVIEW_APPROVED … */
export const smsTemplateSetting = (code: SmsTemplateCode) => `ALIYUN_SMS_TEMPLATE_${code.toUpperCase()}`;

export function isSmsTemplateCode(code: string): code is SmsTemplateCode {
  return Object.hasOwn(smsTemplateSpecs, code);
}

export const SMS_VARIABLE = /\$\{([A-Za-z0-9_]+)\}/g;
/** Alibaba Cloud SMS accepts template content of at most 500 characters. */
export const SMS_BODY_MAX = 500;

const unique = (names: string[]) => [...new Set(names)];
const namesIn = (body: string, pattern: RegExp) => unique([...body.matchAll(pattern)].map((m) => m[1] ?? ''));

export function fillPlaceholders(body: string, pattern: RegExp, values: Readonly<Record<string, string>>): string {
  return body.replace(pattern, (_, name: string) => (Object.hasOwn(values, name) ? (values[name] ?? '') : ''));
}

/** What is wrong with a new contract version, in words for the administrator; undefined when nothing. */
export function contractTemplateProblem(title: string, body: string): string | undefined {
  if (title.trim() === '') return '请输入合同标题';
  if (title.length > CONTRACT_TITLE_MAX) return `合同标题不能超过${CONTRACT_TITLE_MAX}个字`;
  if (body.trim() === '') return '请输入合同正文';
  if (body.length > CONTRACT_BODY_MAX) return `合同正文不能超过${CONTRACT_BODY_MAX}个字`;
  const unknown = namesIn(body, CONTRACT_PLACEHOLDER).filter((n) => !Object.hasOwn(contractPlaceholders, n));
  if (unknown.length > 0) {
    return `合同正文含有不支持的占位符：${unknown.map((n) => `{{${n}}}`).join('、')}。可用的占位符见右侧列表`;
  }
  // `{{ orgName }}` or a lone `{{` would reach the applicant as literal braces.
  if (/\{\{|\}\}/.test(body.replace(CONTRACT_PLACEHOLDER, ''))) {
    return '合同正文中有格式不正确的占位符，占位符应写作 {{orgName}} 的形式（双花括号内不含空格）';
  }
  return undefined;
}

/** What is wrong with a new SMS version; undefined when nothing. The 【签名】 is added by the gateway. */
export function smsTemplateProblem(code: SmsTemplateCode, body: string): string | undefined {
  if (body.trim() === '') return '请输入短信内容';
  if (body.length > SMS_BODY_MAX) return `短信内容不能超过${SMS_BODY_MAX}个字（当前${body.length}个字）`;
  if (/[【】]/.test(body)) return '短信内容不能含有“【】”：短信签名由短信服务自动添加，请勿写入正文';
  const expected = Object.keys(smsTemplateSpecs[code].variables);
  const used = namesIn(body, SMS_VARIABLE);
  const unknown = used.filter((n) => !expected.includes(n));
  if (unknown.length > 0) {
    return `短信内容含有未知变量：${unknown.map((n) => `\${${n}}`).join('、')}。本模板只能使用：${expected.map((n) => `\${${n}}`).join('、')}`;
  }
  const missing = expected.filter((n) => !used.includes(n));
  if (missing.length > 0) return `短信内容缺少变量：${missing.map((n) => `\${${n}}`).join('、')}`;
  if (/\$\{/.test(body.replace(SMS_VARIABLE, ''))) return '短信内容中有格式不正确的变量，变量应写作 ${code} 的形式';
  return undefined;
}
