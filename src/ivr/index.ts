/** Public surface of the IVR module (what calls/ and main.ts import). */
export { createDefaultNodeRegistry, type DefaultNodeOptions } from './default-node-registry.js';
export { QueueNode } from './nodes/queue-node.js';
export { Flow } from './flow.js';
export { FlowError } from './flow-error.js';
export type { FlowNode, NodeRef, NodeResult, PromptRef } from './flow-node.js';
export { FlowStore, type FlowStoreEvents, type FlowStoreOptions, type ReadText, type ReloadResult, type WatchFile } from './flow-store.js';
export type { IvrChannel, PlayOutcome } from './ivr-channel.js';
export type { IvrFailure, IvrOutcome, IvrResult } from './ivr-result.js';
export { DEFAULT_MAX_NODES, IvrSession, type IvrSessionEvents, type IvrSessionOptions } from './ivr-session.js';
export { KeyBuffer, type KeyWait } from './key-buffer.js';
export { NodeContext } from './node-context.js';
export { NodeRegistry, type NodeBuild } from './node-registry.js';
export { parseFlow, type ParseFlowOptions } from './parse-flow.js';
export { SpeakNode, SPEECH_FALLBACK_PROMPT } from './nodes/speak-node.js';
export type { Speech } from './speech/speech.js';
export { parseTemplate, renderTemplate, templateVariables, type TemplatePart } from './speech/template.js';
