import { isIP } from 'node:net';

/**
 * Source-address matching for trunks: IP literals and CIDR blocks (RFC 4632 for IPv4, RFC 4291
 * §2.3 for IPv6), compared as 16-byte addresses. An IPv4 address is held as its IPv4-mapped IPv6
 * form (`::ffff:a.b.c.d`, RFC 4291 §2.5.5.2) with the prefix moved by 96 bits, so a packet that a
 * dual-stack socket reports as `::ffff:10.0.0.5` matches `10.0.0.0/8` the same as `10.0.0.5` does.
 */

/** One address block: the first `bits` bits of `bytes` (16 bytes) must match. */
export interface AddressBlock {
  readonly bytes: Uint8Array;
  readonly bits: number;
  /** As written in the trunk file (for logs and errors). */
  readonly text: string;
}

/** Shortest prefixes accepted: a shorter one would trust a good part of the Internet. */
export const MIN_PREFIX = { ipv4: 8, ipv6: 32 } as const;

const MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

/** The 16 bytes of an IP literal (IPv4 as IPv4-mapped IPv6); undefined when it is not one. */
export function addressBytes(address: string): Uint8Array | undefined {
  // Bounded before parsing: the longest IPv6 text form is 45 characters.
  if (address.length > 45) return undefined;
  const version = isIP(address);
  if (version === 4) return Uint8Array.from([...MAPPED_PREFIX, ...address.split('.').map(Number)]);
  if (version === 6) return ipv6Bytes(address);
  return undefined;
}

/** True when the address is IPv4 or IPv4-mapped IPv6 (`::ffff:a.b.c.d`). */
function isMapped(bytes: Uint8Array): boolean {
  return MAPPED_PREFIX.every((b, i) => bytes[i] === b);
}

function ipv6Bytes(address: string): Uint8Array | undefined {
  // A zone index (fe80::1%eth0) names an interface of this host, never a carrier.
  if (address.includes('%')) return undefined;
  // An embedded IPv4 tail (::ffff:10.0.0.5) is rewritten as its two hex groups first.
  const text = address.replace(/(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/, (_m, a: string, b: string, c: string, d: string) =>
    `${((Number(a) << 8) | Number(b)).toString(16)}:${((Number(c) << 8) | Number(d)).toString(16)}`,
  );
  const [head = '', rest] = text.split('::');
  const part = (s: string): number[] => (s === '' ? [] : s.split(':').map((h) => Number.parseInt(h, 16)));
  const left = part(head);
  const right = part(rest ?? '');
  const missing = 8 - left.length - right.length;
  if (rest === undefined ? missing !== 0 : missing < 0) return undefined;
  const groups = [...left, ...Array<number>(rest === undefined ? 0 : missing).fill(0), ...right];
  if (groups.length !== 8 || groups.some((g) => !Number.isInteger(g) || g < 0 || g > 0xffff)) return undefined;
  return Uint8Array.from(groups.flatMap((g) => [g >> 8, g & 0xff]));
}

/**
 * Parses `10.0.0.5`, `10.0.0.0/24`, `2001:db8::/32` or `::ffff:10.0.0.0/104`. Throws Error with the
 * reason (the caller names the file, trunk and field): not an IP literal, a prefix that is not a
 * whole number in range, shorter than MIN_PREFIX, or with host bits set (`10.0.0.5/24` is refused
 * rather than guessed: the writer meant either the host or the network).
 */
export function parseAddressBlock(text: string): AddressBlock {
  const [address = '', prefix, extra] = text.trim().split('/');
  if (extra !== undefined) throw new Error(`"${text}" is not an address or CIDR block`);
  const bytes = addressBytes(address);
  if (bytes === undefined) throw new Error(`"${address}" is not an IP address literal (host names go in "hosts")`);
  const v4 = isIP(address) === 4;
  const max = v4 ? 32 : 128;
  let bits = max;
  if (prefix !== undefined) {
    if (!/^(0|[1-9]\d{0,2})$/.test(prefix) || Number(prefix) > max) throw new Error(`"${text}": the prefix length must be a whole number 0-${max}`);
    bits = Number(prefix);
  }
  const family = v4 || (isMapped(bytes) && bits >= 96) ? 'ipv4' : 'ipv6';
  const familyBits = v4 ? bits : family === 'ipv4' ? bits - 96 : bits;
  if (familyBits < MIN_PREFIX[family]) {
    throw new Error(`"${text}": a /${familyBits} would trust too much of the Internet (at least /${MIN_PREFIX[family]}); for a lab set SIP_ADMIT_ANY_SOURCE=true instead`);
  }
  const block = { bytes, bits: v4 ? bits + 96 : bits, text };
  for (let bit = block.bits; bit < 128; bit++) {
    if (bitAt(bytes, bit)) throw new Error(`"${text}" has host bits set: write the network (e.g. ${networkOf(block)}) or a single address`);
  }
  return block;
}

function bitAt(bytes: Uint8Array, bit: number): boolean {
  return (((bytes[bit >> 3] ?? 0) >> (7 - (bit & 7))) & 1) === 1;
}

function networkOf(block: AddressBlock): string {
  const masked = Uint8Array.from(block.bytes, (b, i) => {
    const keep = Math.max(0, Math.min(8, block.bits - i * 8));
    return b & ((0xff << (8 - keep)) & 0xff);
  });
  if (isMapped(masked)) return `${[...masked.slice(12)].join('.')}/${block.bits - 96}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((masked[i] ?? 0) << 8) | (masked[i + 1] ?? 0)).toString(16));
  return `${groups.join(':')}/${block.bits}`;
}

/** True when `bytes` lies in `block`. */
export function blockContains(block: AddressBlock, bytes: Uint8Array): boolean {
  const whole = block.bits >> 3;
  for (let i = 0; i < whole; i++) if (block.bytes[i] !== bytes[i]) return false;
  const rest = block.bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((block.bytes[whole] ?? 0) & mask) === ((bytes[whole] ?? 0) & mask);
}

/** A fixed list of blocks plus a replaceable set of resolved addresses (a trunk's host names). */
export class AddressMatcher {
  private resolved: readonly Uint8Array[] = [];

  constructor(private readonly blocks: readonly AddressBlock[]) {}

  /** Replaces the addresses learnt from DNS (IP literals; anything else is skipped). */
  setResolved(addresses: readonly string[]): void {
    this.resolved = addresses.map(addressBytes).filter((b): b is Uint8Array => b !== undefined);
  }

  get resolvedCount(): number {
    return this.resolved.length;
  }

  /** True when the packet source `address` (an IP literal, possibly IPv4-mapped) is in a block or resolved. */
  matches(address: string): boolean {
    const bytes = addressBytes(address);
    if (bytes === undefined) return false;
    return this.blocks.some((b) => blockContains(b, bytes)) || this.resolved.some((r) => blockContains({ bytes: r, bits: 128, text: '' }, bytes));
  }
}
