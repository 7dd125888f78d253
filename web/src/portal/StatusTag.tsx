/** An application's status as a coloured tag (草稿, 待审核, 已取消 …), the label as the server words it. */
import { Tag } from 'antd';

const colours: Record<string, string> = {
  draft: 'default',
  pending_review: 'processing',
  needs_changes: 'warning',
  approved: 'cyan',
  awaiting_confirmation: 'gold',
  paid: 'blue',
  in_production: 'geekblue',
  shipped: 'purple',
  awaiting_pickup: 'purple',
  completed: 'success',
  cancelled: 'error',
  refunded: 'magenta',
};

export function StatusTag({ status, label }: { status: string; label: string }) {
  return <Tag color={colours[status] ?? 'default'}>{label}</Tag>;
}
