/**
 * The /dev/registry page: what the registry simulator knows, so a tester knows what to type for
 * 实名认证 and 企业认证, and how to reach the 事业单位 path. Only mounted outside production.
 */
import { escapeHtml, renderDevPage } from '../../dev/html.ts';
import { exampleUnlistedInstitution, type RegistryFixtures } from './fixtures.ts';
import type { BusinessStatus } from './types.ts';

const STATUS_LABEL: Record<BusinessStatus, string> = {
  operating: '在营（开业）',
  relocated: '迁出',
  deregistered: '注销',
  revoked: '吊销',
  cancelled: '撤销',
  suspended: '停业',
  other: '其他',
  unknown: '未知',
};

export function renderRegistryHtml(fixtures: RegistryFixtures): string {
  const representing = new Map<string, string[]>();
  for (const org of fixtures.organisations) {
    representing.set(org.legalRepresentative, [...(representing.get(org.legalRepresentative) ?? []), org.name]);
  }
  const organisations = fixtures.organisations
    .map(
      (org) =>
        `<tr data-uscc="${escapeHtml(org.uscc)}"><td>${escapeHtml(org.name)}</td><td class="code">${escapeHtml(org.uscc)}</td>` +
        `<td>${escapeHtml(org.legalRepresentative)}</td>` +
        `<td>${org.kind === 'individualBusiness' ? '个体工商户' : '企业'}</td><td>${escapeHtml(STATUS_LABEL[org.status])}</td></tr>`,
    )
    .join('\n');
  const persons = fixtures.persons
    .map((person) => {
      const roles = (representing.get(person.name) ?? []).map((name) => `${name} 法定代表人`).join('；');
      return (
        `<tr data-id-number="${escapeHtml(person.idNumber)}"><td>${escapeHtml(person.name)}</td>` +
        `<td class="code">${escapeHtml(person.idNumber)}</td><td class="code">${escapeHtml(person.phone)}</td>` +
        `<td>${escapeHtml(roles)}</td></tr>`
      );
    })
    .join('\n');
  const institution = exampleUnlistedInstitution();
  return renderDevPage({
    title: '模拟实名认证库',
    note: '本页面仅在开发或演示模式下存在：实名认证与企业认证并未查询真实的公安、运营商和工商数据，而是由模拟器按下列虚构数据作答。',
    tableMargin: 'margin: 1rem 0 2rem',
    styles: ['.code { font-family: ui-monospace, Consolas, monospace; white-space: nowrap; }'],
    body: `<ul>
<li>实名认证：姓名、身份证号、手机号须与“人员”表同一行一致；任一项不符即提示该项不一致，手机号不在表中则提示查无记录。</li>
<li>企业认证：单位名称、统一社会信用代码、法定代表人须与“单位”表同一行一致；任一项不符即提示该项不一致。</li>
<li>校验位正确但不在“单位”表中的统一社会信用代码会得到“企业不存在”，申请按事业单位继续，例如：<span data-example-institution="${escapeHtml(institution.uscc)}">${escapeHtml(institution.name)}，统一社会信用代码 <span class="code">${escapeHtml(institution.uscc)}</span>，法定代表人 ${escapeHtml(institution.legalRepresentative)}</span>。</li>
</ul>
<h2>单位</h2>
<table>
<thead><tr><th>单位名称</th><th>统一社会信用代码</th><th>法定代表人</th><th>类型</th><th>登记状态</th></tr></thead>
<tbody>
${organisations}
</tbody>
</table>
<h2>人员</h2>
<table>
<thead><tr><th>姓名</th><th>身份证号</th><th>手机号</th><th>备注</th></tr></thead>
<tbody>
${persons}
</tbody>
</table>`,
  });
}
