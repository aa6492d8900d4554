import { parentPort, workerData } from 'node:worker_threads';
import type { MediaWorkerData, WorkerCommand, WorkerEvent } from './media-worker-protocol.js';
import { forwardingLogger } from './worker-log-forwarder.js';
import { WorkerMediaRuntime } from './worker-media-runtime.js';
import { loadSdesSrtp } from '../srtp/sdes-srtp-loader.js';
import { loadWebRtcTransport } from '../webrtc/webrtc-loader.js';

/**
 * Entry of a media worker thread (started by MediaWorkerThread): runs a WorkerMediaRuntime on the
 * commands of the main thread. The data comes from our own main thread (trusted, not outside input).
 */
const port = parentPort;
if (port === null) throw new Error('media-worker.ts runs only as a worker thread');
const data = workerData as MediaWorkerData;
const post = (event: WorkerEvent): void => {
  port.postMessage(event);
};
const logger = forwardingLogger(data.logLevel, post, { module: 'media', worker: data.index });
const runtime = new WorkerMediaRuntime(data, post, logger);
port.on('message', (cmd: WorkerCommand) => {
  runtime.handle(cmd);
});
// With WebRTC on, werift (~0.5 s of CPU to load) is loaded before 'ready': loaded at a browser's first
// ICE check instead, the answers come too late on a busy machine and the browser gives up on them.
// A failed load leaves the worker up for plain RTP; WebRTC legs then log why they cannot start.
// SDES legs (SRTP_SDES not off) load werift's SRTP the same way: the first packets of a call are not held for it.
const webrtcPreload = data.dtls === undefined ? Promise.resolve() : loadWebRtcTransport().then(() => undefined, () => undefined);
const sdesPreload = data.sdesPolicy === 'off' ? Promise.resolve() : loadSdesSrtp().then(() => undefined, () => undefined);
void Promise.all([webrtcPreload, sdesPreload]).then(() => {
  post({ type: 'ready' });
});
