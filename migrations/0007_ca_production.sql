CREATE TABLE "certificate_authorities" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"family" text NOT NULL,
	"role" text NOT NULL,
	"parent_id" uuid,
	"key_label" text NOT NULL,
	"key_hash" text NOT NULL,
	"certificate" "bytea" NOT NULL,
	"next_crl_number" bigint DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "certificate_authorities_key_label_unique" UNIQUE("key_label")
);
--> statement-breakpoint
CREATE TABLE "certificates" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"serial_hex" text NOT NULL,
	"issuer_ca_id" uuid NOT NULL,
	"application_id" uuid,
	"family" text NOT NULL,
	"profile" text NOT NULL,
	"subject_org" text,
	"subject_cn" text NOT NULL,
	"subject_uscc" text,
	"not_before" timestamp with time zone NOT NULL,
	"not_after" timestamp with time zone NOT NULL,
	"der" "bytea" NOT NULL,
	"status" text NOT NULL,
	"revoked_at" timestamp with time zone,
	"revocation_reason" text,
	"usb_key_serial" text,
	"issued_by" text NOT NULL,
	"key_label" text,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "certificates_serial_hex_unique" UNIQUE("serial_hex")
);
--> statement-breakpoint
CREATE TABLE "crls" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"ca_id" uuid NOT NULL,
	"number" bigint NOT NULL,
	"this_update" timestamp with time zone NOT NULL,
	"next_update" timestamp with time zone NOT NULL,
	"der" "bytea" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "seal_approvals" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"application_id" uuid NOT NULL,
	"applicant_id" uuid NOT NULL,
	"picture_sha256" text NOT NULL,
	"approved_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "seals" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"es_id" text NOT NULL,
	"application_id" uuid NOT NULL,
	"certificate_serial" text NOT NULL,
	"name" text NOT NULL,
	"der" "bytea" NOT NULL,
	"picture" "bytea" NOT NULL,
	"valid_end" timestamp with time zone NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "seals_es_id_unique" UNIQUE("es_id")
);
--> statement-breakpoint
CREATE TABLE "shipments" (
	"application_id" uuid PRIMARY KEY NOT NULL,
	"method" text NOT NULL,
	"courier" text,
	"tracking_number" text,
	"pickup_address" text,
	"note" text DEFAULT '' NOT NULL,
	"shipped_by" uuid NOT NULL,
	"shipped_at" timestamp with time zone NOT NULL,
	"completed_at" timestamp with time zone,
	"completed_how" text,
	"completed_by" text
);
--> statement-breakpoint
CREATE INDEX "certificate_authorities_name_idx" ON "certificate_authorities" USING btree ("name","created_at");--> statement-breakpoint
CREATE INDEX "certificates_application_idx" ON "certificates" USING btree ("application_id");--> statement-breakpoint
CREATE INDEX "certificates_issuer_status_idx" ON "certificates" USING btree ("issuer_ca_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "crls_ca_number_idx" ON "crls" USING btree ("ca_id","number");--> statement-breakpoint
CREATE INDEX "seal_approvals_application_idx" ON "seal_approvals" USING btree ("application_id","approved_at");--> statement-breakpoint
CREATE INDEX "seals_application_idx" ON "seals" USING btree ("application_id","created_at");--> statement-breakpoint
CREATE INDEX "shipments_open_idx" ON "shipments" USING btree ("completed_at","shipped_at");--> statement-breakpoint
-- SMS texts for 已邮寄 and 待自取 (version 1), as data like 0004. The real gateway needs each text
-- registered under ALIYUN_SMS_TEMPLATE_SHIPPED / ALIYUN_SMS_TEMPLATE_READY_FOR_PICKUP.
INSERT INTO "sms_templates" ("code", "version", "body", "created_at") VALUES
  ('shipped', 1, '您的证书及电子印章（申请单号${number}）已邮寄，快递公司${courier}，运单号${trackingNumber}，请注意查收。收到后请登录数字证书在线受理平台点击“确认收货”。', '2026-01-01T00:00:00Z'),
  ('ready_for_pickup', 1, '您的证书及电子印章（申请单号${number}）已制作完成，请携带经办人身份证件到以下地址领取：${address}。', '2026-01-01T00:00:00Z')
ON CONFLICT DO NOTHING;
