-- The catalogue the platform starts with: 证书用途 (所属项目) with the extra attachments each needs,
-- the price of a first application and of a renewal (fen), and version 1 of the service contract.
-- Administrators change these later through the console; nothing here is read from code.
INSERT INTO "projects" ("id", "name", "description", "extra_attachments", "sort_order") VALUES
  ('nmg-gov-procurement', '内蒙古自治区政府采购云平台', '政府采购项目：投标、签章', '{"enterprise":["legal_rep_personal_seal","legal_rep_signature"],"institution":["application_form","authorisation_letter","legal_rep_personal_seal","legal_rep_signature"]}', 10),
  ('nmg-public-resources', '内蒙古自治区公共资源交易平台', '公共资源交易项目：投标、签章', '{"enterprise":["legal_rep_personal_seal","legal_rep_signature"],"institution":["application_form","authorisation_letter","legal_rep_personal_seal","legal_rep_signature"]}', 20),
  ('nmg-etax', '内蒙古自治区电子税务局', '网上办税', '{"enterprise":[],"institution":["application_form","authorisation_letter"]}', 30),
  ('nmg-housing-fund', '内蒙古自治区住房公积金网上业务大厅', '单位公积金网上业务', '{"enterprise":[],"institution":["application_form","authorisation_letter"]}', 40),
  ('nmg-social-security', '内蒙古自治区社会保险网上服务平台', '单位社保网上申报', '{"enterprise":[],"institution":["application_form","authorisation_letter"]}', 50),
  ('general', '其他用途（通用单位证书）', '未列出的应用系统', '{"enterprise":[],"institution":["application_form","authorisation_letter"]}', 90);
--> statement-breakpoint
INSERT INTO "prices" ("kind", "amount_fen", "effective_from") VALUES
  ('first', 19500, '2020-01-01T00:00:00Z'),
  ('renewal', 16000, '2020-01-01T00:00:00Z');
--> statement-breakpoint
INSERT INTO "contract_templates" ("version", "title", "body", "created_at") VALUES
  (1, '数字证书及电子印章服务合同', $contract$甲方（用户）：{{orgName}}
统一社会信用代码：{{uscc}}
法定代表人：{{legalRepresentative}}
经办人：{{operatorName}}（身份证号：{{operatorIdNumberMasked}}，手机号：{{operatorPhoneMasked}}）

乙方（电子认证服务机构）：{{caName}}

申请单号：{{applicationNumber}}

为明确双方在数字证书及电子印章申请、签发和使用中的权利与义务，依据《中华人民共和国电子签名法》《电子认证服务管理办法》等法律法规，双方经协商一致，订立本合同。

第一条 服务内容
乙方为甲方签发单位数字证书，并制作与该证书绑定的电子印章；证书有效期为一年，自签发之日起计算，期满可按续费价格续期。

第二条 甲方的义务
1. 甲方保证所提交的单位信息、经办人信息及附件材料真实、准确、完整，并对其真实性承担法律责任；信息发生变更时，应及时向乙方申请变更。
2. 甲方应妥善保管数字证书介质（USB Key）及其口令，不得转让、出借；因甲方保管不善造成的损失由甲方承担。
3. 证书私钥已经或可能泄露、介质遗失时，甲方应立即通知乙方申请吊销。

第三条 乙方的义务
1. 乙方依据电子认证业务规则（CPS）审核甲方材料，审核通过并收到费用后制作证书，并按甲方选择的方式交付。
2. 乙方妥善保存甲方的申请材料及证书信息，保存期限为证书失效后五年，并对其中的个人信息依法保密。
3. 乙方提供证书状态查询服务（证书吊销列表和在线证书状态查询）。

第四条 费用
首次申请费用为每年 {{firstPriceYuan}} 元，续费为每年 {{renewalPriceYuan}} 元，以申请时平台显示的金额为准。

第五条 责任限制
因不可抗力或甲方提供虚假材料造成的损失，乙方不承担责任；因乙方过错造成甲方损失的，乙方依法承担赔偿责任。

第六条 合同的成立
甲方经办人在数字证书在线受理平台勾选“本人已同意签署合同”并点击“确认”，即表示甲方同意本合同全部条款，本合同自此成立。

第七条 争议解决
因本合同引起的争议，双方应协商解决；协商不成的，任何一方可向乙方所在地人民法院提起诉讼。$contract$, '2026-01-01T00:00:00Z');
