import { NodeRegistry } from './node-registry.js';
import { CollectNode } from './nodes/collect-node.js';
import { GotoNode } from './nodes/goto-node.js';
import { HangupNode } from './nodes/hangup-node.js';
import { MenuNode } from './nodes/menu-node.js';
import { PlayNode } from './nodes/play-node.js';
import { QueueNode } from './nodes/queue-node.js';
import { SayDigitsNode } from './nodes/say-digits-node.js';
import { SayNumberNode } from './nodes/say-number-node.js';
import { OrderStatusNode } from './nodes/order-status-node.js';
import { SpeakNode } from './nodes/speak-node.js';
import { NoticesNode, type NoticeSource } from './nodes/notices-node.js';
import { CallbackRequestNode } from './nodes/callback-request-node.js';
import { RecordMessageNode } from './nodes/record-message-node.js';

export interface DefaultNodeOptions {
  /** True for a queue the queues file defines; without it the `queue` node is not available. */
  readonly isQueue?: (name: string) => boolean;
  /** Notices in force for the `notices` node; without it the node reads none (and takes no time). */
  readonly notices?: NoticeSource;
}

const NO_NOTICES: NoticeSource = { activeAt: () => [] };

/** A registry with the built-in node types; callers register more (announce, record…) on it. */
export function createDefaultNodeRegistry(options: DefaultNodeOptions = {}): NodeRegistry {
  const registry = new NodeRegistry()
    .register(PlayNode.type, PlayNode.schema, (id, p) => new PlayNode(id, p))
    .register(MenuNode.type, MenuNode.schema, (id, p) => new MenuNode(id, p))
    .register(CollectNode.type, CollectNode.schema, (id, p) => new CollectNode(id, p))
    .register(SayDigitsNode.type, SayDigitsNode.schema, (id, p) => new SayDigitsNode(id, p))
    .register(SayNumberNode.type, SayNumberNode.schema, (id, p) => new SayNumberNode(id, p))
    .register(SpeakNode.type, SpeakNode.schema, (id, p) => new SpeakNode(id, p))
    .register(OrderStatusNode.type, OrderStatusNode.schema, (id, p) => new OrderStatusNode(id, p))
    .register(NoticesNode.type, NoticesNode.schema, (id, p) => new NoticesNode(id, p, options.notices ?? NO_NOTICES))
    .register(CallbackRequestNode.type, CallbackRequestNode.schema, (id, p) => new CallbackRequestNode(id, p))
    .register(RecordMessageNode.type, RecordMessageNode.schema, (id, p) => new RecordMessageNode(id, p))
    .register(GotoNode.type, GotoNode.schema, (id, p) => new GotoNode(id, p))
    .register(HangupNode.type, HangupNode.schema, (id, p) => new HangupNode(id, p));
  if (options.isQueue) registry.register(QueueNode.type, QueueNode.schema(options.isQueue), (id, p) => new QueueNode(id, p));
  return registry;
}
