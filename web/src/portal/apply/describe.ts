/** An application's invoice and delivery in one line each, for 查看 and the returned mode. */
import type { Delivery, Invoice } from '../applicationsApi';
import { detailStrings as s, formStrings } from './strings';

export function describeInvoice(invoice: Invoice | null): string {
  if (!invoice) return s.notFilled;
  if (!invoice.wanted) return formStrings.no;
  const type = invoice.type === 'special' ? formStrings.special : formStrings.normal;
  const extra = invoice.type === 'special' ? `；${invoice.address}；${invoice.phone}；${invoice.bank} ${invoice.account}` : '';
  return `${formStrings.yes}（${type}）：${invoice.title}；${formStrings.taxNumber} ${invoice.taxNumber}；${invoice.email}${extra}`;
}

export function describeDelivery(delivery: Delivery | null): string {
  if (!delivery) return s.notFilled;
  if (delivery.method === 'pickup') return `${formStrings.pickup}：${formStrings.pickupAddress}`;
  const courier = formStrings.couriers[delivery.courier];
  return `${formStrings.post}（${courier}）：${delivery.province}${delivery.city}${delivery.district}${delivery.address}，${delivery.recipient}，${delivery.phone}`;
}
