CREATE TABLE "revocation_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"certificate_serial" text NOT NULL,
	"application_id" uuid NOT NULL,
	"applicant_id" uuid NOT NULL,
	"reason" text NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"status" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"decision_note" text
);
--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "term_years" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "revocation_requests_pending_idx" ON "revocation_requests" USING btree ("certificate_serial") WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX "revocation_requests_status_idx" ON "revocation_requests" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "revocation_requests_application_idx" ON "revocation_requests" USING btree ("application_id");--> statement-breakpoint
-- SMS texts for the outcome of an applicant's 申请吊销 (version 1), as data like 0004. The real
-- gateway needs each registered under ALIYUN_SMS_TEMPLATE_REVOCATION_APPROVED / _REJECTED.
INSERT INTO "sms_templates" ("code", "version", "body", "created_at") VALUES
  ('revocation_approved', 1, '您申请吊销的证书（申请单号${number}，序列号${serial}）已吊销，吊销后该证书不能再用于签名。如需继续使用请重新申请。', '2026-01-01T00:00:00Z'),
  ('revocation_rejected', 1, '您的证书吊销申请（申请单号${number}）未通过：${reason}。证书仍然有效，详情请登录数字证书在线受理平台查看。', '2026-01-01T00:00:00Z')
ON CONFLICT DO NOTHING;
