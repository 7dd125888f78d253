CREATE TABLE "payment_notifications" (
	"id" text PRIMARY KEY NOT NULL,
	"out_trade_no" text NOT NULL,
	"outcome" text NOT NULL,
	"received_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "payments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"application_id" uuid NOT NULL,
	"method" text NOT NULL,
	"amount_fen" integer NOT NULL,
	"status" text NOT NULL,
	"remittance_code" text,
	"voucher_blob_key" text,
	"voucher_content_type" text,
	"voucher_sha256" text,
	"note" text DEFAULT '' NOT NULL,
	"reject_reason" text,
	"out_trade_no" text,
	"code_url" text,
	"expires_at" timestamp with time zone,
	"transaction_id" text,
	"paid_at" timestamp with time zone,
	"decided_by" uuid,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "payments_remittance_code_unique" UNIQUE("remittance_code"),
	CONSTRAINT "payments_out_trade_no_unique" UNIQUE("out_trade_no")
);
--> statement-breakpoint
CREATE TABLE "refunds" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"payment_id" uuid NOT NULL,
	"application_id" uuid NOT NULL,
	"out_refund_no" text NOT NULL,
	"amount_fen" integer NOT NULL,
	"reason" text NOT NULL,
	"kind" text NOT NULL,
	"status" text NOT NULL,
	"provider_refund_id" text,
	"created_at" timestamp with time zone NOT NULL,
	"settled_at" timestamp with time zone,
	CONSTRAINT "refunds_out_refund_no_unique" UNIQUE("out_refund_no")
);
--> statement-breakpoint
CREATE INDEX "payments_application_idx" ON "payments" USING btree ("application_id","created_at");--> statement-breakpoint
CREATE INDEX "payments_status_idx" ON "payments" USING btree ("status");--> statement-breakpoint
CREATE INDEX "refunds_status_idx" ON "refunds" USING btree ("status");--> statement-breakpoint
INSERT INTO "sms_templates" ("code", "version", "body", "created_at") VALUES
  ('payment_rejected', 1, '您的证书及电子印章申请（申请单号${number}）汇款未能确认：${reason}。请登录数字证书在线受理平台，点击“支付”重新提交。', '2026-01-01T00:00:00Z');
