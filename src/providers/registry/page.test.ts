import { describe, expect, it } from 'vitest';
import { exampleUnlistedInstitution, registryFixtures, type RegistryFixtures } from './fixtures.ts';
import { renderRegistryHtml } from './page.ts';

describe('renderRegistryHtml', () => {
  const html = renderRegistryHtml(registryFixtures);

  it('is a self-contained Chinese page', () => {
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('<meta charset="UTF-8">');
    expect(html).toContain('<title>模拟实名认证库</title>');
    expect(html).not.toMatch(/<script|<link|src=/);
    expect(html).toContain('仅在开发或演示模式下存在');
  });

  it('lists every organisation and every person with its code in a data attribute', () => {
    expect(html.match(/<tr data-uscc="/g)).toHaveLength(registryFixtures.organisations.length);
    expect(html.match(/<tr data-id-number="/g)).toHaveLength(registryFixtures.persons.length);
    for (const org of registryFixtures.organisations) {
      expect(html).toContain(`data-uscc="${org.uscc}"`);
      expect(html).toContain(org.name);
    }
    for (const person of registryFixtures.persons) {
      expect(html).toContain(`data-id-number="${person.idNumber}"`);
      expect(html).toContain(person.phone);
    }
    for (const heading of ['单位名称', '统一社会信用代码', '法定代表人', '姓名', '身份证号', '手机号']) {
      expect(html).toContain(`<th>${heading}</th>`);
    }
  });

  it('explains the 事业单位 path with an example', () => {
    const institution = exampleUnlistedInstitution();
    expect(html).toContain('企业不存在');
    expect(html).toContain('事业单位');
    expect(html).toContain(institution.name);
    expect(html).toContain(institution.uscc);
  });

  it('marks which persons are legal representatives', () => {
    const [company] = registryFixtures.organisations;
    expect(html).toContain(`${company?.name} 法定代表人`);
  });

  it('escapes everything it shows', () => {
    const hostile: RegistryFixtures = {
      organisations: [
        {
          name: '<script>alert("x")</script>',
          uscc: '"><img src=x>',
          legalRepresentative: "O'Brien & Co",
          kind: 'enterprise',
          status: 'operating',
          established: '2020-01-01',
        },
      ],
      persons: [{ name: '<b>张</b>', idNumber: '"onmouseover="x', phone: '<i>', isp: 'CMCC' }],
    };
    const out = renderRegistryHtml(hostile);
    expect(out).not.toContain('<script>alert');
    expect(out).not.toContain('<img');
    expect(out).not.toContain('<b>张');
    expect(out).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(out).toContain('data-uscc="&quot;&gt;&lt;img src=x&gt;"');
    expect(out).toContain('O&#39;Brien &amp; Co');
    expect(out).toContain('data-id-number="&quot;onmouseover=&quot;x"');
  });
});
