import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Acd, parseQueues, type QueueDefinitions } from '../acd/index.js';
import type { CallTelemetry } from '../api/call-telemetry.js';
import { DialPlanPbx } from '../calls/dial-plan-pbx.js';
import { InboundCallSession } from '../calls/inbound-call-session.js';
import { createIvrRunner } from '../calls/ivr-runner.js';
import { QueueAfterHoursDesk } from '../calls/after-hours-desk.js';
import { SequelizeVoiceMessageRepository } from '../db/sequelize-voice-message-repository.js';
import { MessageService } from '../messages/message-service.js';
import type { WorkingDays } from '../acd/index.js';
import { TicketOrderLookup } from '../calls/ticket-order-lookup.js';
import { PreviewTasks } from '../calls/preview-tasks.js';
import { QueueDispatcher } from '../calls/queue-dispatcher.js';
import { TaskClaims } from '../calls/task-claims.js';
import type { Config } from '../config/config.js';
import type { DialPlan } from '../dialer/index.js';
import type { SipCredentialsChangedEvent } from '../identity/identity-service.js';
import type { User } from '../identity/user.js';
import type { FlowStore } from '../ivr/index.js';
import type { Logger } from '../logging/logger.js';
import { createMediaEngine, type ProcessMediaEngine } from '../media/create-media-engine.js';
import { DiskSpeechCache } from '../media/speech/disk-speech-cache.js';
import { EspeakSynthesizer } from '../media/speech/espeak-synthesizer.js';
import { SpeechService } from '../media/speech/speech-service.js';
import type { Clock } from '../shared/clock.js';
import { EventLoopLagSampler } from '../shared/event-loop-lag-sampler.js';
import { AdmissionController } from '../sip/admission-controller.js';
import { SipTelephony } from '../sip/sip-telephony.js';
import type { HandlingUnit } from '../tickets/catalog.js';
import type { TicketService } from '../tickets/ticket-service.js';
import type { Closers } from './closers.js';
import { openFlowStore } from './flows.js';
import { readCaFile, readTlsFiles } from './tls-files.js';
import { openNotices, type Notices } from './notices.js';
import { campaignPbxes, openTrunks } from './trunks.js';
import { flowFilesOf, type Campaign, type TrunkDirectory } from '../trunks/index.js';
import type { TrunkRoutedPbx } from '../calls/trunk-routed-pbx.js';
import type { Identity } from './identity.js';
import type { Storage } from './storage.js';

export interface Telephony {
  readonly media: ProcessMediaEngine;
  readonly queues: QueueDefinitions;
  /** The inbound IVR flow (SIGHUP and edits of the file reload it). */
  readonly flows: FlowStore;
  readonly acd: Acd;
  readonly telephony: SipTelephony;
  /** Overload control of new INVITEs (rate, concurrency, event-loop lag), for /metrics. */
  readonly admission: AdmissionController;
  readonly dispatcher: QueueDispatcher;
  /** Inbound calls in progress: a stop waits for them to write their records. */
  readonly sessions: Set<Promise<void>>;
  /** The trunk as campaigns see it: every number goes through the dial plan (issue 9). */
  readonly outboundPbx: DialPlanPbx;
  /** Each campaign's way out: the dial plan, then the trunk that lists the campaign (else SIP_OUTBOUND_PROXY). */
  readonly campaignPbx: Readonly<Record<Campaign, TrunkRoutedPbx>>;
  /** The carrier trunks (TRUNKS_FILE): source admission, DID → flow, outbound routes. */
  readonly trunks: TrunkDirectory;
  /** The flows DIDs select (one store per file; the inbound flow IVR_FLOW is `flows`). */
  readonly didFlows: ReadonlyMap<string, FlowStore>;
  /** Registrations to carriers, by trunk: true while accepted (hotline_trunk_registered). */
  readonly trunkRegistrations: { states(): ReadonlyMap<string, boolean> };
  /** Who is calling which resident now, shared by the survey job and preview dialing. */
  readonly taskClaims: TaskClaims;
  /** Preview dialing for callback agents. */
  readonly preview: PreviewTasks;
  /** Notices (公告) callers hear after the welcome, and their counts (issue 12). */
  readonly notices: Notices;
  /** Messages (留言) callers left at night or with nobody staffing their queue: the draft orders (issue 12). */
  readonly messages: MessageService;
  /** Text to speech of the IVR (cached in memory and on disk), e.g. to pre-synthesise the catalogue. */
  readonly speech: SpeechService;
}

export interface TelephonyDeps {
  readonly storage: Storage;
  readonly identity: Pick<Identity, 'identity' | 'users' | 'authThrottles'>;
  readonly tickets: TicketService;
  /** Unit names for the IVR's progress self-service. */
  readonly units: { get(id: number): Promise<Pick<HandlingUnit, 'name'> | undefined> };
  readonly telemetry: CallTelemetry;
  readonly dialPlan: DialPlan;
  /** The working-day calendar: queues' service hours differ on working days and holidays (night mode). */
  readonly calendar: WorkingDays;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly closers: Closers;
}

/**
 * Media, the queues, SIP signalling, the inbound IVR flow, the ACD and the queue dispatcher; SIP
 * listens last, once an incoming call has everything it needs. The closers are registered so that a
 * stop closes the dispatcher, the ACD (flushing its records), the flow, SIP, then media: call logic
 * before the signalling under it, signalling before the RTP sockets its legs use.
 */
export async function startTelephony(config: Config, deps: TelephonyDeps): Promise<Telephony> {
  const { clock, logger, closers } = deps;
  const { calls: records, acd: acdRecords } = deps.storage.durableRecords;

  const media = await createMediaEngine({
    workers: config.MEDIA_WORKERS,
    bindAddress: config.rtpListen,
    publicAddress: config.rtpPublicAddress,
    portMin: config.RTP_PORT_MIN,
    portMax: config.RTP_PORT_MAX,
    relatchSilenceMs: config.RTP_RELATCH_SILENCE_MS,
    webrtc: config.WEBRTC_MEDIA,
    sdesPolicy: config.SRTP_SDES,
    promptsDir: config.PROMPTS_DIR,
    logger,
  });
  closers.add('media', () => media.close());
  const queues = parseQueues(await readFile(config.QUEUES_FILE, 'utf8'), config.QUEUES_FILE, { hasPrompt: (n) => media.hasPrompt(n) });

  // Dynamic speech of the `speak` node: espeak-ng + sox in child processes, cached by text (issue 12).
  // SPEECH_CACHE_DIR keeps what was synthesised across restarts (disk-speech-cache.ts).
  const espeak = new EspeakSynthesizer();
  const synthesizer =
    config.SPEECH_CACHE_DIR === ''
      ? espeak
      : await DiskSpeechCache.open(espeak, { dir: config.SPEECH_CACHE_DIR, maxBytes: config.SPEECH_CACHE_MAX_MB * 1_048_576, voice: espeak.voiceKey, logger: logger.child({ component: 'speech-cache' }) });
  const speech = new SpeechService({ synthesizer, prompts: media.prompts, logger: logger.child({ component: 'speech' }) });
  closers.add('speech', () => {
    speech.close();
  });
  // Notices in force are read by the inbound flow's `notices` node from the board's cache; a notice is
  // synthesised when published, so the first caller does not wait for it. Opened before SIP, so a stop
  // closes the hit spool (and the speech) only once SIP is closed and no call can add a hit.
  const notices = await openNotices(config, { storage: deps.storage, warm: (text) => speech.prepare(text), clock, logger, closers });

  const admission = new AdmissionController({
    maxCallsPerS: config.SIP_MAX_CALLS_PER_S,
    maxCalls: config.sipMaxCalls,
    lagThresholdMs: config.SIP_OVERLOAD_LAG_MS,
    now: () => performance.now(),
    logger,
  });
  const lagSampler = new EventLoopLagSampler({
    onSample: (lagMs) => {
      admission.onLagSample(lagMs);
    },
  });

  const trunks = await openTrunks(config, { clock, logger, closers });

  const sipTls = await readTlsFiles({ key: 'SIP_TLS_CERT', path: config.SIP_TLS_CERT }, { key: 'SIP_TLS_KEY', path: config.SIP_TLS_KEY });
  const trustedCas = await readCaFile({ key: 'SIP_TLS_CA', path: config.SIP_TLS_CA });
  // Registered before start(): a port already taken may fail it halfway.
  const telephony = new SipTelephony({
    ...(sipTls === undefined ? {} : { tls: { port: config.SIP_TLS_PORT, settings: { ...sipTls, verifyServer: config.SIP_TLS_VERIFY_SERVER, ...(trustedCas === undefined ? {} : { trustedCas }) } } }),
    admission,
    listenAddress: config.SIP_LISTEN,
    port: config.SIP_PORT,
    publicAddress: config.publicAddress,
    media,
    logger,
    maxCallDurationMs: config.MAX_CALL_DURATION_S * 1000,
    answerDelayMs: config.SIP_ANSWER_DELAY_MS,
    credentials: deps.identity.users,
    realm: config.SIP_REALM,
    authThrottles: deps.identity.authThrottles,
    maxRegisterExpiresS: config.SIP_REGISTER_MAX_EXPIRES_S,
    tcpLimits: {
      maxConnections: config.SIP_TCP_MAX_CONNECTIONS,
      maxPerAddress: config.SIP_TCP_MAX_PER_ADDRESS,
      firstMessageTimeoutMs: config.SIP_TCP_IDLE_S * 1000,
      idleTimeoutMs: config.SIP_TCP_ESTABLISHED_IDLE_S * 1000,
    },
    inboundGate: trunks,
    trunkRegistrations: trunks.trunks.flatMap((t) => (t.registration ? [{ trunk: t.name, ...t.registration }] : [])),
    wsLimits: {
      maxConnections: config.SIP_WS_MAX_CONNECTIONS,
      maxPerAddress: config.SIP_WS_MAX_PER_ADDRESS,
      firstMessageTimeoutMs: config.SIP_TCP_IDLE_S * 1000,
      pingIntervalMs: config.SIP_WS_PING_S * 1000,
    },
    wsCallGraceMs: config.SIP_WS_CALL_GRACE_S * 1000,
    ...(config.SIP_OUTBOUND_PROXY === undefined ? {} : { outboundProxy: config.SIP_OUTBOUND_PROXY }),
    ...(config.SIP_TRUNK_USER === undefined ? {} : { trunkUser: config.SIP_TRUNK_USER }),
    ...(config.SIP_TRUNK_PASSWORD === undefined ? {} : { trunkPassword: config.SIP_TRUNK_PASSWORD }),
  });
  // The lag sampler feeds SIP admission only: it stops with SIP (its timer is unref'd meanwhile).
  lagSampler.start();
  closers.add('sip', () => {
    lagSampler.stop();
    return telephony.close();
  });

  const inboundFlowDeps = { hasPrompt: (n: string) => media.hasPrompt(n), clock, logger, closers, notices: notices.board };
  const { store: flows } = await openFlowStore('ivr flow', config.IVR_FLOW, inboundFlowDeps, (name) => queues.has(name));
  // The flows the trunks' DIDs name, validated now like IVR_FLOW: a bad one stops the start.
  const didFlows = new Map<string, FlowStore>();
  for (const file of flowFilesOf(trunks.trunks)) {
    if (file === config.IVR_FLOW) continue;
    didFlows.set(file, (await openFlowStore(`ivr flow ${file}`, file, inboundFlowDeps, (name) => queues.has(name))).store);
  }

  const acd = new Acd({ clock, logger, records: acdRecords, queues });
  closers.add('acd', async () => {
    acd.close();
    // Queue events still in its writer go to the spool before the spool closes.
    await acd.flush();
  });

  // An admin's change of an agent reaches the ACD at once: new skills (now, or at its next ready when
  // on a call); disabled, it is logged out (now, or when its call ends) and leaves the wallboard.
  const onUserUpdated = (user: User): void => {
    if (user.role !== 'agent') return;
    if (user.active) acd.updateSkills(String(user.id), user.skills);
    else acd.logoutWhenFree(String(user.id));
  };
  // A new SIP password, or a disabled agent: the phone registered with the old credentials is rung no more.
  const onSipCredentials = (e: SipCredentialsChangedEvent): void => {
    telephony.dropRegistration(e.extension);
  };
  const { observer: identityEvents } = deps.identity.identity;
  identityEvents.on('user-updated', onUserUpdated).on('sip-credentials-changed', onSipCredentials);
  closers.add('identity listeners', () => {
    identityEvents.off('user-updated', onUserUpdated).off('sip-credentials-changed', onSipCredentials);
  });

  const dispatcher = new QueueDispatcher({
    acd,
    pbx: telephony,
    records,
    clock,
    logger,
    recordingsDir: config.RECORDINGS_DIR,
    queueSettings: (name) => {
      const q = queues.get(name);
      return { displayName: q?.displayName ?? name, music: q?.music ?? 'hold-music', ringTimeoutS: q?.ringTimeoutS ?? 15 };
    },
  });
  closers.add('queue dispatcher', () => {
    dispatcher.close();
  });

  // Progress self-service (order-status node) reads orders as the system, days in the centre's time zone.
  const orders = new TicketOrderLookup({ tickets: deps.tickets, units: deps.units, timeZone: config.TZ });
  // Night mode (issue 12): queues outside their hours or with nobody logged in offer a callback or a
  // message; a message is a draft order until an agent converts or closes it.
  const messages = new MessageService({
    messages: new SequelizeVoiceMessageRepository(deps.storage.db.sequelize),
    orderExists: async (code, viewer) => {
      try {
        await deps.tickets.get(code, viewer);
        return true;
      } catch {
        return false;
      }
    },
    clock,
  });
  const afterHours = new QueueAfterHoursDesk({
    queues,
    staffedFor: (q) => acd.staffedFor(q),
    calendar: deps.calendar,
    timeZone: config.TZ,
    closedWhenUnstaffed: config.QUEUE_CLOSED_WHEN_UNSTAFFED,
    callbacks: acdRecords,
    messages,
    onCallbackRequested: (callId) => dispatcher.events.emit('callback', callId),
    clock,
    logger,
  });
  const runIvr = createIvrRunner(() => flows.current, clock, speech, orders, afterHours);
  const didRunners = new Map([...didFlows].map(([file, store]) => [file, createIvrRunner(() => store.current, clock, speech, orders, afterHours)]));
  const sessions = new Set<Promise<void>>();
  telephony.events.on('incoming', (leg) => {
    const flowFile = leg.route?.flow;
    const runLegIvr = (flowFile === undefined ? undefined : didRunners.get(flowFile)) ?? runIvr;
    const done = new InboundCallSession(leg, {
      records,
      telemetry: deps.telemetry,
      runIvr: runLegIvr,
      logger,
      enqueue: (l, q, o) => dispatcher.enqueue(l, q, o),
      notices: notices.recorder,
      messagesDir: join(config.RECORDINGS_DIR, 'messages'),
    }).run();
    sessions.add(done);
    void done.finally(() => sessions.delete(done));
  });
  await telephony.start();

  const taskClaims = new TaskClaims();
  // Every campaign's call to a number goes through the dial plan (issue 9): refused numbers never reach the trunk.
  const outboundPbx = new DialPlanPbx(telephony, deps.dialPlan, logger);
  const campaignPbx = campaignPbxes(trunks, outboundPbx);
  const preview = new PreviewTasks({
    tickets: deps.tickets,
    callbacks: acdRecords,
    acd,
    claims: taskClaims,
    pbx: campaignPbx.callback,
    dialPlan: deps.dialPlan,
    clock,
    logger,
    recordingsDir: config.RECORDINGS_DIR,
    ringTimeoutMs: config.SURVEY_RING_TIMEOUT_S * 1000,
    records,
  });
  return { media, queues, flows, acd, telephony, admission, dispatcher, sessions, outboundPbx, campaignPbx, trunks, didFlows, trunkRegistrations: { states: () => telephony.trunkRegistrationStates() }, taskClaims, preview, notices, messages, speech };
}
