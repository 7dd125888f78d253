/**
 * 办理进度: one application's timeline, oldest first — what happened, when (Beijing time), the
 * status it led to, and for staff who did it. The portal and the console both show it.
 */
import { shanghaiTime } from '../format';
import { Card, Tag, Timeline, Typography } from 'antd';

import type { TimelineEntry } from '../../../src/http/contract.ts';

export type { TimelineEntry };


export function TimelineCard({ entries, title = '办理进度' }: { entries: TimelineEntry[] | undefined; title?: string }) {
  return (
    <Card title={title} size="small" loading={entries === undefined}>
      <Timeline
        items={(entries ?? []).map((e) => ({
          key: e.id,
          color: e.statusLabel ? 'blue' : 'gray',
          children: (
            <div>
              <Typography.Text strong>{e.title}</Typography.Text>
              {e.statusLabel && (
                <Tag color="blue" style={{ marginLeft: 8 }}>
                  {e.statusLabel}
                </Tag>
              )}
              <div>
                <Typography.Text type="secondary">
                  {shanghaiTime(e.at)}
                  {e.actor ? ` · ${e.actor}` : ''}
                </Typography.Text>
              </div>
              {e.detail && <Typography.Paragraph style={{ margin: 0 }}>{e.detail}</Typography.Paragraph>}
            </div>
          ),
        }))}
      />
    </Card>
  );
}
