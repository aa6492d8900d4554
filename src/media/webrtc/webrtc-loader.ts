import { lazyImport } from '../../shared/lazy-import.js';
import type { WebRtcTransport } from './webrtc-transport.js';

/**
 * The WebRTC transport class (with werift). Media workers load it at their first WebRTC leg, not at
 * start, so a server without browser agents never pays for it.
 */
const transport = lazyImport(async () => (await import('./webrtc-transport.js')).WebRtcTransport);

/** The WebRTC transport class once its module is in this thread; undefined before. */
export function loadedWebRtcTransport(): typeof WebRtcTransport | undefined {
  return transport.loaded();
}

/** Loads the WebRTC transport module once; every caller gets the same promise. */
export function loadWebRtcTransport(): Promise<typeof WebRtcTransport> {
  return transport.load();
}
