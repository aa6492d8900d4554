import { parseArgs } from 'node:util';
import { z } from 'zod';
import { CN_OFFSET_MS } from './time.js';

export interface GenerateArgs {
  readonly url: string;
  readonly orders: number;
  readonly calls: number;
  readonly days: number;
  readonly seed: number;
  /** Local date (UTC+8) the history ends at (exclusive): its midnight is "now". */
  readonly end: string;
}

const count = z.coerce.number().int().min(0).max(100_000_000);
const schema = z.object({
  url: z.string().regex(/^(mysql|mariadb):\/\//, 'must be mysql://user@host:port/<database>'),
  orders: count.default(1_000_000),
  calls: count.default(5_000_000),
  days: z.coerce.number().int().min(1).max(400).default(90),
  seed: z.coerce.number().int().min(0).default(1),
  end: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD')
    .optional(),
  scale: z.coerce.number().positive().max(10).default(1),
});

/** Command-line options, validated (the refusal names the option). */
export function parseGenerateArgs(argv: readonly string[]): GenerateArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: { url: { type: 'string' }, orders: { type: 'string' }, calls: { type: 'string' }, days: { type: 'string' }, seed: { type: 'string' }, end: { type: 'string' }, scale: { type: 'string' } },
  });
  const parsed = schema.safeParse(values);
  if (!parsed.success) {
    throw new Error(`invalid options: ${parsed.error.issues.map((i) => `--${i.path.join('.')} ${i.message}`).join('; ')}`);
  }
  const v = parsed.data;
  // Default end: today's local date, so the history is the `days` full days before today.
  const end = v.end ?? new Date(Date.now() + CN_OFFSET_MS).toISOString().slice(0, 10);
  return { url: v.url, orders: Math.round(v.orders * v.scale), calls: Math.round(v.calls * v.scale), days: v.days, seed: v.seed, end };
}
