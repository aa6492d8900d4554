import type { ResolveA } from './trunk-directory.js';

/** The DNS look-ups a trunk host name needs (node's `dns.promises`, or a fake in tests). */
export interface TrunkDns {
  resolve4(host: string, options: { ttl: true }): Promise<readonly { readonly address: string; readonly ttl: number }[]>;
  resolveSrv(name: string): Promise<readonly { readonly name: string; readonly port: number; readonly priority: number; readonly weight: number }[]>;
}

/** SRV records of a carrier domain that name its SIP servers (RFC 3263 §4.2): UDP and TCP. */
const SRV_PREFIXES = ['_sip._udp.', '_sip._tcp.'] as const;
/** At most this many SRV targets are resolved per host name (a hostile zone could list thousands). */
const MAX_SRV_TARGETS = 16;
/** An SRV answer carries no TTL through node's API: its targets are looked up again after at most this. */
const SRV_TTL_S = 300;

function noSuchName(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ENODATA' || code === 'ENOTFOUND';
}

/**
 * A trunk host name's addresses: its A records; a name with none (a carrier domain rather than a
 * server) is looked up as SRV (_sip._udp, then _sip._tcp) and each target's A records are taken, the
 * TTL the shortest of them (SRV's own at most SRV_TTL_S). Any other DNS failure is thrown, so that the
 * directory keeps the last addresses it had.
 */
export function trunkHostResolver(dns: TrunkDns): ResolveA {
  return async (host) => {
    try {
      return await dns.resolve4(host, { ttl: true });
    } catch (err) {
      if (!noSuchName(err)) throw err;
    }
    for (const prefix of SRV_PREFIXES) {
      let targets: Awaited<ReturnType<TrunkDns['resolveSrv']>>;
      try {
        targets = await dns.resolveSrv(`${prefix}${host}`);
      } catch (err) {
        if (noSuchName(err)) continue;
        throw err;
      }
      const names = [...new Set(targets.map((t) => t.name.replace(/\.$/, '').toLowerCase()))].filter((n) => n !== '').slice(0, MAX_SRV_TARGETS);
      const answers = await Promise.allSettled(names.map((n) => dns.resolve4(n, { ttl: true })));
      const addresses = answers.flatMap((a) => (a.status === 'fulfilled' ? a.value.map((r) => ({ address: r.address, ttl: Math.min(r.ttl, SRV_TTL_S) })) : []));
      if (addresses.length > 0) return addresses;
      throw new Error(`${prefix}${host}: no SRV target has an A record`);
    }
    throw Object.assign(new Error(`${host}: no A record and no _sip SRV record`), { code: 'ENODATA' });
  };
}
