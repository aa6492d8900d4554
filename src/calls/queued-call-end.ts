/** How the queued part of a call ended: who hung up the conversation, or why there was none. */
export type QueuedCallEnd =
  | { readonly kind: 'talked'; readonly endedBy: 'caller' | 'callee' }
  | { readonly kind: 'abandoned' }
  | { readonly kind: 'callback' };
