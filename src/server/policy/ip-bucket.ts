import { isIPv4, isIPv6 } from 'node:net';

/**
 * The address a per-IP limit counts under. IPv4: the address. IPv6: its /64, the smallest block a
 * subscriber is given (RFC 6177), so one client cannot step through 2^64 addresses to reset a
 * limit; IPv4-mapped IPv6 (::ffff:192.0.2.1) counts as the IPv4 address it is.
 */
export function ipBucket(ip: string): string {
  if (isIPv4(ip)) return ip;
  if (!isIPv6(ip)) return ip;
  const groups = expandIpv6(ip);
  // IPv4-mapped, however it is spelt (::ffff:192.0.2.1, ::ffff:c000:201, 0:0:0:0:0:ffff:...).
  if (groups.slice(0, 5).every((g) => g === '0') && groups[5] === 'ffff') {
    const [high, low] = [Number.parseInt(groups[6]!, 16), Number.parseInt(groups[7]!, 16)];
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  return `${groups.slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, lower-case hex without leading zeros (a zone id dropped). */
function expandIpv6(ip: string): string[] {
  const address = ip.split('%')[0]!.toLowerCase();
  const [head, tail] = address.includes('::') ? address.split('::') : [address, undefined];
  const parse = (part: string | undefined) =>
    (part ? part.split(':') : []).flatMap((group) => (group.includes('.') ? ipv4Groups(group) : [group]));
  const left = parse(head);
  const right = parse(tail);
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.map((group) => Number.parseInt(group, 16).toString(16));
}

/** An embedded dotted quad (::ffff:1.2.3.4, 64:ff9b::1.2.3.4) as its two hex groups. */
function ipv4Groups(quad: string): string[] {
  const [a, b, c, d] = quad.split('.').map(Number) as [number, number, number, number];
  return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
}
