import { lazyImport } from '../../shared/lazy-import.js';
import type { SdesSrtp } from './sdes-srtp.js';

/**
 * The SDES-SRTP class (with werift). A media worker loads it before it is ready when SRTP_SDES is not
 * `off` (and at the first SDES leg otherwise), so a server that never sees a=crypto never pays for it.
 */
const srtp = lazyImport(async () => (await import('./sdes-srtp.js')).SdesSrtp);

/** The SDES-SRTP class once its module is in this thread; undefined before. */
export function loadedSdesSrtp(): typeof SdesSrtp | undefined {
  return srtp.loaded();
}

/** Loads the SDES-SRTP module once; every caller gets the same promise. */
export function loadSdesSrtp(): Promise<typeof SdesSrtp> {
  return srtp.load();
}
