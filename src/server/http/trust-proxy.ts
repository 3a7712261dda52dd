import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { TrustProxy } from '../config.js';

/** Where load balancers live: loopback (a sidecar proxy) and the private ranges (RFC 1918, RFC 4193, link-local). */
const internal = new BlockList();
internal.addSubnet('127.0.0.0', 8, 'ipv4');
internal.addSubnet('10.0.0.0', 8, 'ipv4');
internal.addSubnet('172.16.0.0', 12, 'ipv4');
internal.addSubnet('192.168.0.0', 16, 'ipv4');
internal.addSubnet('169.254.0.0', 16, 'ipv4');
internal.addAddress('::1', 'ipv6');
internal.addSubnet('fc00::', 7, 'ipv6');
internal.addSubnet('fe80::', 10, 'ipv6');

export function isInternalAddress(address: string): boolean {
  const plain = address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : address;
  if (isIPv4(plain)) return internal.check(plain, 'ipv4');
  return isIPv6(plain) && internal.check(plain, 'ipv6');
}

/**
 * TRUST_PROXY as Fastify takes it. A hop count n means: the first n addresses from the socket
 * outward are our load balancers, provided each is an internal address. Fastify itself refuses a
 * bare number because a hop count alone cannot tell that the peer is a load balancer: a client that
 * reaches the server directly from outside would have its forged X-Forwarded-For believed. Here such
 * a client's own (public) address ends the chain, so it is the client IP.
 */
export function fastifyTrustProxy(trust: TrustProxy): boolean | string[] | ((address: string, hop: number) => boolean) {
  return typeof trust === 'number' ? (address, hop) => hop < trust && isInternalAddress(address) : trust;
}
