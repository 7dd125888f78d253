CREATE TABLE "invoice_mails" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"invoice_id" uuid NOT NULL,
	"to" text NOT NULL,
	"status" text NOT NULL,
	"message_id" text,
	"error" text,
	"requested_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"sent_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "invoices" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"application_id" uuid NOT NULL,
	"colour" text NOT NULL,
	"type" text NOT NULL,
	"reverses_id" uuid,
	"red_reason" text,
	"status" text NOT NULL,
	"buyer" jsonb NOT NULL,
	"email" text NOT NULL,
	"total_fen" integer NOT NULL,
	"amount_fen" integer NOT NULL,
	"tax_fen" integer NOT NULL,
	"tax_rate_bp" integer NOT NULL,
	"goods_name" text NOT NULL,
	"order_no" text NOT NULL,
	"platform_serial" text,
	"number" text,
	"issued_at" timestamp with time zone,
	"pdf_blob_key" text,
	"xml_blob_key" text,
	"ofd_blob_key" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"reversal_due" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "invoices_order_no_unique" UNIQUE("order_no")
);
--> statement-breakpoint
CREATE INDEX "invoice_mails_invoice_idx" ON "invoice_mails" USING btree ("invoice_id");--> statement-breakpoint
CREATE UNIQUE INDEX "invoices_one_live_blue" ON "invoices" USING btree ("application_id") WHERE colour = 'blue' AND status NOT IN ('reversed', 'cancelled');--> statement-breakpoint
CREATE UNIQUE INDEX "invoices_one_red_per_blue" ON "invoices" USING btree ("reverses_id") WHERE colour = 'red';--> statement-breakpoint
CREATE INDEX "invoices_status_idx" ON "invoices" USING btree ("status");--> statement-breakpoint
CREATE INDEX "invoices_issued_at_idx" ON "invoices" USING btree ("issued_at");