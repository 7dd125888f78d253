-- 解锁: the SMS that carries the confirmation code to the 经办人 (version 1), as data like 0004.
-- The real gateway needs it registered under ALIYUN_SMS_TEMPLATE_UNLOCK_CODE.
INSERT INTO "sms_templates" ("code", "version", "body", "created_at") VALUES
  ('unlock_code', 1, '您正在为 USB Key（介质序列号${keySerial}）申请解锁码，验证码为${code}，5分钟内有效。如非本人操作，请忽略本短信并联系 CA 客服。', '2026-12-04T00:00:00Z')
ON CONFLICT DO NOTHING;
