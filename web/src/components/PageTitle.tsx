/**
 * A page's one <h1> (screen readers list and jump by it), drawn at the size the page's title had:
 * antd sizes headings by level, the pages want a modest title — 20 px in the frames, larger on the
 * login and verification pages that stand alone.
 */
import { Typography } from 'antd';
import type { CSSProperties, ReactNode } from 'react';

export function PageTitle({ children, size = 20, style, className }: { children: ReactNode; size?: number; style?: CSSProperties; className?: string }) {
  return (
    <Typography.Title level={1} className={className} style={{ fontSize: size, lineHeight: 1.4, ...style }}>
      {children}
    </Typography.Title>
  );
}
