import { describe, expect, it } from 'vitest';
import { ipBucket } from '../../../src/server/policy/ip-bucket.js';

describe('the address a per-IP limit counts under', () => {
  it('keeps IPv4 addresses as they are', () => {
    expect(ipBucket('203.0.113.7')).toBe('203.0.113.7');
  });
  it('counts an IPv6 address under its /64, however it is written', () => {
    const bucket = '2001:db8:5:7::/64';
    expect(ipBucket('2001:db8:5:7::1')).toBe(bucket);
    expect(ipBucket('2001:0DB8:0005:0007:ffff:ffff:ffff:ffff')).toBe(bucket);
    expect(ipBucket('2001:db8:5:7:1:2:3:4%eth0')).toBe(bucket);
    expect(ipBucket('2001:db8:5:8::1')).not.toBe(bucket);
    expect(ipBucket('::1')).toBe('0:0:0:0::/64');
    expect(ipBucket('2001:db8::')).toBe('2001:db8:0:0::/64');
  });
  it('counts IPv4-mapped IPv6 as the IPv4 address', () => {
    expect(ipBucket('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(ipBucket('::ffff:cb00:7107')).toBe('203.0.113.7');
    expect(ipBucket('0:0:0:0:0:ffff:cb00:7107')).toBe('203.0.113.7');
  });
  it('leaves anything else alone (it is only a key)', () => {
    expect(ipBucket('not-an-ip')).toBe('not-an-ip');
  });
});
