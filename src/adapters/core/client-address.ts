// Turns a peer address into a stable client key: IPv4 as is, IPv4-mapped IPv6 as IPv4, other IPv6 grouped by prefix.
import ipaddr from "ipaddr.js";

const MAPPED_PREFIX = "::ffff:";
const DOTTED_IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/**
 * The client key for an address. One IPv6 host usually owns a whole /64, so by default every address in a /64
 * counts as one client; an IPv4-mapped IPv6 address (`::ffff:203.0.113.9`) counts as its IPv4 address.
 * Anything that does not parse as an IP address is returned unchanged.
 * @param ipv6Prefix bits of an IPv6 address that identify a client. Default: 64.
 * @example clientKeyForAddress("2001:db8:1:2:aaaa::1") // "2001:db8:1:2::/64"
 */
export function clientKeyForAddress(address: string, ipv6Prefix = 64): string {
  if (looksDottedIPv4(address) || !address.includes(":")) return address;
  if (address.startsWith(MAPPED_PREFIX) && DOTTED_IPV4.test(address.slice(MAPPED_PREFIX.length))) {
    return address.slice(MAPPED_PREFIX.length);
  }
  const zone = address.indexOf("%");
  const bare = zone === -1 ? address : address.slice(0, zone);
  if (!ipaddr.IPv6.isValid(bare)) return address;
  const parsed = ipaddr.IPv6.parse(bare);
  if (parsed.isIPv4MappedAddress()) return parsed.toIPv4Address().toString();
  if (ipv6Prefix >= 128) return parsed.toNormalizedString();
  return `${maskIPv6(parsed.toByteArray(), ipv6Prefix)}/${ipv6Prefix}`;
}

const DOT = 46;
const ZERO = 48;
const NINE = 57;

/**
 * True for an address that starts with a digit and has a dot among its next three characters, which no IPv6
 * address has (its embedded IPv4 part comes after two colons at least): the usual peer address answered without
 * searching the string.
 */
function looksDottedIPv4(address: string): boolean {
  const first = address.charCodeAt(0);
  if (first < ZERO || first > NINE) return false;
  return address.charCodeAt(1) === DOT || address.charCodeAt(2) === DOT || address.charCodeAt(3) === DOT;
}

function maskIPv6(bytes: number[], prefix: number): string {
  const masked = bytes.map((byte, i) => {
    const keep = Math.min(Math.max(prefix - i * 8, 0), 8);
    return byte & ((0xff << (8 - keep)) & 0xff);
  });
  return ipaddr.fromByteArray(masked).toString();
}
