import { randomBytes } from 'node:crypto';
import { mkdir, open, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { AnnounceEvent, MaxWaitEvent, OfferEvent } from '../acd/acd-events.js';
import type { Logger } from '../logging/logger.js';
import type { CallRecordRepository } from '../metrics/call-records.js';
import { AppError } from '../shared/app-error.js';
import type { Clock } from '../shared/clock.js';
import type { BridgeHandle, CallLeg, DialFailure, TelephonyPbx } from '../telephony/call-leg.js';
import { countPrompts } from './count-prompts.js';
import type { QueuedCallEnd } from './queued-call-end.js';

export type { QueuedCallEnd };

/** What the ACD offers the glue for one queued caller (a subset of Acd). */
export interface QueueDesk {
  enqueue(call: { callId: string; queue: string; callerNumber: string; orderCode?: string }): { position: number; expectedWaitS: number };
  leave(callId: string, reason: 'abandoned' | 'callback'): void;
  keepWaiting(callId: string): void;
  offerAnswered(callId: string, agentId: string): void;
  offerFailed(callId: string, agentId: string, reason: 'no-answer' | 'busy' | 'unavailable' | 'failed'): void;
  callEnded(callId: string): void;
}

/** What the IVR hands over with the caller. */
export interface QueuedCallOptions {
  /** Played first once queued (the queue node's prompts). */
  readonly announce?: readonly string[] | undefined;
  /** The order the caller asked about: goes to the ACD and with the offer to the agent. */
  readonly orderCode?: string | undefined;
}

export interface QueueSettings {
  readonly displayName: string;
  readonly music: string;
  readonly ringTimeoutS: number;
}

export interface QueuedCallDeps {
  readonly acd: QueueDesk;
  readonly pbx: TelephonyPbx;
  readonly records: CallRecordRepository;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly recordingsDir: string;
  readonly queueSettings: (queue: string) => QueueSettings;
}


/** Longest part of a Call-ID kept in a recording file name (names stay well under 255 bytes). */
const MAX_NAME_STEM = 80;

/** Seconds the caller has to answer the callback offer with a key. */
const CALLBACK_KEY_WAIT_MS = 6000;

/**
 * A caller waiting for an agent: hold music and announcements while the ACD looks for an agent,
 * then the agent's phone is dialled and, once answered, both legs are bridged and recorded. Either
 * side hanging up ends both. The ACD decides (offer, max wait, announcements); this class only acts.
 */
export class QueuedCall {
  private readonly log: Logger;
  private music: AbortController | undefined;
  /** Announcements and offers play one after another, never over each other. */
  private speech: Promise<void> = Promise.resolve();
  private dialing: AbortController | undefined;
  private agentLeg: CallLeg | undefined;
  private agentId: string | undefined;
  private settle: ((end: QueuedCallEnd) => void) | undefined;
  private queue: string;
  private leftQueue = false;

  constructor(
    readonly leg: CallLeg,
    queue: string,
    private readonly deps: QueuedCallDeps,
    private readonly options: QueuedCallOptions = {},
  ) {
    this.queue = queue;
    this.log = deps.logger.child({ callId: leg.id, queue });
  }

  /** The agent currently talking with (or being offered) this caller. */
  get currentAgentId(): string | undefined {
    return this.agentId;
  }

  /** Runs until the caller is off the queue and, if an agent took the call, the conversation is over. */
  run(): Promise<QueuedCallEnd> {
    const { leg, deps } = this;
    const done = new Promise<QueuedCallEnd>((resolve) => {
      this.settle = resolve;
    });
    const onEnded = (): void => {
      if (!this.agentLeg) this.abandon();
    };
    if (leg.state === 'ended') {
      // Hung up on the way into the queue: never queued, nothing to leave.
      this.leftQueue = true;
      return Promise.resolve({ kind: 'abandoned' });
    }
    leg.events.once('ended', onEnded);
    void deps.records.update(leg.id, { queue: this.queue, queuedAt: new Date(deps.clock.now()) }).catch((err: unknown) => {
      this.log.error('call record write failed', { error: errorText(err) });
    });
    const { orderCode } = this.options;
    const { position, expectedWaitS } = deps.acd.enqueue({ callId: leg.id, queue: this.queue, callerNumber: leg.from, ...(orderCode === undefined ? {} : { orderCode }) });
    this.log.info('caller queued', { position, expectedWaitS, ...(orderCode === undefined ? {} : { orderCode }) });
    // The IVR's announcement (e.g. 正在为您转接人工服务) plays while the caller already waits in the queue.
    this.say([...(this.options.announce ?? []), 'queue-wait', ...positionPrompts(position, expectedWaitS)]);
    return done.finally(() => leg.events.off('ended', onEnded));
  }

  /** The ACD moved the caller to another queue (overflow at max wait). */
  moved(queue: string): void {
    this.queue = queue;
    // The new queue's music from now on (unless an announcement is playing: it resumes music after).
    if (this.music) this.startMusic();
    void this.deps.records.update(this.leg.id, { queue }).catch((err: unknown) => {
      this.log.error('call record write failed', { error: errorText(err) });
    });
  }

  announce(event: AnnounceEvent): void {
    this.say(positionPrompts(event.position, event.expectedWaitS));
  }

  maxWait(event: MaxWaitEvent): void {
    this.log.info('max wait reached', { action: event.action });
    if (event.action !== 'callback-offer') return;
    // The offer goes before any announcement still playing.
    this.leg.stopPlayback();
    this.speech = this.speech.then(() => this.offerCallback());
  }

  /** The ACD picked an agent: ring their phone; report the result back to the ACD. */
  offer(event: OfferEvent): void {
    // Runs detached from the ACD's event: whatever fails in it is this call's problem, logged here,
    // never an unhandled rejection that ends the process.
    this.dialAgent(event).catch((err: unknown) => {
      this.log.error('offer to agent failed', { agentId: event.agentId, error: errorText(err), stack: err instanceof Error ? err.stack : undefined });
    });
  }

  /**
   * The ACD withdrew the offer (caller left, offer timed out, agent went not-ready or logged out):
   * stop ringing the agent (the abort sends the CANCEL, RFC 3261 §9.1). With `agentId`, only that
   * agent's ringing is stopped: the ACD may already be offering the caller to the next one.
   */
  withdraw(agentId?: string): void {
    if (agentId !== undefined && this.agentId !== agentId) return;
    this.dialing?.abort();
  }

  /** The agent's desktop asked to hang up: true when there was a conversation to end (not while ringing). */
  async hangupAgent(): Promise<boolean> {
    if (this.agentLeg === undefined || this.agentLeg.state === 'ended') return false;
    await this.agentLeg.hangup();
    return true;
  }

  private async dialAgent(event: OfferEvent): Promise<void> {
    const { deps, leg } = this;
    const settings = deps.queueSettings(this.queue);
    const controller = new AbortController();
    this.dialing = controller;
    this.agentId = event.agentId;
    let agent: CallLeg;
    try {
      agent = await deps.pbx.dial(
        {
          target: `ext:${event.extension}`,
          fromUser: leg.from,
          fromDisplayName: settings.displayName,
          timeoutMs: settings.ringTimeoutS * 1000,
          headers: { 'X-Hotline-Queue': this.queue },
        },
        controller.signal,
      );
    } catch (err) {
      // After an offer timeout the ACD may already have offered the caller to another agent:
      // only clear what still belongs to this attempt.
      if (this.dialing === controller) {
        this.dialing = undefined;
        this.agentId = undefined;
      }
      const failure = dialFailure(err);
      this.log.info('agent did not answer', { agentId: event.agentId, failure });
      // A withdrawn offer (caller gone, agent not-ready) was already settled by the ACD.
      if (controller.signal.aborted || leg.state === 'ended') return;
      try {
        deps.acd.offerFailed(leg.id, event.agentId, failureReason(failure));
      } catch (refusal) {
        // The ACD no longer ties this caller to this agent (it moved on while the failure was on its way).
        this.log.warn('offer failure not taken by the ACD', { agentId: event.agentId, failure, error: errorText(refusal) });
      }
      return;
    }
    if (this.dialing === controller) this.dialing = undefined;
    if (leg.state === 'ended' || controller.signal.aborted) {
      // The caller hung up while the agent's 200 was on its way.
      await agent.hangup();
      return;
    }
    try {
      deps.acd.offerAnswered(leg.id, event.agentId);
    } catch (refusal) {
      // The offer is no longer this agent's (withdrawn while the 200 was on its way): release the phone.
      this.log.warn('agent answered an offer the ACD no longer holds; hanging up the agent', { agentId: event.agentId, error: errorText(refusal) });
      if (this.agentId === event.agentId && this.dialing === undefined) this.agentId = undefined;
      await agent.hangup();
      return;
    }
    this.agentLeg = agent;
    this.stopMusic();
    await this.talk(agent, event);
  }

  /**
   * The agent answered and the ACD has the agent busy: from here on, whatever happens (a hang-up
   * while the recording folder is made, a bridge refused, a write error), both legs are hung up, the
   * ACD hears callEnded (agent to wrap-up) and run() settles. Otherwise the agent would stay busy for
   * good (not-ready and logout are refused while busy) and the session would never end.
   */
  private async talk(agent: CallLeg, event: OfferEvent): Promise<void> {
    const { deps, leg } = this;
    // Listen before any await: a BYE may arrive while the recording folder is being created.
    let onCallerEnded = (): void => undefined;
    let onAgentEnded = (): void => undefined;
    const hungUp = new Promise<'caller' | 'callee'>((resolve) => {
      onCallerEnded = (): void => {
        resolve('caller');
      };
      onAgentEnded = (): void => {
        resolve('callee');
      };
      leg.events.once('ended', onCallerEnded);
      agent.events.once('ended', onAgentEnded);
      if (leg.state === 'ended') resolve('caller');
      else if (agent.state === 'ended') resolve('callee');
    });
    let bridge: BridgeHandle | undefined;
    // Who ended it when the system does (bridge failed): 'caller' lets the session read the leg's end (system).
    let endedBy: 'caller' | 'callee' = 'caller';
    try {
      leg.stopPlayback();
      const recordingPath = await this.recordingPath();
      if (leg.state === 'ended' || agent.state === 'ended') {
        // Hung up while the folder was being made: nothing to bridge (the engine would refuse a dead leg).
        endedBy = leg.state === 'ended' ? 'caller' : 'callee';
        this.log.info('call ended before caller and agent were connected', { agentId: event.agentId, endedBy });
        if (recordingPath !== undefined) await this.dropReservation(recordingPath);
        return;
      }
      try {
        bridge = deps.pbx.bridge(leg, agent, recordingPath === undefined ? {} : { recordingPath });
      } catch (err) {
        if (recordingPath !== undefined) await this.dropReservation(recordingPath);
        throw err;
      }
      this.log.info('caller connected to agent', { agentId: event.agentId, extension: event.extension });
      deps.records
        .update(leg.id, {
          agentId: Number.isInteger(Number(event.agentId)) ? Number(event.agentId) : null,
          agentExtension: event.extension,
          agentAnsweredAt: new Date(agent.answeredAt ?? deps.clock.now()),
          recordingPath: bridge.recordingPath ?? null,
        })
        .catch((err: unknown) => {
          this.log.error('call record write failed', { error: errorText(err) });
        });
      endedBy = await hungUp;
    } catch (err) {
      endedBy = leg.state !== 'ended' && agent.state === 'ended' ? 'callee' : 'caller';
      this.log.error('connecting caller and agent failed; hanging up both', { agentId: event.agentId, error: errorText(err) });
    } finally {
      leg.events.off('ended', onCallerEnded);
      agent.events.off('ended', onAgentEnded);
      await this.finishTalk(bridge, agent);
      this.log.info('conversation ended', { endedBy });
      this.settle?.({ kind: 'talked', endedBy });
    }
  }

  /** Closes the bridge, hangs up both legs and frees the agent (wrap-up); each step runs even if one before failed. */
  private async finishTalk(bridge: BridgeHandle | undefined, agent: CallLeg): Promise<void> {
    const { deps, leg } = this;
    const steps = await Promise.allSettled([bridge?.close()]);
    steps.push(...(await Promise.allSettled([leg.hangup(), agent.hangup()])));
    for (const step of steps) {
      if (step.status === 'rejected') this.log.error('ending the conversation: a step failed', { error: errorText(step.reason) });
    }
    try {
      deps.acd.callEnded(leg.id);
    } catch (err) {
      this.log.error('ACD refused the end of the conversation', { error: errorText(err) });
    }
  }

  private async offerCallback(): Promise<void> {
    const { leg, deps } = this;
    if (this.offQueue()) return;
    this.stopMusic();
    this.log.info('callback offered');
    // A key stops the offer at once (barge-in); no key within a few seconds after it means "keep waiting".
    const prompt = new AbortController();
    let digit: string | undefined;
    const onKey = (d: string): void => {
      if (digit !== undefined) return;
      digit = d;
      prompt.abort();
    };
    leg.events.on('dtmf', onKey);
    const played = await leg.play(['callback-offer'], prompt.signal);
    leg.events.off('dtmf', onKey);
    if (digit === undefined && played !== 'ended') digit = await this.nextKey(CALLBACK_KEY_WAIT_MS);
    this.log.info('callback offer answered', { key: digit ?? 'none' });
    if (this.offQueue()) return;
    if (digit === '1') {
      this.leftQueue = true;
      deps.acd.leave(leg.id, 'callback');
      this.log.info('caller asked to be called back');
      this.settle?.({ kind: 'callback' });
      await leg.play(['callback-confirmed']);
      await leg.hangup();
      return;
    }
    deps.acd.keepWaiting(leg.id);
    this.startMusic();
  }

  /** True once the caller is no longer waiting: with an agent, gone, or called back later. */
  private offQueue(): boolean {
    return this.agentLeg !== undefined || this.leftQueue || this.leg.state === 'ended';
  }

  private abandon(): void {
    this.stopMusic();
    if (this.leftQueue) return;
    this.leftQueue = true;
    this.deps.acd.leave(this.leg.id, 'abandoned');
    this.log.info('caller hung up in the queue');
    this.settle?.({ kind: 'abandoned' });
  }

  /** Plays prompts between stretches of hold music. */
  private say(prompts: readonly string[]): void {
    this.speech = this.speech.then(async () => {
      if (this.offQueue()) return;
      this.stopMusic();
      await this.leg.play(prompts);
      if (!this.agentLeg && !this.leftQueue) this.startMusic();
    });
  }

  private startMusic(): void {
    if (this.leg.state === 'ended') return;
    this.music?.abort();
    const controller = new AbortController();
    this.music = controller;
    void this.leg.play([this.deps.queueSettings(this.queue).music], controller.signal, { loop: true });
  }

  private stopMusic(): void {
    this.music?.abort();
    this.music = undefined;
  }

  /** The next key pressed within `timeoutMs`, or undefined. */
  private nextKey(timeoutMs: number): Promise<string | undefined> {
    return new Promise((resolve) => {
      const timer = this.deps.clock.setTimeout(() => {
        finish(undefined);
      }, timeoutMs);
      const onKey = (digit: string): void => {
        finish(digit);
      };
      const finish = (digit: string | undefined): void => {
        this.deps.clock.clearTimeout(timer);
        this.leg.events.off('dtmf', onKey);
        this.leg.events.off('ended', onEnd);
        resolve(digit);
      };
      const onEnd = (): void => {
        finish(undefined);
      };
      this.leg.events.on('dtmf', onKey);
      this.leg.events.once('ended', onEnd);
    });
  }

  /**
   * A new file for this call's recording, or undefined (logged) when none can be made: the call is
   * then bridged without recording rather than failed. The name carries a random part and is
   * reserved with an exclusive create ('wx'): a Call-ID seen again the same day (RFC 3261 §8.1.1.4
   * only asks UAs for uniqueness, a misbehaving one may repeat it) must never overwrite another
   * call's recording. Folder and file are owner-only (issue 9, item 7).
   */
  private async recordingPath(): Promise<string | undefined> {
    const day = new Date(this.deps.clock.now()).toISOString().slice(0, 10);
    const folder = join(this.deps.recordingsDir, day);
    // No path separators or other odd characters from the Call-ID; short enough for any filesystem.
    const stem = this.leg.id.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, MAX_NAME_STEM);
    try {
      await mkdir(folder, { recursive: true, mode: 0o700 });
      for (let attempt = 1; ; attempt++) {
        const path = join(folder, `${stem}-${randomBytes(4).toString('hex')}.wav`);
        try {
          await (await open(path, 'wx', 0o600)).close();
          return path;
        } catch (err) {
          if (!isCode(err, 'EEXIST') || attempt >= 5) throw err;
        }
      }
    } catch (err) {
      this.log.warn('cannot create the recording file; the call goes on without recording', { folder, error: errorText(err) });
      return undefined;
    }
  }

  /** Removes a reserved, still empty recording file when no bridge came to write it. */
  private async dropReservation(path: string): Promise<void> {
    await unlink(path).catch((err: unknown) => {
      this.log.warn('could not remove an unused recording file', { path, error: errorText(err) });
    });
  }
}

/** 您前面还有 N 位来电者在等待。预计等待 M 分钟。 */
function positionPrompts(position: number, expectedWaitS: number): string[] {
  const ahead = Math.max(0, position - 1);
  // Nobody ahead: "you are next" needs no number; only the wait is worth saying.
  const prompts = ahead > 0 ? ['queue-position-before', ...countPrompts(ahead), 'queue-position-after'] : [];
  if (expectedWaitS > 0) {
    prompts.push('queue-minutes-before', ...countPrompts(Math.max(1, Math.ceil(expectedWaitS / 60))), 'queue-minutes-after');
  }
  return prompts;
}

function dialFailure(err: unknown): DialFailure {
  if (err instanceof AppError && 'failure' in err && typeof err.failure === 'string') return err.failure as DialFailure;
  return 'failed';
}

function failureReason(failure: DialFailure): 'no-answer' | 'busy' | 'unavailable' | 'failed' {
  switch (failure) {
    case 'no-answer':
    case 'busy':
    case 'unavailable':
      return failure;
    case 'declined':
      return 'busy';
    default:
      return 'failed';
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function isCode(err: unknown, code: string): boolean {
  return err instanceof Error && 'code' in err && err.code === code;
}
