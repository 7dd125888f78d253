/** 证书领取方式: 邮寄 (快递, 收件人 and the address) or 自取 (the service hall's address). */
import { Alert, Col, Form, Input, Radio, Row } from 'antd';
import { MOBILE_PATTERN, withoutSpaces } from '../../validation';
import { requiredText } from './fieldRules';
import { formStrings as s } from './strings';

/** `online`: a 续期 may keep the USB key and renew online, with nothing to post (the default there). */
export function DeliveryFields({ online = false }: { online?: boolean }) {
  const form = Form.useFormInstance();
  const method = Form.useWatch(['delivery', 'method'], form) as 'online' | 'post' | 'pickup' | undefined;

  return (
    <>
      <Form.Item name={['delivery', 'method']} label={s.deliveryMethod} rules={[{ required: true, message: s.deliveryRequired }]}>
        <Radio.Group
          options={[
            ...(online ? [{ value: 'online', label: s.online }] : []),
            { value: 'post', label: s.post },
            { value: 'pickup', label: s.pickup },
          ]}
        />
      </Form.Item>
      {method === 'pickup' && <Alert type="info" showIcon title={s.pickupAddressLabel} description={s.pickupAddress} className="apply-alert" />}
      {method === 'post' && (
        <>
          <Form.Item name={['delivery', 'courier']} label={s.courier} rules={[{ required: true, message: s.courierRequired }]}>
            <Radio.Group
              options={[
                { value: 'EMS', label: s.couriers.EMS },
                { value: 'SF', label: s.couriers.SF },
              ]}
            />
          </Form.Item>
          <Row gutter={16}>
            <Col xs={24} sm={12}>
              <Form.Item name={['delivery', 'recipient']} label={s.recipient} rules={requiredText(s.recipient, 50)}>
                <Input maxLength={50} autoComplete="name" />
              </Form.Item>
            </Col>
            <Col xs={24} sm={12}>
              <Form.Item
                name={['delivery', 'phone']}
                label={s.recipientPhone}
                normalize={withoutSpaces}
                rules={[
                  { required: true, message: s.required(s.recipientPhone) },
                  { pattern: MOBILE_PATTERN, message: s.recipientPhoneInvalid },
                ]}
              >
                <Input inputMode="numeric" maxLength={11} autoComplete="tel" />
              </Form.Item>
            </Col>
            <Col xs={24} sm={8}>
              <Form.Item name={['delivery', 'province']} label={s.province} rules={requiredText(s.province, 20)}>
                <Input maxLength={20} autoComplete="address-level1" />
              </Form.Item>
            </Col>
            <Col xs={24} sm={8}>
              <Form.Item name={['delivery', 'city']} label={s.city} rules={requiredText(s.city, 30)}>
                <Input maxLength={30} autoComplete="address-level2" />
              </Form.Item>
            </Col>
            <Col xs={24} sm={8}>
              <Form.Item name={['delivery', 'district']} label={s.district} rules={requiredText(s.district, 30)}>
                <Input maxLength={30} autoComplete="address-level3" />
              </Form.Item>
            </Col>
          </Row>
          <Form.Item name={['delivery', 'address']} label={s.detailAddress} rules={requiredText(s.detailAddress, 200)}>
            <Input maxLength={200} autoComplete="street-address" />
          </Form.Item>
          <Alert type="warning" showIcon title={s.checkPost} className="apply-alert" />
        </>
      )}
    </>
  );
}
