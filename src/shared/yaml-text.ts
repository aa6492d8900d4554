import { parseDocument } from 'yaml';

/**
 * Reading the server's YAML files (queues, trunks) for people who edit them: a syntax error names its
 * line, schema paths read like the YAML (`trunks[0].inbound.dids`), and zod's generic words are
 * reworded. Each file's parser wraps the reason in its own error class (file, item, field).
 */

/** Parses YAML text; a syntax error goes to `refuse(field, reason, cause)` (field `line N`), whose error is thrown. */
export function parseYamlText(text: string, refuse: (field: string, reason: string, cause: unknown) => Error): unknown {
  const doc = parseDocument(text);
  const error = doc.errors[0];
  if (error !== undefined) {
    const line = error.linePos?.[0].line;
    const reason = error.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? error.code;
    throw refuse(line === undefined ? '' : `line ${line}`, `YAML syntax: ${reason}`, error);
  }
  try {
    return doc.toJS();
  } catch (err) {
    throw refuse('', `YAML: ${err instanceof Error ? err.message : String(err)}`, err);
  }
}

/** A zod issue path as YAML readers write it: `inbound.dids`, `addresses[1]`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}

/** Rewords zod's generic messages for people editing YAML. */
export function describeIssue(message: string): string {
  const missing = /^Invalid input: expected (\w+), received undefined$/.exec(message);
  if (missing) return `required (${missing[1] ?? 'a value'})`;
  const unknown = /^Unrecognized keys?: (.*)$/.exec(message);
  if (unknown) return `unknown field ${unknown[1] ?? ''}`.trim();
  return message;
}
