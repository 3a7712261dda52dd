import { describe, expect, it } from 'vitest';
import { parseTrustProxy } from '../../src/server/config.js';

describe('TRUST_PROXY', () => {
  it('is off, a hop count, or the proxies’ addresses; never the whole header', () => {
    expect(parseTrustProxy(undefined)).toBe(false);
    expect(parseTrustProxy('off')).toBe(false);
    expect(parseTrustProxy('true')).toBe(1);
    expect(parseTrustProxy('2')).toBe(2);
    expect(parseTrustProxy('10.0.0.0/8, 192.168.1.1,fd00::/8')).toEqual(['10.0.0.0/8', '192.168.1.1', 'fd00::/8']);
  });

  it('refuses what it does not understand, naming it', () => {
    expect(() => parseTrustProxy('everything')).toThrow(/not understood: everything/);
    expect(() => parseTrustProxy('10.0.0.0/8, proxy.example')).toThrow(/proxy\.example/);
  });
});
