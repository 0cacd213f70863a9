/**
 * TRUST_PROXY: whose X-Forwarded-For to believe. Either a hop count (how many proxies stand in
 * front of us, whoever is talking) or, safer, the proxies' addresses: a comma list of
 * addresses, CIDR ranges and the shorthands `loopback`, `linklocal` and `private` (the names
 * Express's `trust proxy` uses; `uniquelocal` is `private`'s alias there). By address, a client
 * that reaches the server directly gets no say in its own address, whatever it writes.
 */
import { isIP } from 'node:net';

import ipaddr from 'ipaddr.js';

export type IPv6 = ipaddr.IPv6;
export type Address = ipaddr.IPv4 | IPv6;

/** The proxies trusted by address. */
export interface TrustedProxies {
  trusts(address: Address): boolean;
  /** TRUST_PROXY as written, for the start-up log. */
  toJSON(): string;
}

/** A hop count (0: X-Forwarded-For is ignored) or the proxies' addresses. */
export type TrustProxy = number | TrustedProxies;

const SHORTHANDS: Record<string, string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  private: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/** The most proxies a hop count may name: more is a typo, not a network. */
export const MAX_HOPS = 16;

const ACCEPTS = `TRUST_PROXY must be a whole number from 0 to ${MAX_HOPS} (the proxies in front) or a comma list of addresses, CIDR ranges, loopback, linklocal and private (the proxies' addresses), such as "10.0.0.0/8,fd00::/8"`;

export function parseTrustProxy(raw: string): TrustProxy {
  const text = raw.trim();
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    if (hops > MAX_HOPS) throw new Error(`${ACCEPTS}, got "${raw}"`);
    return hops;
  }
  const ranges: [Address, number][] = [];
  for (const entry of text.split(',').map((part) => part.trim())) {
    for (const range of SHORTHANDS[entry.toLowerCase()] ?? [entry]) {
      const parsed = parseRange(range);
      if (!parsed) {
        throw new Error(`${ACCEPTS}; "${entry}" is neither`);
      }
      ranges.push(parsed);
    }
  }
  return {
    trusts: (address) => ranges.some(([base, bits]) => base.kind() === address.kind() && address.match(base, bits)),
    toJSON: () => text,
  };
}

function parseRange(text: string): [Address, number] | undefined {
  const [address = '', bits, ...rest] = text.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return undefined;
  const max = family === 4 ? 32 : 128;
  if (bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= max)) return undefined;
  const base = ipaddr.parse(address);
  // An IPv4-mapped range (::ffff:10.0.0.0/104) is the IPv4 range it maps, like the peers it matches.
  if (
    base.kind() === 'ipv6' &&
    (base as ipaddr.IPv6).isIPv4MappedAddress() &&
    (bits === undefined || Number(bits) >= 96)
  ) {
    return [(base as ipaddr.IPv6).toIPv4Address(), bits === undefined ? 32 : Number(bits) - 96];
  }
  return [base, bits === undefined ? max : Number(bits)];
}

/**
 * A valid IP address (IPv4 in dotted decimal, or IPv6), IPv4-mapped IPv6 as the IPv4 address
 * it is, so one client has one form; anything else (a name, a port, junk) is undefined.
 */
export function parseAddress(text: string): Address | undefined {
  if (isIP(text) === 0) return undefined;
  return ipaddr.process(text);
}

/** The /64 an IPv6 address lies in, as text (2001:db8:1:2::). */
export function network64(address: IPv6): string {
  return new ipaddr.IPv6(address.parts.map((part, index) => (index < 4 ? part : 0))).toString();
}
