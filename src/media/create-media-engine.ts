import { availableParallelism } from 'node:os';
import type { MediaBridging, MediaEngine, SrtpDropCounts } from './media-types.js';
import type { PacingSnapshot } from './pacing-stats.js';
import type { Prompt } from './prompt-library.js';
import { RtpMediaEngine, type RtpMediaEngineOptions } from './rtp-media-engine.js';
import { WorkerMediaEngine } from './worker/worker-media-engine.js';

/** The prompts of an engine: read by flows (has), fed by speech (add/remove). */
export interface PromptStore {
  add(prompt: Prompt): void;
  remove(name: string): boolean;
  has(name: string): boolean;
  get(name: string): Prompt | undefined;
}

/** What the process composes: RtpMediaEngine (in-process) and WorkerMediaEngine both are one. */
export interface ProcessMediaEngine extends MediaEngine, MediaBridging {
  readonly prompts: PromptStore;
  readonly foreignPacketsDropped: number;
  readonly srtpPacketsDropped: SrtpDropCounts;
  pacingStats(): PacingSnapshot;
  resetPacingStats(): void;
}

/** Most workers `auto` picks: beyond that the main thread's signalling is the limit, not media. */
const AUTO_MAX_WORKERS = 4;

/**
 * MEDIA_WORKERS resolved to a count: a number as given (0 = media on the main thread); `auto` = one
 * worker per CPU, at least 1, at most 4. A hotline's load is media (1,000 calls in progress arrive at
 * a few calls a second), so the main thread's signalling shares the cores with the workers rather than
 * keeping one to itself: on 2 cores, 1,000 IVR calls with caller RTP had a send jitter p99 of 12 ms
 * with two workers against 27 ms with one (docs/bench-results.md, 2026-12-03).
 */
export function mediaWorkerCount(setting: number | 'auto', cpus: number = availableParallelism()): number {
  if (setting !== 'auto') return setting;
  return Math.min(AUTO_MAX_WORKERS, Math.max(1, cpus));
}

/** The process's media engine: in-process for `workers` 0, else RTP in that many worker threads. */
export async function createMediaEngine(options: RtpMediaEngineOptions & { workers: number | 'auto' }): Promise<ProcessMediaEngine> {
  const workers = mediaWorkerCount(options.workers);
  if (workers === 0) return RtpMediaEngine.create(options);
  return WorkerMediaEngine.create({ ...options, workers });
}
