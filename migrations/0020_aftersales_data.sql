-- 变更 and 补办 (issue 18): their default prices (变更 free: 0 skips payment; 补办 100 元), the
-- 挂失 confirmation SMS, and the renewals made before the lineage said why.
INSERT INTO "prices" ("kind", "amount_fen", "effective_from") VALUES
  ('change', 0, '2020-01-01T00:00:00Z'),
  ('reissue', 10000, '2020-01-01T00:00:00Z');
--> statement-breakpoint
INSERT INTO "sms_templates" ("code", "version", "body", "created_at") VALUES
  ('loss_report_code', 1, '您正在办理数字证书挂失，验证码为${code}，5分钟内有效。挂失后证书立即吊销且不能恢复；如非本人操作，请忽略本短信。', '2026-12-04T00:00:00Z');
--> statement-breakpoint
UPDATE "certificates" SET "succession" = 'renewed' WHERE "predecessor_serial_hex" IS NOT NULL AND "succession" IS NULL;
