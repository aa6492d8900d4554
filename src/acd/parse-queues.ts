import { z } from 'zod';
import { describeIssue, fieldPath, parseYamlText } from '../shared/yaml-text.js';
import { QueueFileError } from './queue-file-error.js';
import { serviceHoursSchema, type ServiceHours } from './service-hours.js';

export type OnMaxWait = 'overflow' | 'callback-offer' | 'keep-waiting';

/** One queue of ivr-flows/queues.yaml, defaults applied. Times in seconds. */
export interface QueueDefinition {
  readonly name: string;
  /** Shown on the wallboard and to agents, e.g. 投诉举报. */
  readonly displayName: string;
  /** An agent is offered this queue's calls only when it has every one of these skills. */
  readonly skills: readonly string[];
  /** GB/T 33358-2016: answered by a human within 15 s. */
  readonly serviceLevelS: number;
  readonly maxWaitS: number;
  readonly overflow: string | null;
  readonly onMaxWait: OnMaxWait;
  /** Prompt played while waiting. */
  readonly music: string;
  /** Position / expected-wait announcement interval; 0 = never. */
  readonly announceEveryS: number;
  /** The dial timeout the glue uses when ringing an agent. */
  readonly ringTimeoutS: number;
  /** After-call work before the agent is offered another call; 0 = ready at once. */
  readonly wrapUpS: number;
  /** Service hours (服务时间); null = around the clock. Outside them the IVR offers a callback or a message. */
  readonly hours: ServiceHours | null;
}

export type QueueDefinitions = ReadonlyMap<string, QueueDefinition>;

export interface ParseQueuesOptions {
  /** True when the prompt library has this prompt; when absent, `music` is not checked. */
  readonly hasPrompt?: (name: string) => boolean;
}

const seconds = (max: number) => z.number().int('must be a whole number of seconds').min(0, 'must be ≥ 0').max(max, `must be ≤ ${max}`);

const queueSchema = z.strictObject({
  displayName: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(64, 'must be at most 64 characters')
    .regex(/\p{Script=Han}/u, 'must be in Chinese (it is read by agents and on the wallboard)'),
  skills: z.array(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'skills are lower-case letters, digits, - and _')).min(1, 'must list at least one skill'),
  serviceLevelS: seconds(3600).default(15),
  maxWaitS: seconds(86_400).min(1, 'must be ≥ 1').default(120),
  overflow: z.string().nullable().default(null),
  onMaxWait: z.enum(['overflow', 'callback-offer', 'keep-waiting']).default('callback-offer'),
  music: z.string().min(1, 'must not be empty').default('hold-music'),
  announceEveryS: seconds(3600).default(30),
  ringTimeoutS: seconds(300).min(1, 'must be ≥ 1').default(15),
  wrapUpS: seconds(3600).default(30),
  hours: serviceHoursSchema.nullable().default(null),
});

const fileSchema = z.strictObject({
  queues: z.record(z.string(), z.unknown()).refine((q) => Object.keys(q).length > 0, 'must define at least one queue'),
});

const QUEUE_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/**
 * Parses and validates a queues file's text (pure: the caller reads the file). Throws QueueFileError
 * naming the file, the queue and the field: YAML syntax, schema, a bad queue name, an unknown
 * `music` prompt, `overflow` naming an unknown queue or itself, `onMaxWait: overflow` without an
 * `overflow` queue, and overflow chains that loop (a caller would bounce between queues for ever).
 */
export function parseQueues(text: string, file: string, options: ParseQueuesOptions = {}): QueueDefinitions {
  const raw = parseYamlText(text, (field, reason, cause) => new QueueFileError(file, undefined, field, reason, { cause }));
  const top = fileSchema.safeParse(raw);
  if (!top.success) {
    const issue = top.error.issues[0];
    throw new QueueFileError(file, undefined, fieldPath(issue?.path ?? []), describeIssue(issue?.message ?? 'invalid queues file'));
  }
  const queues = new Map<string, QueueDefinition>();
  for (const [name, value] of Object.entries(top.data.queues)) {
    if (!QUEUE_NAME.test(name)) throw new QueueFileError(file, name, '', 'queue names are 1-64 lower-case letters, digits, - and _');
    const parsed = queueSchema.safeParse(value ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new QueueFileError(file, name, fieldPath(issue?.path ?? []), describeIssue(issue?.message ?? 'invalid queue'));
    }
    queues.set(name, { name, ...parsed.data });
  }
  for (const q of queues.values()) {
    if (q.overflow !== null && !queues.has(q.overflow)) throw new QueueFileError(file, q.name, 'overflow', `unknown queue "${q.overflow}"`);
    if (q.overflow === q.name) throw new QueueFileError(file, q.name, 'overflow', 'a queue cannot overflow to itself');
    if (q.onMaxWait === 'overflow' && q.overflow === null) {
      throw new QueueFileError(file, q.name, 'onMaxWait', '"overflow" needs an overflow queue');
    }
    if (options.hasPrompt !== undefined && !options.hasPrompt(q.music)) throw new QueueFileError(file, q.name, 'music', `unknown prompt "${q.music}"`);
  }
  for (const q of queues.values()) {
    const seen = [q.name];
    let next = overflowTarget(queues, q.name);
    while (next !== undefined) {
      if (seen.includes(next)) throw new QueueFileError(file, q.name, 'overflow', `overflow loop: ${[...seen, next].join(' → ')}`);
      seen.push(next);
      next = overflowTarget(queues, next);
    }
  }
  return queues;
}

/** Where a caller of `name` goes at max wait, if the queue overflows at all. */
function overflowTarget(queues: QueueDefinitions, name: string): string | undefined {
  const q = queues.get(name);
  return q !== undefined && q.onMaxWait === 'overflow' && q.overflow !== null ? q.overflow : undefined;
}
