/** 是否开具发票: 否, or 是 with 发票类型, 发票抬头, 税号, 邮箱 — and for a 专票 营业地址, 电话号码, 开户行, 账号. */
import { Alert, Form, Input, Radio } from 'antd';
import { BANK_ACCOUNT_PATTERN, TELEPHONE_PATTERN, taxNumberRule, upperWithoutSpaces, withoutSpaces } from '../../validation';
import { requiredText } from './fieldRules';
import { formStrings as s } from './strings';

/** `wantedOnly`: 修改发票信息 and 重开, where an invoice is wanted already — the type and the buyer only. */
export function InvoiceFields({ wantedOnly = false }: { wantedOnly?: boolean }) {
  const form = Form.useFormInstance();
  const watched = Form.useWatch(['invoice', 'wanted'], form) as boolean | undefined;
  const wanted = wantedOnly ? true : watched;
  const type = Form.useWatch(['invoice', 'type'], form) as 'normal' | 'special' | undefined;

  return (
    <>
      {wantedOnly ? (
        <Form.Item name={['invoice', 'wanted']} hidden initialValue={true}>
          <Input />
        </Form.Item>
      ) : (
        <Form.Item name={['invoice', 'wanted']} label={s.invoiceWanted} rules={[{ required: true, message: s.invoiceWantedRequired }]}>
          <Radio.Group
            options={[
              { value: false, label: s.no },
              { value: true, label: s.yes },
            ]}
          />
        </Form.Item>
      )}
      {wanted === false && <Alert type="info" showIcon title={s.noInvoiceNote} className="apply-alert" />}
      {wanted === true && (
        <>
          <Form.Item name={['invoice', 'type']} label={s.invoiceType} rules={[{ required: true, message: s.invoiceTypeRequired }]}>
            <Radio.Group
              options={[
                { value: 'normal', label: s.normal },
                { value: 'special', label: s.special },
              ]}
            />
          </Form.Item>
          <Form.Item name={['invoice', 'title']} label={s.invoiceTitleField} rules={requiredText(s.invoiceTitleField)}>
            <Input maxLength={100} />
          </Form.Item>
          <Form.Item
            name={['invoice', 'taxNumber']}
            label={s.taxNumber}
            normalize={upperWithoutSpaces}
            rules={[{ required: true, message: s.required(s.taxNumber) }, taxNumberRule]}
          >
            <Input maxLength={20} autoComplete="off" />
          </Form.Item>
          <Form.Item
            name={['invoice', 'email']}
            label={s.email}
            normalize={withoutSpaces}
            rules={[
              { required: true, message: s.required(s.email) },
              { type: 'email', message: s.emailInvalid },
            ]}
          >
            <Input inputMode="email" autoComplete="email" maxLength={100} />
          </Form.Item>
          {type === 'special' && (
            <>
              <Form.Item name={['invoice', 'address']} label={s.address} rules={requiredText(s.address, 200)}>
                <Input maxLength={200} />
              </Form.Item>
              <Form.Item
                name={['invoice', 'phone']}
                label={s.telephone}
                normalize={withoutSpaces}
                rules={[
                  { required: true, message: s.required(s.telephone) },
                  { pattern: TELEPHONE_PATTERN, message: s.telephoneInvalid },
                ]}
              >
                <Input inputMode="tel" maxLength={20} />
              </Form.Item>
              <Form.Item name={['invoice', 'bank']} label={s.bank} rules={requiredText(s.bank)}>
                <Input maxLength={100} />
              </Form.Item>
              <Form.Item
                name={['invoice', 'account']}
                label={s.account}
                normalize={withoutSpaces}
                rules={[
                  { required: true, message: s.required(s.account) },
                  { pattern: BANK_ACCOUNT_PATTERN, message: s.accountInvalid },
                ]}
              >
                <Input inputMode="numeric" maxLength={30} autoComplete="off" />
              </Form.Item>
            </>
          )}
        </>
      )}
    </>
  );
}
