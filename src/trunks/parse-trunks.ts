import { isIP } from 'node:net';
import { z } from 'zod';
import { describeIssue, fieldPath, parseYamlText } from '../shared/yaml-text.js';
import { parseAddressBlock, type AddressBlock } from './address-matcher.js';
import { TrunkFileError } from './trunk-file-error.js';

/** The campaigns that place calls to numbers; each may be routed through one trunk. */
export const CAMPAIGNS = ['supervision', 'survey', 'callback'] as const;
export type Campaign = (typeof CAMPAIGNS)[number];

/** A flow value meaning "the server's inbound flow" (config IVR_FLOW) rather than a file of its own. */
export const IVR_FLOW = 'IVR_FLOW';

/** Codecs the media engine speaks (RFC 3551 payload types 0 and 8). */
export const TRUNK_CODECS = ['PCMU', 'PCMA'] as const;
export type TrunkCodec = (typeof TRUNK_CODECS)[number];

export interface TrunkCredentials {
  readonly username: string;
  readonly password: string;
}

/** REGISTER to the carrier (RFC 3261 §10.2) so it sends our DIDs here. */
export interface TrunkRegistration extends TrunkCredentials {
  /** SIP URI with an IP literal host: where the REGISTER goes. */
  readonly registrar: string;
  /** The address of record's user part (default: username). */
  readonly aorUser: string;
  /** Asked for in Expires; refreshed before half of what the carrier granted has passed. */
  readonly expiresS: number;
}

export interface TrunkOutbound {
  /** SIP URI with an IP literal host: `tel:` numbers of the campaigns below go there. */
  readonly proxy: string;
  readonly campaigns: readonly Campaign[];
  /** Answer the carrier's 401/407 with these. */
  readonly credentials: TrunkCredentials | undefined;
}

/** One trunk of the trunks file, defaults applied. */
export interface TrunkDefinition {
  readonly name: string;
  /** IP literals and CIDR blocks the carrier's signalling comes from. */
  readonly addresses: readonly AddressBlock[];
  /** Host names whose DNS A records are added to `addresses` (resolved at start and refreshed). */
  readonly hosts: readonly string[];
  /** Dialled number (separators removed) → flow file, or IVR_FLOW. */
  readonly dids: ReadonlyMap<string, string>;
  /** Flow for numbers not in `dids`; undefined: they get 404. */
  readonly defaultFlow: string | undefined;
  readonly outbound: TrunkOutbound | undefined;
  readonly registration: TrunkRegistration | undefined;
  /** Codecs allowed on this trunk's inbound calls (the others are removed from the carrier's SDP offer). */
  readonly codecs: readonly TrunkCodec[];
}

export type TrunkDefinitions = readonly TrunkDefinition[];

/** Longest dialled number looked up (E.164 is at most 15 digits; a prefix or a `+` leaves room). */
export const MAX_DID_LENGTH = 32;

/** A number as dialled, separators dropped; undefined when it is not a number (letters, too long). */
export function normaliseDid(raw: string): string | undefined {
  if (raw.length > 64) return undefined;
  const cleaned = raw.replace(/[\s().-]/g, '');
  return /^\+?[0-9*#]{1,32}$/.test(cleaned) ? cleaned : undefined;
}

/** Host of `sip:[user@]host[:port][;params]` when it is an IP literal (IPv6 in brackets); else undefined. */
export function ipHostOf(uri: string): string | undefined {
  const m = /^sips?:(?:[^@;]{1,64}@)?(?:\[([0-9a-fA-F:.]{2,45})\]|(\d{1,3}(?:\.\d{1,3}){3}))(?::\d{1,5})?(?:;[A-Za-z0-9=;._-]{0,200})?$/.exec(uri);
  const host = m?.[1] ?? m?.[2];
  return host !== undefined && isIP(host) !== 0 ? host : undefined;
}
const sipUriWithIp = z
  .string()
  .refine((uri) => ipHostOf(uri) !== undefined, 'must be a SIP URI with an IP literal host, e.g. sip:203.0.113.5:5060 (the SIP stack does not use DNS)');
const flowValue = z
  .string()
  .trim()
  .refine((v) => v === IVR_FLOW || /^[^\0]{1,255}\.ya?ml$/.test(v), `must be a flow file (*.yaml) or ${IVR_FLOW} (the server's inbound flow)`);
const user = z.string().min(1, 'must not be empty').max(64, 'must be at most 64 characters').regex(/^[A-Za-z0-9_.!~*'()&=+$,;?/%-]+$/, 'must be a SIP user name (letters, digits, - _ . + …)');
const secret = z.string().min(1, 'must not be empty').max(128, 'must be at most 128 characters');
const HOST_NAME = /^(?=.{1,253}$)(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*\.?$/;

const trunkSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'trunk names are 1-64 lower-case letters, digits, - and _'),
  addresses: z.array(z.string()).max(256, 'at most 256 entries').default([]),
  hosts: z
    .array(z.string().refine((h) => HOST_NAME.test(h) && isIP(h.replace(/\.$/, '')) === 0, 'must be a DNS host name (IP literals go in "addresses")'))
    .max(16, 'at most 16 host names')
    .default([]),
  inbound: z
    .strictObject({
      dids: z.record(z.string(), flowValue).default({}),
      defaultFlow: flowValue.optional(),
    })
    .default({ dids: {} }),
  outbound: z
    .strictObject({
      proxy: sipUriWithIp,
      campaigns: z.array(z.enum(CAMPAIGNS)).min(1, `must list at least one of ${CAMPAIGNS.join(', ')}`),
      username: user.optional(),
      password: secret.optional(),
    })
    .refine((o) => (o.username === undefined) === (o.password === undefined), { path: ['password'], message: 'username and password go together' })
    .optional(),
  registration: z
    .strictObject({
      registrar: sipUriWithIp,
      username: user,
      password: secret,
      aorUser: user.optional(),
      expiresS: z.number().int('must be a whole number of seconds').min(60, 'must be ≥ 60').max(86_400, 'must be ≤ 86400').default(3600),
    })
    .optional(),
  codecs: z.array(z.enum(TRUNK_CODECS)).min(1, 'must list at least one codec').default([...TRUNK_CODECS]),
});

const fileSchema = z.strictObject({
  trunks: z.array(z.unknown()).min(1, 'must define at least one trunk').max(64, 'at most 64 trunks'),
});

/**
 * Parses and validates a trunks file's text (pure: the caller reads the file). Throws TrunkFileError
 * naming the file, the trunk and the field: YAML syntax, schema, a bad address or CIDR block, a DID
 * that is not a number, two trunks with one name, and an address or a campaign claimed by two trunks
 * (a packet must belong to one carrier, a campaign dial out one way). `flowExists` checks each named
 * flow file (the caller decides how).
 */
export function parseTrunks(text: string, file: string): TrunkDefinitions {
  const top = fileSchema.safeParse(parseYamlText(text, (field, reason, cause) => new TrunkFileError(file, undefined, field, reason, { cause })));
  if (!top.success) {
    const issue = top.error.issues[0];
    throw new TrunkFileError(file, undefined, fieldPath(issue?.path ?? []), describeIssue(issue?.message ?? 'invalid trunks file'));
  }
  const trunks: TrunkDefinition[] = [];
  top.data.trunks.forEach((value, index) => {
    const named = typeof value === 'object' && value !== null && 'name' in value && typeof value.name === 'string' ? value.name : `#${index + 1}`;
    const parsed = trunkSchema.safeParse(value ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new TrunkFileError(file, named, fieldPath(issue?.path ?? []), describeIssue(issue?.message ?? 'invalid trunk'));
    }
    const t = parsed.data;
    if (trunks.some((other) => other.name === t.name)) throw new TrunkFileError(file, t.name, 'name', 'two trunks have this name');
    if (t.addresses.length === 0 && t.hosts.length === 0) throw new TrunkFileError(file, t.name, 'addresses', 'list the carrier\'s addresses (or "hosts"): a trunk nobody may call from takes no calls');
    const addresses = t.addresses.map((a, i) => {
      try {
        return parseAddressBlock(a);
      } catch (err) {
        throw new TrunkFileError(file, t.name, `addresses[${i}]`, err instanceof Error ? err.message : String(err));
      }
    });
    const dids = new Map<string, string>();
    for (const [raw, flow] of Object.entries(t.inbound.dids)) {
      const did = normaliseDid(raw);
      if (did === undefined) throw new TrunkFileError(file, t.name, `inbound.dids.${raw}`, 'a DID is a number of 1-32 digits (+, *, # and the separators - . space allowed)');
      if (dids.has(did)) throw new TrunkFileError(file, t.name, `inbound.dids.${raw}`, `the number ${did} is listed twice`);
      dids.set(did, flow);
    }
    for (const campaign of t.outbound?.campaigns ?? []) {
      const other = trunks.find((o) => o.outbound?.campaigns.includes(campaign));
      if (other) throw new TrunkFileError(file, t.name, 'outbound.campaigns', `"${campaign}" already dials out through trunk "${other.name}"`);
    }
    const o = t.outbound;
    const r = t.registration;
    trunks.push({
      name: t.name,
      addresses,
      hosts: t.hosts.map((h) => h.replace(/\.$/, '').toLowerCase()),
      dids,
      defaultFlow: t.inbound.defaultFlow,
      outbound: o && {
        proxy: o.proxy,
        campaigns: [...new Set(o.campaigns)],
        credentials: o.username !== undefined && o.password !== undefined ? { username: o.username, password: o.password } : undefined,
      },
      registration: r && { registrar: r.registrar, username: r.username, password: r.password, aorUser: r.aorUser ?? r.username, expiresS: r.expiresS },
      codecs: [...new Set(t.codecs)],
    });
  });
  return trunks;
}

/** Every flow file a trunks file names (IVR_FLOW excluded), once each. */
export function flowFilesOf(trunks: TrunkDefinitions): string[] {
  const files = new Set<string>();
  for (const t of trunks) {
    for (const flow of [...t.dids.values(), ...(t.defaultFlow === undefined ? [] : [t.defaultFlow])]) if (flow !== IVR_FLOW) files.add(flow);
  }
  return [...files];
}
