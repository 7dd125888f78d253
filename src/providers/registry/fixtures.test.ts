/**
 * The fixture registry must pass the platform's own validation, hold no 事业单位 (a "not found" is
 * how one is recognised), and stay the same from one start to the next.
 */
import { describe, expect, it } from 'vitest';
import { idNumberProblem, usccProblem } from '../../domain/codes.ts';
import { isMainlandMobile } from '../../domain/phone.ts';
import { buildIdNumber, buildUscc, exampleUnlistedInstitution, registryFixtures } from './fixtures.ts';

const { organisations, persons } = registryFixtures;

function unique(values: string[]): boolean {
  return new Set(values).size === values.length;
}

describe('fixture organisations', () => {
  it('are a few dozen', () => {
    expect(organisations.length).toBeGreaterThanOrEqual(24);
  });

  it.each(organisations.map((org) => [org.name, org.uscc] as const))('%s has a valid credit code %s', (_name, uscc) => {
    expect(usccProblem(uscc)).toBeUndefined();
    // Inner Mongolia, and registered by market regulation as an enterprise (91) or 个体工商户 (92).
    expect(uscc.slice(2, 4)).toBe('15');
    expect(['91', '92']).toContain(uscc.slice(0, 2));
  });

  it('hold no 事业单位 and no public-institution names', () => {
    expect(organisations.filter((org) => org.uscc.startsWith('1'))).toEqual([]);
    expect(organisations.filter((org) => /研究院|研究所|学校|大学|医院|中心|局$|站$/.test(org.name))).toEqual([]);
  });

  it('have unique names and codes, and a legal representative each', () => {
    expect(unique(organisations.map((org) => org.uscc))).toBe(true);
    expect(unique(organisations.map((org) => org.name))).toBe(true);
    expect(organisations.every((org) => org.legalRepresentative.length >= 2)).toBe(true);
  });

  it('are mostly operating, with a revoked and a deregistered one to try', () => {
    const statuses = organisations.map((org) => org.status);
    expect(statuses.filter((s) => s === 'operating').length).toBeGreaterThan(organisations.length - 3);
    expect(statuses).toContain('revoked');
    expect(statuses).toContain('deregistered');
  });
});

describe('fixture persons', () => {
  it.each(persons.map((p) => [p.name, p.idNumber, p.phone] as const))('%s: %s, %s', (_name, idNumber, phone) => {
    expect(idNumberProblem(idNumber)).toBeUndefined();
    expect(idNumber.slice(0, 2)).toBe('15');
    const year = Number(idNumber.slice(6, 10));
    expect(year).toBeGreaterThanOrEqual(1950);
    expect(year).toBeLessThanOrEqual(2005);
    expect(isMainlandMobile(phone)).toBe(true);
  });

  it('have unique ID numbers and phones', () => {
    expect(unique(persons.map((p) => p.idNumber))).toBe(true);
    expect(unique(persons.map((p) => p.phone))).toBe(true);
  });

  it('include legal representatives of fixture companies', () => {
    const representatives = new Set(organisations.map((org) => org.legalRepresentative));
    expect(persons.filter((p) => representatives.has(p.name)).length).toBeGreaterThanOrEqual(2);
  });
});

describe('determinism', () => {
  it('builds the same codes on every start', () => {
    // Pinned: a tester's notes and saved test data keep working across releases.
    expect(organisations[0]).toMatchObject({ name: '内蒙古草原云数据科技有限公司', uscc: buildUscc('91', '150105', 'MA0N2K7P') });
    expect(organisations[0]?.uscc).toBe('91150105MA0N2K7P2N');
    expect(persons[0]?.idNumber).toBe('150105198203154218');
  });

  it('refuses layouts that cannot be codes', () => {
    expect(() => buildUscc('91', '1501', 'MA0N2K7P')).toThrow();
    expect(() => buildIdNumber('150105', '198203', '421')).toThrow();
  });
});

describe('exampleUnlistedInstitution', () => {
  it('is a valid 事业单位 code that the register does not hold', () => {
    const institution = exampleUnlistedInstitution();
    expect(usccProblem(institution.uscc)).toBeUndefined();
    expect(institution.uscc.slice(0, 2)).toBe('12');
    expect(institution.uscc.slice(2, 4)).toBe('15');
    expect(organisations.some((org) => org.uscc === institution.uscc || org.name === institution.name)).toBe(false);
    expect(institution.name).toBe('内蒙古自治区某某研究院');
  });
});
