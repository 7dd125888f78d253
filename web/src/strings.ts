/** Texts shared by every area of the web front-end (portal now, staff console later). */
export const common = {
  platformName: '数字证书在线受理平台',
  productName: 'CertDesk',
  customerService: '客服电话：0471-962366',
  loading: '正在加载…',
  networkError: '网络连接失败，请检查网络后重试',
  serverError: '系统繁忙，请稍后再试',
  /** A server failure's message with the id support looks the request up by. */
  withRequestId: (message: string, requestId: string) => `${message}（报错编号：${requestId}）`,
  notFoundTitle: '页面不存在',
  notFoundSubtitle: '您访问的页面不存在或已被移除',
  backHome: '返回首页',
  loadFailedTitle: '页面加载失败',
  retry: '重试',
} as const;
