import { parseDocument } from 'yaml';
import { z } from 'zod';
import { createDefaultNodeRegistry } from './default-node-registry.js';
import { Flow } from './flow.js';
import { FlowError } from './flow-error.js';
import type { FlowNode } from './flow-node.js';
import type { NodeRegistry } from './node-registry.js';
import { describeIssue, fieldPath, isNodeId } from './node-schemas.js';

export interface ParseFlowOptions {
  /** True when the prompt library has this prompt (e.g. a file `ivr-flows/prompts/<name>.wav`). */
  readonly hasPrompt: (name: string) => boolean;
  /** Node types; defaults to the built-in ones. */
  readonly registry?: NodeRegistry;
}

const fileSchema = z.strictObject({
  name: z.string().min(1, 'must not be empty'),
  start: z.string().min(1, 'must name the first node'),
  nodes: z.record(z.string(), z.unknown()).refine((n) => Object.keys(n).length > 0, 'must define at least one node'),
  /** Node ids whose reaching completes a self-service (自助服务完成率, docs/ivr-measures.md). */
  selfService: z.array(z.string()).optional(),
});

/**
 * Parses and validates a flow file's text. Pure: no I/O, so FlowStore and tests feed it text.
 * Throws FlowError naming `file`, the node and the reason for the first problem found:
 * YAML syntax (with the line), schema, unknown node type, dangling reference, unknown prompt,
 * a loop through nodes none of which waits for the caller. Unreachable nodes are allowed.
 */
export function parseFlow(text: string, file: string, options: ParseFlowOptions): Flow {
  const registry = options.registry ?? createDefaultNodeRegistry();
  const raw = parseYaml(text, file);

  const top = fileSchema.safeParse(raw);
  if (!top.success) {
    const issue = top.error.issues[0];
    throw new FlowError(file, undefined, fieldPath(issue?.path ?? []), describeIssue(issue?.message ?? 'invalid flow'));
  }

  const nodes = new Map<string, FlowNode>();
  for (const [id, value] of Object.entries(top.data.nodes)) nodes.set(id, buildNode(registry, file, id, value));

  for (const node of nodes.values()) {
    for (const ref of node.references()) {
      if (!nodes.has(ref.target)) throw new FlowError(file, node.id, ref.field, `unknown node "${ref.target}"`);
    }
  }
  if (!nodes.has(top.data.start)) throw new FlowError(file, undefined, 'start', `unknown node "${top.data.start}"`);
  const selfService = top.data.selfService ?? [];
  selfService.forEach((id, i) => {
    if (!nodes.has(id)) throw new FlowError(file, undefined, `selfService[${i}]`, `unknown node "${id}"`);
  });

  for (const node of nodes.values()) {
    for (const prompt of node.prompts()) {
      if (!options.hasPrompt(prompt.name)) throw new FlowError(file, node.id, prompt.field, `unknown prompt "${prompt.name}"`);
    }
  }

  const loop = findLoopWithoutInput(nodes);
  if (loop !== undefined) {
    const [first = ''] = loop;
    throw new FlowError(file, first, '', `loop with no menu or collect in it: ${[...loop, first].join(' → ')} (the caller could never leave it)`);
  }

  return new Flow(top.data.name, top.data.start, nodes, file, new Set(selfService));
}

function parseYaml(text: string, file: string): unknown {
  const doc = parseDocument(text);
  const error = doc.errors[0];
  if (error !== undefined) {
    const line = error.linePos?.[0].line;
    const reason = error.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? error.code;
    throw new FlowError(file, undefined, line === undefined ? '' : `line ${line}`, `YAML syntax: ${reason}`, { cause: error });
  }
  try {
    return doc.toJS();
  } catch (err) {
    throw new FlowError(file, undefined, '', `YAML: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

function buildNode(registry: NodeRegistry, file: string, id: string, value: unknown): FlowNode {
  if (!isNodeId(id)) throw new FlowError(file, id, '', 'node ids are letters, digits, - and _');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FlowError(file, id, '', 'must be a mapping with a "type"');
  }
  const type: unknown = (value as Record<string, unknown>).type;
  const known = registry.types().join(', ');
  if (typeof type !== 'string') throw new FlowError(file, id, 'type', `missing or not a string (one of: ${known})`);
  const built = registry.build(type, id, value);
  if (built === undefined) throw new FlowError(file, id, 'type', `unknown node type "${type}" (one of: ${known})`);
  if (!built.ok) {
    const issue = built.issues[0];
    throw new FlowError(file, id, fieldPath(issue?.path ?? []), describeIssue(issue?.message ?? 'invalid node'));
  }
  return built.node;
}

/**
 * A cycle through nodes that never wait for input would spin for ever (or until the node cap):
 * e.g. `a: goto b`, `b: goto a`. Returns the node ids of the first such cycle, in order.
 */
function findLoopWithoutInput(nodes: ReadonlyMap<string, FlowNode>): string[] | undefined {
  const done = new Set<string>();
  const stack: string[] = [];
  const onStack = new Set<string>();

  const visit = (id: string): string[] | undefined => {
    const node = nodes.get(id);
    if (node === undefined || node.waitsForInput || done.has(id)) return undefined;
    if (onStack.has(id)) return stack.slice(stack.indexOf(id));
    stack.push(id);
    onStack.add(id);
    for (const ref of node.references()) {
      const loop = visit(ref.target);
      if (loop !== undefined) return loop;
    }
    stack.pop();
    onStack.delete(id);
    done.add(id);
    return undefined;
  };

  for (const id of nodes.keys()) {
    const loop = visit(id);
    if (loop !== undefined) return loop;
  }
  return undefined;
}
