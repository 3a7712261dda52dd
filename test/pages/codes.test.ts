import { describe, expect, it } from 'vitest';
import { groupsOfFour, normaliseCode, sixDigits, svgDataUrl } from '../../src/pages/common/codes.js';

/** The end-user pages' reading of typed codes and their display of keys (src/pages/common/codes.ts). */
describe('codes as people type them', () => {
  it.each([
    ['123456', '123456'],
    ['123 456', '123456'],
    ['123-456', '123456'],
    [' 123 456 ', '123456'],
    ['123\u2013456', '123456'],
    ['123\u2212456', '123456'],
    ['123\u00a0456', '123456'],
    ['1 2 3 4 5 6\n', '123456'],
  ])('normaliseCode(%j) is %j', (typed, code) => {
    expect(normaliseCode(typed)).toBe(code);
  });

  it('sixDigits reads six digits however separated, and nothing else', () => {
    expect(sixDigits('123 456')).toBe('123456');
    expect(sixDigits('123-456')).toBe('123456');
    for (const typed of ['', '12345', '1234567', '12a456', 'abc-def']) expect(sixDigits(typed)).toBeNull();
  });

  it('groupsOfFour shows a base32 key for typing by hand', () => {
    expect(groupsOfFour('JBSWY3DPEHPK3PXP')).toBe('JBSW Y3DP EHPK 3PXP');
    expect(groupsOfFour('JBSWY3DPEHPK3PXPQ')).toBe('JBSW Y3DP EHPK 3PXP Q');
    expect(groupsOfFour('JBSW Y3DP\tEHPK')).toBe('JBSW Y3DP EHPK');
    expect(groupsOfFour('')).toBe('');
  });

  it('svgDataUrl makes an image the strict policy allows (img-src data:), UTF-8 intact', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><title>Ærø</title></svg>';
    const url = svgDataUrl(svg);
    expect(url).toMatch(/^data:image\/svg\+xml;base64,[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(url.split(',')[1]!, 'base64').toString('utf8')).toBe(svg);
  });
});
