-- SMS texts for 已邮寄 and 待自取 (version 1), as data like 0004. The real gateway needs each text
-- registered under ALIYUN_SMS_TEMPLATE_SHIPPED / ALIYUN_SMS_TEMPLATE_READY_FOR_PICKUP.
INSERT INTO "sms_templates" ("code", "version", "body", "created_at") VALUES
  ('shipped', 1, '您的证书及电子印章（申请单号${number}）已邮寄，快递公司${courier}，运单号${trackingNumber}，请注意查收。收到后请登录数字证书在线受理平台点击“确认收货”。', '2026-01-01T00:00:00Z'),
  ('ready_for_pickup', 1, '您的证书及电子印章（申请单号${number}）已制作完成，请携带经办人身份证件到以下地址领取：${address}。', '2026-01-01T00:00:00Z')
ON CONFLICT DO NOTHING;
