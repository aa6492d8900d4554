import type { z } from 'zod';
import type { FlowNode } from './flow-node.js';

export type NodeBuild =
  | { readonly ok: true; readonly node: FlowNode }
  | { readonly ok: false; readonly issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[] };

/**
 * Node type → schema + constructor, like jambonz's make_task. Open: later modules register
 * `queue`, `announce`, `record`, survey nodes without touching the loader or the session.
 */
export class NodeRegistry {
  private readonly builders = new Map<string, (id: string, raw: unknown) => NodeBuild>();

  /** Adds a node type. The schema parses the node's YAML object (including `type`). */
  register<S extends z.ZodType>(type: string, schema: S, create: (id: string, params: z.output<S>) => FlowNode): this {
    if (this.builders.has(type)) throw new Error(`node type "${type}" is already registered`);
    this.builders.set(type, (id, raw) => {
      const parsed = schema.safeParse(raw);
      if (!parsed.success) return { ok: false, issues: parsed.error.issues };
      return { ok: true, node: create(id, parsed.data) };
    });
    return this;
  }

  has(type: string): boolean {
    return this.builders.has(type);
  }

  types(): string[] {
    return [...this.builders.keys()];
  }

  /** Parses and builds one node; undefined when the type is not registered. */
  build(type: string, id: string, raw: unknown): NodeBuild | undefined {
    return this.builders.get(type)?.(id, raw);
  }
}
