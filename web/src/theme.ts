import type { ThemeConfig } from 'antd';

// Fonts that carry Simplified Chinese on Windows, macOS and Linux, before the Latin fallbacks.
export const theme: ThemeConfig = {
  token: {
    colorPrimary: '#1677ff',
    borderRadius: 6,
    fontFamily:
      '-apple-system, BlinkMacSystemFont, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  },
};
