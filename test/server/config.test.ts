import { describe, expect, it } from 'vitest';
import { parseTrustProxy } from '../../src/server/config.js';
import { fastifyTrustProxy, isInternalAddress } from '../../src/server/http/trust-proxy.js';

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

describe('a hop count believes internal proxies only', () => {
  it('trusts loopback and private peers as load balancers, never a public one', () => {
    const trust = fastifyTrustProxy(1) as (address: string, hop: number) => boolean;
    for (const peer of ['127.0.0.1', '::ffff:10.1.2.3', '172.20.0.5', '192.168.1.9', '::1', 'fd12::1'])
      expect(trust(peer, 0), peer).toBe(true);
    // A client that reaches the server directly: its own address is the client, whatever it wrote.
    for (const peer of ['203.0.113.9', '::ffff:198.51.100.7', '2001:db8::1']) expect(trust(peer, 0), peer).toBe(false);
    expect(trust('10.0.0.1', 1), 'one hop only').toBe(false);
    expect(isInternalAddress('not an address')).toBe(false);
  });
});
