import { promises as dns } from 'node:dns';
import { readFile } from 'node:fs/promises';
import { TrunkRoutedPbx } from '../calls/trunk-routed-pbx.js';
import type { Config } from '../config/config.js';
import type { Logger } from '../logging/logger.js';
import type { Clock } from '../shared/clock.js';
import type { TelephonyPbx } from '../telephony/call-leg.js';
import { CAMPAIGNS, TrunkDirectory, TrunkFileError, parseTrunks, trunkHostResolver, type Campaign } from '../trunks/index.js';
import type { Closers } from './closers.js';

/**
 * The trunks file (TRUNKS_FILE): parsed and validated before SIP listens (a bad file stops the start
 * naming the file, the trunk and the field), host names resolved, refreshes stopped by the closers.
 */
export async function openTrunks(config: Config, deps: { clock: Clock; logger: Logger; closers: Closers }): Promise<TrunkDirectory> {
  let text: string;
  try {
    text = await readFile(config.TRUNKS_FILE, 'utf8');
  } catch (err) {
    throw new TrunkFileError(config.TRUNKS_FILE, undefined, '', `cannot read the file (${err instanceof Error ? err.message : String(err)})`, { cause: err });
  }
  const directory = new TrunkDirectory(parseTrunks(text, config.TRUNKS_FILE), {
    resolveA: trunkHostResolver(dns),
    clock: deps.clock,
    logger: deps.logger.child({ component: 'trunks' }),
    admitAnySource: config.SIP_ADMIT_ANY_SOURCE,
  });
  deps.closers.add('trunks', () => {
    directory.close();
  });
  await directory.start();
  if (config.SIP_ADMIT_ANY_SOURCE) deps.logger.warn('SIP_ADMIT_ANY_SOURCE=true: calls are taken from any address (a lab setting; never on a reachable address)');
  deps.logger.info('trunks loaded', {
    file: config.TRUNKS_FILE,
    trunks: directory.trunks.map((t) => ({ name: t.name, addresses: t.addresses.length, hosts: t.hosts.length, dids: t.dids.size, outbound: t.outbound?.campaigns ?? [] })),
  });
  return directory;
}

/** Each campaign's PBX: through the trunk that lists it, else the default proxy (SIP_OUTBOUND_PROXY). */
export function campaignPbxes(directory: TrunkDirectory, pbx: Pick<TelephonyPbx, 'dial' | 'bridge'>): Readonly<Record<Campaign, TrunkRoutedPbx>> {
  const out = {} as Record<Campaign, TrunkRoutedPbx>;
  for (const campaign of CAMPAIGNS) {
    const trunk = directory.outboundFor(campaign);
    out[campaign] = new TrunkRoutedPbx(pbx, trunk && { name: trunk.trunk, proxy: trunk.proxy, credentials: trunk.credentials });
  }
  return out;
}
