import type { Logger } from '../logging/logger.js';
import type { Clock, Timer } from '../shared/clock.js';
import { maskPhone } from '../shared/mask.js';
import type { InboundGate, InboundVerdict } from '../telephony/inbound-gate.js';
import { AddressMatcher } from './address-matcher.js';
import { IVR_FLOW, TRUNK_CODECS, normaliseDid, type Campaign, type TrunkDefinition, type TrunkDefinitions, type TrunkOutbound } from './parse-trunks.js';

/** DNS A look-up with TTLs (node's `dns.promises.resolve4(host, { ttl: true })`). */
export type ResolveA = (host: string) => Promise<readonly { readonly address: string; readonly ttl: number }[]>;

export interface TrunkDirectoryDeps {
  readonly resolveA: ResolveA;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Lab switch (SIP_ADMIT_ANY_SOURCE): a source that is no trunk is admitted to the inbound flow. */
  readonly admitAnySource: boolean;
}

/** Host names are looked up again after their TTL, kept within these bounds; a failed look-up is retried after the lower one. */
const REFRESH_MIN_MS = 30_000;
const REFRESH_MAX_MS = 3_600_000;

/**
 * The trunks at run time: which trunk a packet's source belongs to, which flow a dialled number
 * selects (the InboundGate port the SIP engine asks), and which trunk a campaign dials out through.
 * Host names are resolved with DNS A at start() and again after each record's TTL; a failed look-up
 * keeps the last addresses, so a DNS outage never closes a trunk that worked. The hot path (check())
 * compares IP bytes only: no look-up ever runs for a packet.
 */
export class TrunkDirectory implements InboundGate {
  private readonly matchers = new Map<string, AddressMatcher>();
  private readonly timers = new Set<Timer>();
  private readonly state = { closed: false };

  constructor(
    readonly trunks: TrunkDefinitions,
    private readonly deps: TrunkDirectoryDeps,
  ) {
    for (const t of trunks) this.matchers.set(t.name, new AddressMatcher(t.addresses));
  }

  /** A method: closing may happen while a look-up is awaited. */
  private isClosed(): boolean {
    return this.state.closed;
  }

  /** Resolves every trunk's host names once (failures are logged, never thrown) and schedules the refreshes. */
  async start(): Promise<void> {
    await Promise.all(this.trunks.map((t) => this.refresh(t)));
  }

  close(): void {
    this.state.closed = true;
    for (const timer of this.timers) this.deps.clock.clearTimeout(timer);
    this.timers.clear();
  }

  /** The trunk whose addresses hold `address` (first in file order), if any. */
  trunkAt(address: string): TrunkDefinition | undefined {
    return this.trunks.find((t) => this.matchers.get(t.name)?.matches(address) === true);
  }

  check(address: string, dialled: string): InboundVerdict {
    const trunk = this.trunkAt(address);
    if (!trunk) {
      if (this.deps.admitAnySource) return { admit: true, route: { trunk: undefined, flow: undefined } };
      return { admit: false, status: 403, reason: 'source address is not a trunk' };
    }
    const did = normaliseDid(dialled);
    const flow = did === undefined ? undefined : (trunk.dids.get(did) ?? trunk.defaultFlow);
    if (flow === undefined) {
      return { admit: false, status: 404, reason: did === undefined ? 'dialled number is not a number' : `number ${maskPhone(did)} is not a DID of trunk ${trunk.name}` };
    }
    const route = { trunk: trunk.name, flow: flow === IVR_FLOW ? undefined : flow };
    // Restricted only when the trunk leaves out a codec the engine speaks.
    return { admit: true, route: trunk.codecs.length < TRUNK_CODECS.length ? { ...route, codecs: trunk.codecs } : route };
  }

  /** The trunk a campaign's `tel:` calls go through, if one lists it. */
  outboundFor(campaign: Campaign): (TrunkOutbound & { readonly trunk: string }) | undefined {
    const trunk = this.trunks.find((t) => t.outbound?.campaigns.includes(campaign) === true);
    return trunk?.outbound && { ...trunk.outbound, trunk: trunk.name };
  }

  private async refresh(trunk: TrunkDefinition): Promise<void> {
    if (trunk.hosts.length === 0 || this.state.closed) return;
    const matcher = this.matchers.get(trunk.name);
    if (!matcher) return;
    const results = await Promise.allSettled(trunk.hosts.map((h) => this.deps.resolveA(h)));
    if (this.isClosed()) return;
    const addresses: string[] = [];
    let ttlS = Infinity;
    let failed = false;
    for (const [i, r] of results.entries()) {
      if (r.status === 'fulfilled' && r.value.length > 0) {
        for (const a of r.value) {
          addresses.push(a.address);
          ttlS = Math.min(ttlS, a.ttl);
        }
        continue;
      }
      failed = true;
      const why = r.status === 'rejected' ? (r.reason instanceof Error ? r.reason.message : String(r.reason)) : 'no A record';
      this.deps.logger.warn('trunk host name not resolved; keeping its last addresses', { trunk: trunk.name, host: trunk.hosts[i], error: why });
    }
    // A host that failed keeps what it had: replace only when every name answered.
    if (!failed || matcher.resolvedCount === 0) matcher.setResolved(addresses);
    this.deps.logger.info('trunk host names resolved', { trunk: trunk.name, hosts: trunk.hosts, addresses: addresses.length });
    const waitMs = failed ? REFRESH_MIN_MS : Math.min(REFRESH_MAX_MS, Math.max(REFRESH_MIN_MS, ttlS * 1000));
    const timer = this.deps.clock.setTimeout(() => {
      this.timers.delete(timer);
      void this.refresh(trunk);
    }, waitMs);
    this.timers.add(timer);
  }
}
