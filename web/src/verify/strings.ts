/** What the public verification page says. */
export const verifyText = {
  title: '证书与电子印章验证',
  intro: '上传数字证书、电子印章文件或签名的 PDF 文档，或输入证书序列号，查询是否由本机构签发以及当前状态。',
  fileTab: '上传文件',
  serialTab: '按序列号查询',
  chooseFile: '选择文件',
  fileHint: '支持证书（.cer、.crt、.pem）、电子印章（.esl）和签名 PDF，最大 10MB',
  tooLarge: '文件过大：可验证的文件最大为 10MB',
  serialLabel: '证书序列号',
  serialPlaceholder: '十六进制，例如 3A5F09C1…',
  serialRequired: '请输入证书序列号',
  query: '查询',
  verifying: '正在验证…',
  reasons: '说明',
  signature: (n: number) => `第 ${n} 个签名`,
  kind: '验证对象',
  serverError: '系统繁忙，请稍后再试',
} as const;
