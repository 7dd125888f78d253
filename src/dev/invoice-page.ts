/**
 * /dev/invoices: what the e-invoice simulator was asked for, newest first — status, number, buyer,
 * amounts and a link to the invoice's PDF — so a tester can see an invoice without an inbox.
 */
import type { FastifyPluginAsync } from 'fastify';
import { yuanText } from '../domain/invoice-amounts.ts';
import { invoiceKindLabels } from '../domain/invoice-buyer.ts';
import type { NuonuoSimControls, SimulatedInvoice } from '../providers/einvoice/simulator.ts';
import { escapeHtml, renderDevPage, shanghaiTime } from './html.ts';

const statusLabels: Record<string, string> = { '20': '开票中', '2': '开票完成', '22': '开票失败', '24': '签章失败' };

function row(i: SimulatedInvoice, prefix: string): string {
  const file = i.fileToken ? `<a href="${escapeHtml(`${prefix}/files/${i.fileToken}.pdf`)}">PDF</a>` : '—';
  return `<tr><td>${escapeHtml(shanghaiTime(i.issuedAt ?? i.acceptedAt))}</td><td>${i.red ? '红字' : '蓝字'}${escapeHtml(invoiceKindLabels[i.kind])}</td><td>${escapeHtml(statusLabels[i.status] ?? i.status)}${i.failCause ? `：${escapeHtml(i.failCause)}` : ''}</td><td>${escapeHtml(i.number ?? '—')}</td><td>${escapeHtml(i.buyer.name)}<br>${escapeHtml(i.buyer.taxNumber)}</td><td>${escapeHtml(yuanText(i.amounts.amountFen))}</td><td>${escapeHtml(yuanText(i.amounts.taxFen))}</td><td>${escapeHtml(yuanText(i.amounts.totalFen))}</td><td>${escapeHtml(i.orderNo)}</td><td>${file}</td></tr>`;
}

// `simulatorPrefix`, not `prefix`: Fastify would take that as the routes' own prefix.
export const devInvoiceRoutes: FastifyPluginAsync<{ controls: NuonuoSimControls; simulatorPrefix: string }> = async (app, { controls, simulatorPrefix: prefix }) => {
  app.get('/dev/invoices', { schema: { hide: true } }, async (_request, reply) => {
    const invoices = controls.invoices();
    const body =
      invoices.length === 0
        ? '<p>开票平台模拟器尚未收到开票请求。</p>'
        : `<table><thead><tr><th>时间</th><th>发票</th><th>状态</th><th>发票号码</th><th>购买方</th><th>金额</th><th>税额</th><th>价税合计</th><th>订单号</th><th>文件</th></tr></thead><tbody>${invoices.map((i) => row(i, prefix)).join('')}</tbody></table>`;
    const html = renderDevPage({
      title: '电子发票（模拟开票平台）',
      note: '这里列出模拟的诺诺开放平台收到的开票请求（仅演示与测试环境，重启后清空）；真实环境中发票由开票平台开具。',
      refreshSeconds: 10,
      tableMargin: 'margin-top: 1rem',
      styles: [],
      body,
    });
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
  });
};
