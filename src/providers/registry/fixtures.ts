/**
 * The invented registry the simulator answers from: organisations of Inner Mongolia (codes 15xxxx)
 * and people, the same on every start so testers and tests can rely on them. Every credit code and
 * ID number is built here with the check characters of src/domain/codes.ts, so it passes the
 * platform's own validation; none of them is meant to belong to anyone real.
 * There is deliberately no 事业单位: the enterprise register does not hold them, and a "not found"
 * is how the platform recognises one (see exampleUnlistedInstitution).
 */
import { idCheckCharacter, organisationCodeCheck, usccCheckCharacter } from '../../domain/codes.ts';
import type { Isp } from './cloudauth-protocol.ts';
import type { BusinessStatus } from './types.ts';

export interface RegisteredOrganisation {
  name: string;
  uscc: string;
  /** 法定代表人, or 经营者 for a 个体工商户. */
  legalRepresentative: string;
  kind: 'enterprise' | 'individualBusiness';
  status: BusinessStatus;
  /** 成立日期, YYYY-MM-DD. */
  established: string;
}

export interface RegisteredPerson {
  name: string;
  idNumber: string;
  phone: string;
  isp: Isp;
}

export interface RegistryFixtures {
  organisations: readonly RegisteredOrganisation[];
  persons: readonly RegisteredPerson[];
}

/**
 * GB 32100: registration authority and type (91 enterprise, 92 个体工商户, 12 事业单位), the
 * 6-digit region, the 8-character organisation-code body; both check characters are computed.
 */
export function buildUscc(authorityAndType: string, region: string, organisationBody: string): string {
  if (!/^[0-9A-Y]{2}$/.test(authorityAndType) || !/^\d{6}$/.test(region) || organisationBody.length !== 8) {
    throw new Error(`not a credit code layout: ${authorityAndType} ${region} ${organisationBody}`);
  }
  const first17 = `${authorityAndType}${region}${organisationBody}${organisationCodeCheck(organisationBody)}`;
  return `${first17}${usccCheckCharacter(first17)}`;
}

/** GB 11643: region, birth date YYYYMMDD, 3-digit sequence (odd for men, even for women), check. */
export function buildIdNumber(region: string, birthDate: string, sequence: string): string {
  const first17 = `${region}${birthDate}${sequence}`;
  if (!/^\d{17}$/.test(first17)) throw new Error(`not an ID number layout: ${region} ${birthDate} ${sequence}`);
  return `${first17}${idCheckCharacter(first17)}`;
}

/** Carrier by number segment (MIIT allocation), for the segments the fixtures use and their neighbours. */
const ISP_BY_SEGMENT: ReadonlyArray<readonly [Isp, readonly string[]]> = [
  ['CMCC', ['134', '135', '136', '137', '138', '139', '147', '150', '151', '152', '157', '158', '159', '178', '182', '183', '184', '187', '188', '198']],
  ['CUCC', ['130', '131', '132', '145', '155', '156', '166', '175', '176', '185', '186', '196']],
  ['CTCC', ['133', '149', '153', '173', '177', '180', '181', '189', '190', '191', '193', '199']],
];

function ispOf(phone: string): Isp {
  const segment = phone.slice(0, 3);
  const found = ISP_BY_SEGMENT.find(([, segments]) => segments.includes(segment));
  if (!found) throw new Error(`no carrier for segment ${segment}`);
  return found[0];
}

type OrganisationRow = readonly [
  name: string,
  authorityAndType: '91' | '92',
  region: string,
  organisationBody: string,
  legalRepresentative: string,
  established: string,
  status?: BusinessStatus,
];

// Bodies starting MA are the post-2015 pattern of market-regulation codes; all-digit ones are older.
const ORGANISATIONS: readonly OrganisationRow[] = [
  ['内蒙古草原云数据科技有限公司', '91', '150105', 'MA0N2K7P', '巴特尔', '2017-03-15'],
  ['呼和浩特市青城软件开发有限公司', '91', '150102', 'MA0MX3LQ', '王建国', '2016-08-02'],
  ['包头市鹿城稀土新材料有限公司', '91', '150203', '70148326', '刘志强', '2003-05-20'],
  ['鄂尔多斯市康巴什智慧能源有限责任公司', '91', '150603', 'MA0Q4R8T', '乌云其木格', '2019-11-11'],
  ['赤峰市红山区玉龙商贸有限公司', '91', '150402', 'MA0PC6W1', '陈丽华', '2018-04-09'],
  ['通辽市科尔沁牧业发展有限公司', '91', '150502', '69585213', '孟和', '2009-07-01'],
  ['呼伦贝尔市海拉尔区雪原旅游服务有限公司', '91', '150702', 'MA0R7D2U', '李春燕', '2020-06-18'],
  ['满洲里市口岸国际物流有限公司', '91', '150781', '75669084', '张宏伟', '2004-09-27'],
  ['巴彦淖尔市河套农产品加工有限公司', '91', '150802', 'MA0NF5H9', '赵永刚', '2016-12-05'],
  ['乌兰察布市集宁区察哈尔建筑工程有限公司', '91', '150902', 'MA0PJ1X4', '高俊峰', '2018-01-22'],
  ['锡林浩特市锡林郭勒草原乳业有限公司', '91', '152502', '68001957', '那仁格日勒', '2008-03-14'],
  ['乌海市海勃湾区黄河化工设备有限公司', '91', '150302', 'MA0QL2B6', '孙海涛', '2019-05-30'],
  ['阿拉善左旗贺兰山生态科技有限公司', '91', '152921', 'MA0RW8E3', '马晓东', '2021-02-24'],
  ['乌兰浩特市绿野农业科技有限公司', '91', '152201', 'MA0NU4G7', '吴金花', '2017-10-16'],
  ['内蒙古北疆信息安全技术股份有限公司', '91', '150105', 'MA0MY9K2', '杨振华', '2015-12-28'],
  ['内蒙古塞北智能电力工程有限公司', '91', '150104', '71829463', '郭晓明', '2005-08-08'],
  ['呼和浩特市回民区昭君文化传媒有限公司', '91', '150103', 'MA0PT3A8', '白玉兰', '2018-07-03'],
  ['包头市九原区钢城机械制造有限公司', '91', '150207', '74388126', '周建军', '2002-11-19'],
  ['包头市青山区北方云端网络科技有限公司', '91', '150204', 'MA0QB7N5', '田雨', '2019-09-09'],
  ['鄂尔多斯市东胜区羊绒服饰有限公司', '91', '150602', '66734015', '苏日娜', '2007-04-12'],
  ['伊金霍洛旗草原之星煤炭运销有限公司', '91', '150627', 'MA0N8C4D', '韩志刚', '2016-03-01'],
  ['土默特左旗敕勒川现代农业发展有限公司', '91', '150121', 'MA0RH6P2', '云志勇', '2020-10-20'],
  ['赤峰市松山区红山酒业有限公司', '91', '150404', '72613548', '冯国庆', '2001-06-06'],
  ['内蒙古阴山数字服务有限公司', '91', '150105', 'MA0QX1M9', '许文静', '2019-12-02'],
  ['呼和浩特市大青山会计师事务所有限公司', '91', '150105', 'MA0PK5R3', '何丽娟', '2018-03-27'],
  ['内蒙古驼铃供应链管理有限公司', '91', '150102', 'MA0RA2T7', '额尔敦', '2020-08-14'],
  ['呼和浩特市赛罕区小李电脑维修部', '92', '150105', 'MA0PW3Y6', '李明', '2018-05-15'],
  ['呼和浩特市新城区草原人家奶茶馆', '92', '150102', 'MA0QF8U1', '斯琴', '2019-07-07'],
  ['包头市东河区金鹿贸易有限公司', '91', '150202', 'MA0MT4E8', '钱伟', '2015-11-03', 'revoked'],
  ['呼和浩特市玉泉区旧城广告有限公司', '91', '150104', '67802346', '罗平', '2006-02-16', 'deregistered'],
];

type PersonRow = readonly [name: string, region: string, birthDate: string, sequence: string, phone: string];

// The first three are the legal representatives of the first fixture companies, so a tester can
// apply as a legal representative who is also the operator.
const PERSONS: readonly PersonRow[] = [
  ['巴特尔', '150105', '19820315', '421', '13904711234'],
  ['王建国', '150102', '19750608', '123', '13847102345'],
  ['乌云其木格', '150602', '19880921', '284', '15804773456'],
  ['李娜', '150104', '19920214', '026', '18647104567'],
  ['刘洋', '150203', '19900730', '511', '15548725678'],
  ['张静', '150102', '19950103', '042', '13354716789'],
  ['赵磊', '150207', '19870419', '317', '18947127890'],
  ['陈晨', '150402', '19960811', '228', '15604768901'],
  ['孟根', '150502', '19800126', '159', '13644759012'],
  ['高雅琴', '150902', '19910905', '064', '17747410123'],
  ['其其格', '152502', '19930317', '086', '15247921234'],
  ['孙鹏', '150302', '19850622', '273', '18904732345'],
  ['马丽', '152921', '19891128', '148', '13224833456'],
  ['吴桐', '152201', '19970409', '335', '19904824567'],
  ['杨帆', '150105', '19940718', '193', '13514715678'],
  ['郭敏', '150103', '19860530', '226', '18504716789'],
  ['周宇', '150204', '19981012', '071', '15334727890'],
  ['苏和', '150627', '19780301', '393', '13789478901'],
  ['何佳', '150121', '20000219', '108', '19847109012'],
  ['娜仁花', '150702', '19840807', '262', '18247000123'],
];

function buildFixtures(): RegistryFixtures {
  const organisations = ORGANISATIONS.map(
    ([name, authorityAndType, region, body, legalRepresentative, established, status]): RegisteredOrganisation => ({
      name,
      uscc: buildUscc(authorityAndType, region, body),
      legalRepresentative,
      kind: authorityAndType === '92' ? 'individualBusiness' : 'enterprise',
      status: status ?? 'operating',
      established,
    }),
  );
  const persons = PERSONS.map(
    ([name, region, birthDate, sequence, phone]): RegisteredPerson => ({
      name,
      idNumber: buildIdNumber(region, birthDate, sequence),
      phone,
      isp: ispOf(phone),
    }),
  );
  return { organisations, persons };
}

/** The registry the simulator serves by default and /dev/registry lists. */
export const registryFixtures: RegistryFixtures = buildFixtures();

export interface UnlistedInstitution {
  name: string;
  uscc: string;
  legalRepresentative: string;
}

/**
 * A made-up 事业单位 for testers: a credit code with valid check characters (12 = registered by
 * 机构编制, type 事业单位; region 150000 = 自治区本级) that no fixture holds, so the registry answers
 * 企业不存在 and the application continues on the 事业单位 path.
 */
export function exampleUnlistedInstitution(): UnlistedInstitution {
  return { name: '内蒙古自治区某某研究院', uscc: buildUscc('12', '150000', '46001234'), legalRepresentative: '赵文博' };
}
