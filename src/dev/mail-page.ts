/**
 * The /dev/mail pages: the mails the mail simulator received, newest first, and one mail opened —
 * its headers, its plain text, its HTML in a sandboxed frame (no scripts, no same origin, no
 * requests: the HTML of a mail is someone else's markup) and its attachments to download.
 */
import { escapeHtml, renderDevPage, shanghaiTime } from './html.ts';
import type { ReceivedMailSummary, StoredMail } from '../providers/mail/simulator.ts';

export const DEV_MAIL_PATH = '/dev/mail';

const NOTE = '本页面仅在开发或演示模式下存在：邮件并未真正发出，而是由邮件模拟器（本机 SMTP 服务）收下并显示在这里。';

export const mailUrl = (id: string): string => `${DEV_MAIL_PATH}/${encodeURIComponent(id)}`;
export const mailHtmlUrl = (id: string): string => `${mailUrl(id)}/html`;
export const mailRawUrl = (id: string): string => `${mailUrl(id)}/raw`;
export const attachmentUrl = (id: string, index: number): string => `${mailUrl(id)}/attachments/${index}`;

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} 字节`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The list, newest first; each row opens the mail. */
export function renderMailListHtml(mails: ReceivedMailSummary[], smtpPort: number | undefined): string {
  const rows =
    mails.length === 0
      ? '<tr><td colspan="4" class="empty">暂无邮件</td></tr>'
      : mails
          .map((mail) => {
            const to = mail.to || mail.envelopeTo.join(', ');
            const attachments = mail.attachments.length === 0 ? '—' : mail.attachments.map((a) => escapeHtml(a.filename)).join('<br>');
            return (
              `<tr data-mail-id="${escapeHtml(mail.id)}"><td>${escapeHtml(shanghaiTime(mail.receivedAt))}</td>` +
              `<td>${escapeHtml(to)}</td>` +
              `<td><a href="${escapeHtml(mailUrl(mail.id))}">${escapeHtml(mail.subject || '（无主题）')}</a></td>` +
              `<td>${attachments}</td></tr>`
            );
          })
          .join('\n');
  const where = smtpPort === undefined ? '' : `<p>本实例的邮件模拟器监听 127.0.0.1:${smtpPort}（SMTP，需 AUTH 登录）。</p>\n`;
  return renderDevPage({
    title: '模拟邮件收件箱',
    note: `${NOTE}页面每 5 秒自动刷新。`,
    refreshSeconds: 5,
    tableMargin: 'margin-top: 1rem',
    styles: ['td:first-child { white-space: nowrap; }', '.empty { color: #888; text-align: center; }'],
    body: `${where}<table>
<thead><tr><th>时间</th><th>收件人</th><th>主题</th><th>附件</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`,
  });
}

/** One mail opened. */
export function renderMailHtml(mail: StoredMail): string {
  const header = (label: string, value: string) => `<tr><th>${label}</th><td>${escapeHtml(value)}</td></tr>`;
  const attachments =
    mail.attachments.length === 0
      ? '<p class="empty">无附件</p>'
      : `<ul class="attachments">\n${mail.attachments
          .map(
            (a, i) =>
              `<li><a href="${escapeHtml(attachmentUrl(mail.id, i))}" download="${escapeHtml(a.filename)}">${escapeHtml(a.filename || `附件 ${i + 1}`)}</a>` +
              `（${escapeHtml(a.contentType)}，${size(a.size)}）</li>`,
          )
          .join('\n')}\n</ul>`;
  const html =
    mail.html === undefined
      ? '<p class="empty">此邮件没有 HTML 正文</p>'
      : // sandbox="" : no scripts, no forms, no popups, an opaque origin; the frame's own CSP forbids any request.
        `<iframe class="html" sandbox="" referrerpolicy="no-referrer" title="HTML 正文" src="${escapeHtml(mailHtmlUrl(mail.id))}"></iframe>`;
  return renderDevPage({
    title: mail.subject || '（无主题）',
    note: NOTE,
    tableMargin: 'margin-top: 1rem',
    styles: [
      'th { width: 8rem; white-space: nowrap; }',
      'pre { white-space: pre-wrap; word-break: break-word; background: #fafafa; border: 1px solid #ddd; padding: .75rem; }',
      'iframe.html { width: 100%; height: 32rem; border: 1px solid #ddd; background: #fff; }',
      '.empty { color: #888; }',
      'h2 { font-size: 1.1rem; margin-top: 1.5rem; }',
    ],
    body: `<p><a href="${DEV_MAIL_PATH}">← 返回收件箱</a></p>
<table>
<tbody>
${header('接收时间', shanghaiTime(mail.receivedAt))}
${header('发件人', mail.from || mail.envelopeFrom)}
${header('收件人', mail.to)}
${header('信封收件人', mail.envelopeTo.join(', '))}
${header('主题', mail.subject)}
${header('Message-ID', mail.messageId)}
${header('传输加密', mail.secured ? '是（STARTTLS）' : '否（本机回环，未加密）')}
</tbody>
</table>
<h2>附件</h2>
${attachments}
<h2>纯文本正文</h2>
<pre>${escapeHtml(mail.text)}</pre>
<h2>HTML 正文</h2>
${html}
<p><a href="${escapeHtml(mailRawUrl(mail.id))}" download>下载原始邮件（.eml）</a></p>`,
  });
}

export function renderMailNotFoundHtml(): string {
  return renderDevPage({
    title: '邮件不存在',
    note: NOTE,
    tableMargin: 'margin-top: 1rem',
    styles: [],
    body: `<p>没有找到这封邮件：模拟器只保留最近收到的邮件。<a href="${DEV_MAIL_PATH}">返回收件箱</a></p>`,
  });
}
