-- 待确认印章: production waits for the applicant to approve the seal picture, so the payment's SMS
-- asks for it. And the 审核通过 SMS now says where the bank account and the remittance code are
-- (the manual has the applicant remit after this SMS); an administrator's own later version stays.
INSERT INTO "sms_templates" ("code", "version", "body", "created_at") VALUES
  ('seal_confirmation', 1, '您的证书及电子印章申请（申请单号${number}）已支付。请登录数字证书在线受理平台，在申请列表点击“确认印章”核对电子印章图样并确认，确认后即制作证书和电子印章。', '2026-12-02T00:00:00Z');
--> statement-breakpoint
INSERT INTO "sms_templates" ("code", "version", "body", "created_at")
SELECT 'review_approved', 2, '您的证书及电子印章申请（申请单号${number}）资料审核通过，应缴费用${amount}元。请登录数字证书在线受理平台，在申请列表查看收款账户和汇款识别码（点击“支付”→“银行汇款”亦可查看），汇款附言请填写汇款识别码，汇款后点击“支付”上传凭证；也可选择微信支付。', '2026-12-02T00:00:00Z'
WHERE NOT EXISTS (SELECT 1 FROM "sms_templates" WHERE "code" = 'review_approved' AND "version" > 1);
