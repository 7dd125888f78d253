/**
 * Shipping rules (邮寄 / 自取): which courier numbers look right, and when a delivered order counts
 * as received without the applicant's 确认收货. Pure: the caller brings the time.
 */
import { AppError } from './errors.ts';
import { couriers, type Delivery } from './application-form.ts';

export type Courier = keyof typeof couriers;
export const courierCodes = Object.keys(couriers) as [Courier, ...Courier[]];

/**
 * Loose shapes of the couriers' waybill numbers: a typo of a digit is not caught, but a number of
 * the other courier, a phone number or a name is. EMS: 13 characters (EA123456789CN) or 13 digits;
 * 顺丰: SF and 12–15 digits, or 12 digits.
 */
const trackingShapes: Record<Courier, { pattern: RegExp; example: string }> = {
  EMS: { pattern: /^(?:[A-Z]{2}\d{9}[A-Z]{2}|\d{13})$/, example: 'EA123456789CN 或 13 位数字' },
  SF: { pattern: /^(?:SF\d{12,15}|\d{12})$/, example: 'SF 加 12–15 位数字，或 12 位数字' },
};

/** The number as staff typed it, without spaces and in capitals; refused with what it should look like. */
export function normaliseTrackingNumber(courier: Courier, raw: string): string {
  const value = raw.replace(/[\s-]/g, '').toUpperCase();
  if (!value) throw new AppError('TRACKING_REQUIRED', '请填写运单号', 400);
  const shape = trackingShapes[courier];
  if (!shape.pattern.test(value)) {
    throw new AppError('TRACKING_FORMAT', `${couriers[courier]}运单号格式不正确，应为${shape.example}`, 400);
  }
  return value;
}

/**
 * 邮寄 needs the address the applicant gave: an order for 自取 has none, so it cannot be posted
 * (the applicant changes 证书领取方式 with customer service first). The other way round is allowed:
 * a 邮寄 order may be collected at the counter when the applicant asks, with the reason recorded.
 */
export function assertDeliveryAllows(delivery: Delivery | null, action: 'post' | 'pickup', reason: string | undefined): void {
  if (action === 'post' && delivery?.method !== 'post') {
    throw new AppError('DELIVERY_MISMATCH', '申请人选择的领取方式为自取，没有邮寄地址，不能邮寄', 409);
  }
  if (action === 'pickup' && delivery?.method === 'post' && !reason?.trim()) {
    throw new AppError('DELIVERY_MISMATCH', '申请人选择的领取方式为邮寄，改为自取须填写原因（如申请人来电要求）', 409);
  }
}

/** The instant before which a 已邮寄 / 待自取 order completes by itself. */
export function autoCompleteBefore(now: Date, days: number): Date {
  return new Date(now.getTime() - days * 86_400_000);
}

export function courierLabel(courier: string): string {
  return courier in couriers ? couriers[courier as Courier] : courier;
}
