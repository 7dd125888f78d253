import type { ThemeConfig } from 'antd';

/** People who asked their system for less motion get no opening and closing animations. */
const reducedMotion = typeof window !== 'undefined' && window.matchMedia?.('(prefers-reduced-motion: reduce)').matches === true;

/**
 * Colours that keep text readable (WCAG 2.1 AA, 4.5:1 for normal text, checked by axe in
 * test/e2e/pages-phone-a11y.test.ts): antd's defaults put white on #1677ff (4.1:1), secondary text
 * at 45 % black (3.4:1), warning and success text at 2.9 and 3.5:1. The primary blue is antd's
 * blue-7 (white on it 6.2:1, on its light tint 5.5:1); secondary text and placeholders are darker
 * greys; the status texts are the darker shades of antd's palettes.
 */
const contrast = {
  colorPrimary: '#0958d9',
  colorInfo: '#0958d9',
  colorLink: '#0958d9',
  colorError: '#cf1322',
  colorWarningText: '#ad4e00',
  colorSuccessText: '#237804',
  colorTextTertiary: 'rgba(0, 0, 0, 0.6)',
  colorTextDescription: 'rgba(0, 0, 0, 0.6)',
  colorTextPlaceholder: 'rgba(0, 0, 0, 0.56)',
};

/**
 * Tags write their text in the 7th shade of their colour on the 1st (cyan 3.4:1, green 3.4:1,
 * orange 3.3:1, gold 2.8:1) and a status tag in the status colour on its tint (success 2.2:1): in
 * tags only, the shades that reach 4.5:1.
 */
const tagContrast = {
  volcano7: '#ad2102',
  orange7: '#ad4e00',
  gold7: '#874d00',
  yellow7: '#876800',
  lime7: '#3f6600',
  green7: '#237804',
  cyan7: '#006d75',
  colorSuccess: '#237804',
  colorWarning: '#ad4e00',
};

// Fonts that carry Simplified Chinese on Windows, macOS and Linux, before the Latin fallbacks.
export const theme: ThemeConfig = {
  token: {
    motion: !reducedMotion,
    ...contrast,
    borderRadius: 6,
    fontFamily:
      '-apple-system, BlinkMacSystemFont, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  },
  components: { Tag: tagContrast },
};
