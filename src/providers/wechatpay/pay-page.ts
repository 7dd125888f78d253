/**
 * The page that plays the payer's phone in demo mode: what WeChat shows after scanning a Native QR
 * code (merchant, description, amount, 确认支付), and the outcome. A plain form post, no scripts,
 * everything escaped; it exists only where the simulator is mounted.
 */
import { escapeHtml, renderDevPage } from '../../dev/html.ts';
import { formatYuan } from '../../domain/money.ts';

/** Where the simulator is usually mounted; the app passes its own prefix if it differs. */
export const DEFAULT_SIMULATOR_PREFIX = '/sim/wechatpay';

/** The page a tester (or a browser test) opens instead of scanning `codeUrl` with a phone. */
export function payPageUrl(codeUrl: string, prefix = DEFAULT_SIMULATOR_PREFIX): string {
  return `${prefix}/pay?code_url=${encodeURIComponent(codeUrl)}`;
}

export type PayPageView =
  | {
      kind: 'confirm';
      merchantName: string;
      description: string;
      amountFen: number;
      outTradeNo: string;
      codeUrl: string;
      /** Where the form posts: the pay page's own path. */
      action: string;
    }
  | { kind: 'paid'; merchantName: string; description: string; amountFen: number }
  | { kind: 'refused'; message: string };

const NOTE = '本页面仅在开发或演示模式下存在，扮演付款人的手机：由微信支付模拟器提供，不会真实扣款。';
const STYLES = [
  'main { max-width: 24rem; }',
  '.amount { font-size: 2rem; font-weight: 600; margin: 1rem 0; }',
  'button { background: #07c160; color: #fff; border: 0; border-radius: .3rem; font-size: 1.1rem; padding: .6rem 2rem; cursor: pointer; }',
  '.ok { color: #07c160; }',
  '.refused { color: #c0392b; }',
];

function frame(title: string, body: string): string {
  return renderDevPage({ title, note: NOTE, tableMargin: 'margin: 1rem 0', styles: STYLES, body: `<main>\n${body}\n</main>` });
}

function details(merchantName: string, description: string): string {
  return `<table>
<tbody>
<tr><th>收款方</th><td>${escapeHtml(merchantName)}</td></tr>
<tr><th>商品</th><td>${escapeHtml(description)}</td></tr>
</tbody>
</table>`;
}

export function renderPayPage(view: PayPageView): string {
  switch (view.kind) {
    case 'confirm':
      return frame(
        '微信支付',
        `<p class="amount" data-amount-fen="${view.amountFen}">¥${escapeHtml(formatYuan(view.amountFen))}</p>
${details(view.merchantName, view.description)}
<p>商户订单号：${escapeHtml(view.outTradeNo)}</p>
<form method="post" action="${escapeHtml(view.action)}">
<input type="hidden" name="code_url" value="${escapeHtml(view.codeUrl)}">
<button type="submit">确认支付</button>
</form>`,
      );
    case 'paid':
      return frame(
        '支付成功',
        `<p class="ok">支付成功</p>
<p class="amount">¥${escapeHtml(formatYuan(view.amountFen))}</p>
${details(view.merchantName, view.description)}
<p>可以关闭本页面，回到商户页面查看结果。</p>`,
      );
    case 'refused':
      return frame('无法支付', `<p class="refused">${escapeHtml(view.message)}</p>`);
  }
}
