import { z } from 'zod';

/** Shared pieces of node schemas. Messages here end up in FlowError reasons, so they say why. */

export const DIGIT_KEYS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#'] as const;
export type DigitKey = (typeof DIGIT_KEYS)[number];

export function isDigitKey(key: string): key is DigitKey {
  return (DIGIT_KEYS as readonly string[]).includes(key);
}

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

export function isNodeId(id: string): boolean {
  return ID_PATTERN.test(id);
}

export const nodeId = z.string().regex(ID_PATTERN, 'must be a node id (letters, digits, - and _)');

export const promptName = z.string().min(1, 'must not be empty');

/** A list of prompt names; the main prompt of a node must have at least one. */
export const promptList = z.array(promptName).min(1, 'must list at least one prompt');

/** A list of prompt names that may be empty (silence), e.g. `invalidPrompt: []`. */
export const optionalPromptList = z.array(promptName);

export const digitKey = z.enum(DIGIT_KEYS, { error: 'must be one key: 0-9, * or #' });

/** Seconds, as written in flow files (converted to ms when the node runs). */
export const seconds = z.number().positive('must be more than 0 seconds').max(120, 'must be at most 120 seconds');

export const retries = z.number().int('must be a whole number').min(0).max(9);

export const variableName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a variable name (letters, digits, _)');

/** Renders a zod issue path the way flow errors name fields: `options."1"`, `prompts[0]`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else {
      const name = String(part);
      const plain = /^[A-Za-z_][A-Za-z0-9_]*$/.test(name);
      const quoted = plain ? name : `"${name}"`;
      out += out === '' ? quoted : `.${quoted}`;
    }
  }
  return out;
}

/** Rewords zod's generic messages for people editing YAML: `required`, `unknown field`. */
export function describeIssue(message: string): string {
  const missing = /^Invalid input: expected (\w+), received undefined$/.exec(message);
  if (missing) return `required (${missing[1] ?? 'a value'})`;
  const unknown = /^Unrecognized keys?: (.*)$/.exec(message);
  if (unknown) return `unknown field ${unknown[1] ?? ''}`.trim();
  return message;
}
