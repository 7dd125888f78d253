/**
 * The application form's rules (证书用途 / 是否开具发票 / 证书领取方式) as zod schemas: the routes
 * parse requests with them, so every refusal names its field in Chinese.
 */
import { z } from 'zod';
import { usccProblem } from './codes.ts';

const required = (label: string, max = 100) =>
  z
    .string({ error: `请填写${label}` })
    .trim()
    .min(1, `请填写${label}`)
    .max(max, `${label}不能超过${max}个字符`);

const mobile = (label: string) =>
  z
    .string({ error: `请填写${label}` })
    .trim()
    .regex(/^1[3-9]\d{9}$/, `${label}应为11位手机号码`);

/**
 * 纳税人识别号: the buyer's 统一社会信用代码, 18 characters with its check character — what the
 * e-invoice platform requires of a unit (older 15/17/20-character numbers are no longer issued to).
 */
export const taxNumber = z
  .string({ error: '请填写税号' })
  .trim()
  .toUpperCase()
  .refine((v) => v.length === 18 && usccProblem(v) === undefined, {
    message: '税号格式不正确（应为18位统一社会信用代码，请核对营业执照）',
  });

const normalInvoice = z.object({
  wanted: z.literal(true),
  type: z.literal('normal'),
  title: required('发票抬头'),
  taxNumber,
  email: z.email('邮箱格式不正确').trim(),
});

const specialInvoice = normalInvoice.extend({
  type: z.literal('special'),
  address: required('营业地址', 200),
  phone: z
    .string({ error: '请填写电话号码' })
    .trim()
    .regex(/^(0\d{2,3}-?\d{7,8}(-\d{1,6})?|1[3-9]\d{9})$/, '电话号码格式不正确（如 0471-1234567 或手机号码）'),
  bank: required('开户行', 100),
  account: z
    .string({ error: '请填写账号' })
    .trim()
    .transform((v) => v.replace(/\s+/g, ''))
    .pipe(z.string().regex(/^\d{8,30}$/, '银行账号应为8至30位数字')),
});

/** The 发票信息 of an application that wants an invoice (also 修改发票信息 and 财务's 重开). */
export const wantedInvoiceSchema = z.discriminatedUnion('type', [normalInvoice, specialInvoice], { error: '请选择发票类型' });

export const invoiceSchema = z.discriminatedUnion('wanted', [z.object({ wanted: z.literal(false) }), wantedInvoiceSchema], { error: '请选择是否开具发票' });
export type Invoice = z.infer<typeof invoiceSchema>;

export const couriers = { EMS: 'EMS', SF: '顺丰' } as const;

export const deliverySchema = z.discriminatedUnion(
  'method',
  [
    z.object({
      method: z.literal('post'),
      courier: z.enum(['EMS', 'SF'], { error: '请选择快递公司' }),
      recipient: required('收件人', 50),
      phone: mobile('收件人手机号'),
      province: required('省份', 20),
      city: required('城市', 30),
      district: required('区县', 30),
      address: required('详细地址', 200),
    }),
    z.object({ method: z.literal('pickup') }),
  ],
  { error: '请选择证书领取方式' },
);
export type Delivery = z.infer<typeof deliverySchema>;

export const applicationFormSchema = z.object({
  projectId: z.string({ error: '请选择所属项目' }).min(1, '请选择所属项目'),
  invoice: invoiceSchema,
  delivery: deliverySchema,
  /** 服务年限: the paid term; the certificate is valid this long. Absent means one year. */
  termYears: z
    .number({ error: '服务年限只能选择 1 年、2 年或 3 年' })
    .int('服务年限只能选择 1 年、2 年或 3 年')
    .min(1, '服务年限只能选择 1 年、2 年或 3 年')
    .max(3, '服务年限只能选择 1 年、2 年或 3 年')
    .default(1),
});
export type ApplicationForm = z.infer<typeof applicationFormSchema>;

export function describeDelivery(d: Delivery, pickupAddress: string): string {
  if (d.method === 'pickup') return `自取：${pickupAddress}`;
  return `邮寄（${couriers[d.courier]}）：${d.province}${d.city}${d.district}${d.address}，${d.recipient}，${d.phone}`;
}
