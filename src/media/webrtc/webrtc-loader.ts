import type { WebRtcTransport } from './webrtc-transport.js';

type TransportModule = typeof import('./webrtc-transport.js');

let loaded: TransportModule | undefined;
let loading: Promise<TransportModule> | undefined;

/**
 * The WebRTC transport class once its module (and werift, about 0.5 s of CPU to load) is in this
 * thread; undefined before. Media workers load it at their first WebRTC leg, not at start, so a
 * server without browser agents never pays for it.
 */
export function loadedWebRtcTransport(): typeof WebRtcTransport | undefined {
  return loaded?.WebRtcTransport;
}

/** Loads the WebRTC transport module once; every caller gets the same promise. */
export function loadWebRtcTransport(): Promise<typeof WebRtcTransport> {
  loading ??= import('./webrtc-transport.js').then((m) => {
    loaded = m;
    return m;
  });
  return loading.then((m) => m.WebRtcTransport);
}
