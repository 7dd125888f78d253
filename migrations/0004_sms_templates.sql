-- SMS texts as data (version 1). The real gateway needs each text registered as a template under
-- the TemplateCode configured in ALIYUN_SMS_TEMPLATE_*; the simulator renders these rows.
INSERT INTO "sms_templates" ("code", "version", "body", "created_at") VALUES
  ('login_code', 1, '您的验证码为${code}，5分钟内有效。如非本人操作，请忽略本短信。', '2026-01-01T00:00:00Z'),
  ('review_approved', 1, '您的证书及电子印章申请（申请单号${number}）资料审核通过，应缴费用${amount}元。请登录数字证书在线受理平台，点击“支付”完成缴费。', '2026-01-01T00:00:00Z'),
  ('review_returned', 1, '您的证书及电子印章申请（申请单号${number}）资料审核未通过。请登录数字证书在线受理平台查看修改意见，修改后再次提交。', '2026-01-01T00:00:00Z');
