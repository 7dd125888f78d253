/**
 * production's answers (the 制证员's queue, detail and actions; the applicant's shipment), as zod
 * schemas: see src/http/contract.ts.
 */
import { z } from 'zod';
import { applicantType, applicationEvent, applicationStatus, deliveryView, invoiceView } from '../applications/schemas.ts';

/** The 制证员's queue tabs: 已支付, 制证中, 已邮寄, 待自取. */
export const queueStatuses = ['paid', 'in_production', 'shipped', 'awaiting_pickup'] as const;
export type QueueStatus = (typeof queueStatuses)[number];

/** How an order left: by post (courier, tracking number) or for pickup, and how it was completed. */
export const shipmentView = z.object({
  method: z.enum(['post', 'pickup']),
  methodLabel: z.string(),
  courier: z.string().nullable(),
  courierLabel: z.string().nullable(),
  trackingNumber: z.string().nullable(),
  pickupAddress: z.string().nullable(),
  note: z.string().nullable(),
  shippedAt: z.string(),
  completedAt: z.string().nullable(),
  completedHowLabel: z.string().nullable(),
});
export type ShipmentView = z.infer<typeof shipmentView>;
export const shipmentAnswer = z.object({ shipment: shipmentView.nullable() });

export const productionQueueItem = z.object({
  id: z.string(),
  number: z.string(),
  orgName: z.string().nullable(),
  uscc: z.string().nullable(),
  projectName: z.string().nullable(),
  status: applicationStatus,
  statusLabel: z.string(),
  deliveryMethod: z.enum(['post', 'pickup']).nullable(),
  deliveryLabel: z.string(),
  submittedAt: z.string().nullable(),
  updatedAt: z.string(),
  shipment: shipmentView.nullable(),
});
export type ProductionQueueItem = z.infer<typeof productionQueueItem>;
export const productionQueue = z.object({ items: z.array(productionQueueItem) });

export const productionDetail = z.object({
  id: z.string(),
  number: z.string(),
  status: applicationStatus,
  statusLabel: z.string(),
  /** What this 制证员 may do now (the domain's availableEvents). */
  events: z.array(applicationEvent),
  /** 签发证书 and 制作电子印章 are open (制证中). */
  canIssue: z.boolean(),
  applicantType,
  applicantTypeLabel: z.string(),
  operator: z.object({ name: z.string(), phone: z.string() }),
  organisation: z.object({ name: z.string().nullable(), uscc: z.string().nullable(), legalRepresentative: z.string().nullable() }),
  projectName: z.string().nullable(),
  invoice: invoiceView.nullable(),
  delivery: deliveryView.nullable(),
  deliveryLabel: z.string(),
  pickupAddress: z.string(),
  amount: z.string(),
  submittedAt: z.string().nullable(),
  updatedAt: z.string(),
  shipment: shipmentView.nullable(),
  timelineUrl: z.string(),
});
export type ProductionDetail = z.infer<typeof productionDetail>;
