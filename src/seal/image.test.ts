import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { renderSealPng, sealPixels, sealSvg } from './image.ts';

describe('seal picture', () => {
  it('is a transparent PNG of 40 mm at 300 dpi with red ink in the ring', async () => {
    const png = renderSealPng({ name: '北京市海淀区示例科技有限公司', code: '1101080012345' });
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect(sealPixels).toBe(472);
    expect([info.width, info.height, info.channels]).toEqual([472, 472, 4]);
    const pixel = (x: number, y: number) => Array.from(data.subarray((y * info.width + x) * 4, (y * info.width + x) * 4 + 4));
    expect(pixel(0, 0)[3]).toBe(0); // corner: transparent
    expect(pixel(236, 236)[3]).toBe(255); // centre: inside the star
    const [r, g, b] = pixel(236, 236);
    expect(r).toBeGreaterThan(200);
    expect(g).toBeLessThan(40);
    expect(b).toBeLessThan(60);
    const ring = pixel(236, 10); // top of the ring
    expect(ring[3]).toBe(255);
  });

  it('writes names as text, never as markup', () => {
    const svg = sealSvg({ name: '<script>alert(1)</script>&公司', purpose: '"专用"&' });
    expect(svg).not.toContain('<script');
    expect(svg).toContain('&#60;');
    expect(svg).toContain('&#38;');
    expect(svg).toContain('&#34;专用&#34;&#38;');
    expect(() => renderSealPng({ name: 'A&B<C>有限公司' })).not.toThrow();
  });

  it('fits names from 2 to 40 characters inside the ring, smaller type for longer names', () => {
    const size = (name: string) =>
      Math.max(...[...sealSvg({ name }).matchAll(/font-size="([\d.]+)"[^>]*>[^<]*<\/text>/g)].slice(0, -1).map((m) => Number(m[1])));
    const two = size('华为');
    const forty = size('测'.repeat(40));
    expect(two).toBeGreaterThan(forty);
    expect(forty).toBeGreaterThan(12);
    for (const n of [2, 5, 14, 25, 40]) expect(() => renderSealPng({ name: '字'.repeat(n), sizePx: 120 })).not.toThrow();
  });

  it('refuses to draw without any of its fonts rather than drawing empty boxes', () => {
    expect(() => renderSealPng({ name: '示例公司', fontFiles: ['/nonexistent/DejaVuSans-Bold.ttf'] })).toThrow('印章字体缺失');
  });

  it('refuses names it cannot draw', () => {
    expect(() => sealSvg({ name: '章' })).toThrow('至少需要 2 个字');
    expect(() => sealSvg({ name: '字'.repeat(61) })).toThrow('过长');
    expect(() => sealSvg({ name: '公司名称', color: 'red;stroke:url(x)' })).toThrow('颜色');
  });
});
