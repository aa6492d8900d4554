import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createDefaultNodeRegistry } from '../../../src/ivr/default-node-registry.js';
import type { Flow } from '../../../src/ivr/flow.js';
import { parseFlow } from '../../../src/ivr/parse-flow.js';

export const SUPERVISION_FLOW = 'ivr-flows/supervision.yaml';

/** True when ivr-flows/prompts/<name>.wav exists: the real prompt library. */
export const hasRealPrompt = (name: string): boolean => existsSync(join('ivr-flows/prompts', `${name}.wav`));

/** ivr-flows/supervision.yaml, loaded as the server loads it. */
export async function loadSupervisionFlow(): Promise<Flow> {
  return parseFlow(await readFile(SUPERVISION_FLOW, 'utf8'), SUPERVISION_FLOW, { hasPrompt: hasRealPrompt, registry: createDefaultNodeRegistry() });
}
