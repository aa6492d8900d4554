/**
 * The two plans of `npm run bench`: the full run (issue 15's ladder, for a quiet machine) and
 * `--quick` (a smoke run of every phase in a few minutes), plus the command-line options.
 */

export interface Plan {
  mode: 'full' | 'quick';
  /** Set-up ladder: offered call rates (calls/s), ascending; the ladder stops at the first collapse. */
  rates: number[];
  /** Seconds of new calls at each rate. */
  rateStepS: number;
  /** How long each call of the ladder is held (ms). */
  holdMs: number;
  /** Overload step: seconds of offered load (≈ 2× the clean ceiling). */
  overloadS: number;
  /** Overload step: how long to wait for recovery after the load stops (s). */
  recoveryBoundS: number;
  /** Media step: concurrent IVR calls with caller RTP, ascending. */
  mediaLevels: number[];
  /** Media step: calls per second while ramping up to a level. */
  mediaRampRate: number;
  /** Media step: seconds of outgoing RTP captured once every call of the level is up. */
  captureS: number;
  /** Agents of the ACD phase (twice as many callers). */
  acdAgents: number;
  /** Whole-run budget (s): a step that would not fit is skipped and named in the report. */
  budgetS: number;
}

export const FULL: Plan = {
  mode: 'full',
  rates: [100, 200, 300, 400, 600, 800, 1000, 1200, 1600],
  rateStepS: 20,
  holdMs: 1000,
  overloadS: 20,
  recoveryBoundS: 30,
  mediaLevels: [500, 1000, 1500, 2000],
  mediaRampRate: 100,
  captureS: 10,
  acdAgents: 50,
  budgetS: 1800,
};

export const QUICK: Plan = {
  mode: 'quick',
  rates: [50, 100],
  rateStepS: 5,
  holdMs: 1000,
  overloadS: 8,
  recoveryBoundS: 15,
  mediaLevels: [200],
  mediaRampRate: 50,
  captureS: 5,
  acdAgents: 10,
  budgetS: 480,
};

export type Phase = 'ladder' | 'kamailio' | 'overload' | 'media' | 'acd';
export const PHASES: readonly Phase[] = ['ladder', 'kamailio', 'overload', 'media', 'acd'];

export interface Options {
  plan: Plan;
  /** Phases to run (default all; --only=ladder,media). */
  phases: Set<Phase>;
  /** MEDIA_WORKERS for every server of the run (default auto, the server's own default: the test harness that starts the servers pins 1 otherwise). */
  mediaWorkers: string;
  /** --rates=100,200: replaces the plan's ladder. */
  rates: number[] | undefined;
  /** --media=500,1000: replaces the plan's media levels. */
  mediaLevels: number[] | undefined;
  /** --server-env=KEY=VALUE (repeatable): set on every server of the ladder, overload and media steps, over the benchmark's own settings. */
  serverEnv: Record<string, string>;
}

export const USAGE =
  `usage: npm run bench [-- [--quick] [--media-workers=N] [--only=${PHASES.join(',')}] [--rates=R1,R2,...] [--media=N1,N2,...] [--server-env=KEY=VALUE ...]]`;

function positiveList(name: string, value: string): number[] {
  const list = value.split(',').map(Number);
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n <= 0)) {
    throw new Error(`${name} needs a comma-separated list of positive integers, got "${value}"`);
  }
  return list.sort((a, b) => a - b);
}

/** Parses the command line; throws with a message naming the bad argument. */
export function parseOptions(argv: readonly string[]): Options {
  const options: Options = { plan: FULL, phases: new Set(PHASES), mediaWorkers: 'auto', rates: undefined, mediaLevels: undefined, serverEnv: {} };
  for (const arg of argv) {
    const [name, value] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (name === '--quick' && value === undefined) {
      options.plan = QUICK;
    } else if (name === '--media-workers' && value !== undefined) {
      if (!/^(?:\d{1,3}|auto)$/.test(value)) throw new Error(`--media-workers is a count (0 = in-process) or auto, got "${value}"`);
      options.mediaWorkers = value;
    } else if (name === '--only' && value !== undefined) {
      const wanted = value.split(',');
      const unknown = wanted.filter((p) => !(PHASES as readonly string[]).includes(p));
      if (unknown.length > 0) throw new Error(`--only: unknown phase(s) ${unknown.join(', ')} (known: ${PHASES.join(', ')})`);
      options.phases = new Set(wanted as Phase[]);
    } else if (name === '--rates' && value !== undefined) {
      options.rates = positiveList('--rates', value);
    } else if (name === '--media' && value !== undefined) {
      options.mediaLevels = positiveList('--media', value);
    } else if (name === '--server-env' && value !== undefined) {
      const match = /^([A-Z][A-Z0-9_]{0,63})=(.{0,1000})$/.exec(value);
      if (match?.[1] === undefined || match[2] === undefined) throw new Error(`--server-env needs KEY=VALUE with an upper-case KEY, got "${value}"`);
      options.serverEnv[match[1]] = match[2];
    } else {
      throw new Error(`unknown argument "${arg}"`);
    }
  }
  return options;
}
