/**
 * 申请信息 (the manual's 单位证书及电子印章申请界面): 证书用途 (所属项目), 是否开具发票, 证书领取方式,
 * then 下一步. The form lives in the wizard, so going back and forth keeps what was typed.
 */
import { Alert, Button, Card, ConfigProvider, Flex, Form, Select, type FormInstance } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { errorMessage } from '../../api';
import {
  applicationsApi,
  type ApplicationForm,
  type ApplicationView,
  type Courier,
  type Delivery,
  type Invoice,
  type Project,
  type Term,
} from '../applicationsApi';
import { DeliveryFields } from './DeliveryFields';
import { trimmed } from './fieldRules';
import { InvoiceFields } from './InvoiceFields';
import { formStrings as s } from './strings';

export interface FormFields {
  projectId?: string;
  termYears?: number;
  invoice: {
    wanted?: boolean;
    type?: 'normal' | 'special';
    title?: string;
    taxNumber?: string;
    email?: string;
    address?: string;
    phone?: string;
    bank?: string;
    account?: string;
  };
  delivery: {
    /** online: a 续期 renewed in the holder's own USB key (nothing posted). */
    method?: 'online' | 'post' | 'pickup';
    courier?: Courier;
    recipient?: string;
    phone?: string;
    province?: string;
    city?: string;
    district?: string;
    address?: string;
  };
}

/** The fields a server refusal can name, longest label first so 收件人手机号 wins over 收件人. */
type FieldPath = ['invoice', keyof FormFields['invoice']] | ['delivery', keyof FormFields['delivery']];
const fieldsByLabel = (
  [
    [s.recipientPhone, ['delivery', 'phone']],
    [s.detailAddress, ['delivery', 'address']],
    [s.invoiceTitleField, ['invoice', 'title']],
    [s.telephone, ['invoice', 'phone']],
    [s.address, ['invoice', 'address']],
    [s.recipient, ['delivery', 'recipient']],
    [s.province, ['delivery', 'province']],
    [s.district, ['delivery', 'district']],
    [s.taxNumber, ['invoice', 'taxNumber']],
    [s.bank, ['invoice', 'bank']],
    [s.account, ['invoice', 'account']],
    [s.email, ['invoice', 'email']],
    [s.city, ['delivery', 'city']],
    [s.courier, ['delivery', 'courier']],
  ] satisfies [string, FieldPath][]
).sort(([a], [b]) => b.length - a.length);

function toRequest(v: FormFields): Omit<ApplicationForm, 'delivery'> & { delivery: Delivery | null } {
  const i = v.invoice;
  const named = { wanted: true as const, title: trimmed(i.title), taxNumber: trimmed(i.taxNumber), email: trimmed(i.email) };
  const invoice: Invoice = !i.wanted
    ? { wanted: false }
    : i.type === 'special'
      ? { ...named, type: 'special', address: trimmed(i.address), phone: trimmed(i.phone), bank: trimmed(i.bank), account: trimmed(i.account) }
      : { ...named, type: 'normal' };
  const d = v.delivery;
  const delivery: Delivery | null =
    d.method === 'online'
      ? null
      : d.method === 'pickup'
      ? { method: 'pickup' }
      : {
          method: 'post',
          courier: d.courier ?? 'EMS',
          recipient: trimmed(d.recipient),
          phone: trimmed(d.phone),
          province: trimmed(d.province),
          city: trimmed(d.city),
          district: trimmed(d.district),
          address: trimmed(d.address),
        };
  return { projectId: v.projectId ?? '', termYears: v.termYears ?? 1, invoice, delivery };
}

/** What the form starts with: what was saved, or the organisation and the operator as defaults. */
function initialValues(app: ApplicationView, operatorPhone: string | undefined): FormFields {
  const invoice: FormFields['invoice'] = app.invoice
    ? { ...app.invoice }
    : { title: app.organisation?.name, taxNumber: app.organisation?.uscc ?? undefined };
  const delivery: FormFields['delivery'] = app.delivery
    ? { ...app.delivery }
    : app.kind === 'renewal'
      ? { method: 'online', recipient: app.operator.name, phone: operatorPhone }
      : { recipient: app.operator.name, phone: operatorPhone };
  return { projectId: app.project?.id, termYears: app.termYears, invoice, delivery };
}

interface Props {
  form: FormInstance<FormFields>;
  application: ApplicationView;
  /** The operator's phone as typed at 实名认证 in this visit (the server gives it back masked). */
  operatorPhone: string | undefined;
  onSaved(): void;
  /** 待修改: only these groups may change; the others are shown disabled. All editable when absent. */
  editable?: { project: boolean; invoice: boolean; delivery: boolean };
  /** The button's text; 下一步 in the wizard. */
  submitLabel?: string;
}

export function FormStep({ form, application, operatorPhone, onSaved, editable, submitLabel }: Props) {
  const [projects, setProjects] = useState<Project[] | undefined>(undefined);
  const [terms, setTerms] = useState<Term[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [saving, setSaving] = useState(false);
  const initial = useMemo(() => initialValues(application, operatorPhone), [application, operatorPhone]);

  useEffect(() => {
    let current = true;
    applicationsApi.projects().then(
      (items) => current && setProjects(items),
      (err: unknown) => current && setError(errorMessage(err)),
    );
    applicationsApi.terms(application.kind === 'renewal' ? 'renewal' : 'new').then(
      (items) => current && setTerms(items),
      (err: unknown) => current && setError(errorMessage(err)),
    );
    return () => {
      current = false;
    };
  }, [application.kind]);

  async function save(values: FormFields) {
    setSaving(true);
    setError(undefined);
    try {
      await applicationsApi.saveForm(application.id, toRequest(values));
      // The wizard moves on; the returned mode stays on this form.
      setSaving(false);
      onSaved();
    } catch (err) {
      const message = errorMessage(err);
      setError(message);
      const named = fieldsByLabel.find(([label]) => message.includes(label));
      if (named) form.setFields([{ name: named[1], errors: [message] }]);
      setSaving(false);
    }
  }

  return (
    <Form<FormFields>
      form={form}
      name="application"
      layout="vertical"
      initialValues={initial}
      onFinish={save}
      onValuesChange={() => setError(undefined)}
      scrollToFirstError
      className="apply-form"
    >
      <Flex vertical gap={16}>
        <Card size="small" title={s.projectTitle}>
          <ConfigProvider componentDisabled={editable ? !editable.project : undefined}>
          <Form.Item name="projectId" label={s.project} rules={[{ required: true, message: s.projectRequired }]}>
            <Select
              placeholder={s.projectPlaceholder}
              loading={projects === undefined}
              options={(projects ?? []).map((p) => ({ value: p.id, label: p.name }))}
            />
          </Form.Item>
          {/* 变更 / 补办 buy no term: the new certificate ends where the old one ended. */}
          <Form.Item name="termYears" label={s.term} extra={application.kind === 'renewal' ? s.renewalTermExtra : s.termExtra} hidden={application.kind === 'change' || application.kind === 'reissue'}>
            <Select loading={terms === undefined} options={(terms ?? []).map((t) => ({ value: t.years, label: s.termOption(t.years, t.amount) }))} />
          </Form.Item>
          </ConfigProvider>
        </Card>
        <Card size="small" title={s.invoiceTitle}>
          <ConfigProvider componentDisabled={editable ? !editable.invoice : undefined}>
            <InvoiceFields />
          </ConfigProvider>
        </Card>
        <Card size="small" title={s.deliveryTitle}>
          <ConfigProvider componentDisabled={editable ? !editable.delivery : undefined}>
            <DeliveryFields online={application.kind === 'renewal'} />
          </ConfigProvider>
        </Card>
        {error && <Alert type="error" showIcon title={error} />}
        <div>
          <Button type="primary" htmlType="submit" loading={saving}>
            {submitLabel ?? s.next}
          </Button>
        </div>
      </Flex>
    </Form>
  );
}
