/** Texts of the applicant portal. Labels quoted by the user manual are kept word for word. */
import { common } from '../strings';

export const loginStrings = {
  title: common.platformName,
  subtitle: common.productName,
  intro: '首次办理单位证书及电子印章的用户，使用手机号码和短信验证码即可注册并登录，无需设置密码。',
  smsLogin: '免密码登录',
  phoneLabel: '手机号码',
  phonePlaceholder: '请输入手机号码',
  phoneRequired: '请输入手机号码',
  phoneInvalid: '请输入正确的手机号码',
  codeLabel: '验证码',
  codePlaceholder: '请输入验证码',
  codeRequired: '请输入验证码',
  codeInvalid: '请输入6位数字验证码',
  requestCode: '获取验证码',
  resendIn: (seconds: number) => `${seconds}秒后重新获取`,
  codeSent: '验证码已发送',
  submit: '注册/登录',
  newPhoneNote: '未注册的手机号码验证通过后将自动注册',
  back: '返回',
  devSmsHint: '开发模式：查看模拟短信',
} as const;

export const shellStrings = {
  menuCertificates: '数字证书申请',
  menuApplications: '单位证书及电子印章申请',
  openMenu: '打开菜单',
  logout: '退出',
} as const;

export const applicationsStrings = {
  title: '单位证书及电子印章申请',
  apply: '申请',
  columnNumber: '申请单号',
  columnOrganisation: '单位名称',
  columnProject: '所属项目',
  columnAmount: '金额',
  columnStatus: '状态',
  columnActions: '操作',
  empty: '暂无申请',
  yuan: (amount: string) => `${amount} 元`,
  view: '查看',
  resume: '继续填写',
  modify: '修改',
  pay: '支付',
  cancel: '取消',
  cancelConfirm: '确定取消该申请吗？',
  cancelOk: '确定',
  cancelKeep: '取消',
  cancelled: (number: string) => `申请${number}已取消`,
} as const;

/** 支付 (the manual's 支付 chapter): for now only the choice of method; payment itself comes next. */
export const paymentStrings = {
  title: '选择支付方式',
  order: (number: string, amount: string) => `申请单号：${number}　金额：${amount} 元`,
  method: '支付方式',
  bankTransfer: '银行汇款',
  wechat: '微信支付',
  confirm: '确认支付',
  cancel: '取消',
  comingSoon: '支付功能即将开放',
} as const;

/** After payment: 已邮寄 / 待自取, 确认收货, and the certificates and seal. */
export const deliveryStrings = {
  columnDelivery: '邮寄信息',
  tracking: (courier: string, number: string) => `${courier} 运单号：${number}`,
  pickupAt: (address: string) => `自取地址：${address}`,
  confirmReceipt: '确认收货',
  confirmReceiptPrompt: '确认已收到证书及电子印章？确认后订单将完成。',
  confirmOk: '确认收货',
  confirmKeep: '取消',
  received: (number: string) => `申请${number}已确认收货`,
  artefacts: '证书与印章',
  artefactsTitle: (number: string) => `证书与印章（申请单号：${number}）`,
  notYet: '证书和电子印章正在制作中，制作完成后可在此确认印章样式并下载。',
  sealTitle: '电子印章',
  sealPreviewAlt: '电子印章预览',
  approveSeal: '确认印章',
  approveSealPrompt: '确认印章样式无误？确认后将用于制作您的电子印章。',
  sealApproved: (at: string) => `已确认印章（${at}）`,
  downloadSeal: '下载电子印章',
  certificatesTitle: '数字证书',
  noCertificates: '证书尚未签发',
  downloadCertificate: '下载证书',
  validity: (from: string, to: string) => `有效期：${from} 至 ${to}`,
  close: '关闭',
} as const;
