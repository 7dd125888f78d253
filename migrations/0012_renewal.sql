CREATE TABLE "renewal_reminders" (
	"certificate_serial" text NOT NULL,
	"threshold_days" integer NOT NULL,
	"application_id" uuid NOT NULL,
	"sent_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "kind" text DEFAULT 'new' NOT NULL;--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "renews_serial" text;--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "renewal" jsonb;--> statement-breakpoint
ALTER TABLE "certificates" ADD COLUMN "predecessor_serial_hex" text;--> statement-breakpoint
ALTER TABLE "projects" ADD COLUMN "renewal_auto_review" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "renewal_reminders_serial_threshold_idx" ON "renewal_reminders" USING btree ("certificate_serial","threshold_days");--> statement-breakpoint
CREATE UNIQUE INDEX "applications_renews_serial_idx" ON "applications" USING btree ("renews_serial") WHERE renews_serial IS NOT NULL AND status NOT IN ('cancelled', 'refunded');--> statement-breakpoint
CREATE UNIQUE INDEX "certificates_predecessor_idx" ON "certificates" USING btree ("predecessor_serial_hex");--> statement-breakpoint
-- 到期提醒: the reminder the renewal job sends at 90/30/7/0 days before a certificate ends.
INSERT INTO "sms_templates" ("code", "version", "body", "created_at") VALUES
  ('expiry_reminder', 1, '${orgName}的单位数字证书（序列号${serial}）将于${date}到期（剩余${days}天）。请登录数字证书在线受理平台，在“我的申请”点击“证书与印章”→“续期”在线办理，资料未变更的无需重新上传。', '2026-12-03T00:00:00Z');
