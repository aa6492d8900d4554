import type { RegisteredPhone } from '@wire/agent-desk';

/**
 * Where the 网页话机 choice is kept, per agent (a seat's browser is shared across shifts):
 * localStorage holds the agent's own click ('on' / 'off'), sessionStorage (this tab, kept over a
 * reload) the page's own decision, taken once per tab so that coming back to the desk page neither
 * decides again from an old `hello` nor takes the extension from a desk softphone that took it back.
 */
export const webPhoneKey = (agentId: string): string => `hotline.webPhone.${agentId}`;

/** What the page does with its phone, and whether that was the agent's click or its own decision. */
export interface WebPhoneChoice {
  readonly on: boolean;
  readonly auto: boolean;
}

interface ChoiceStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/**
 * Whether the desk page starts its 网页话机 once the desk's `hello` said how the extension is
 * registered. The agent's click wins. Else this tab's earlier decision. Else: on unless a desk softphone
 * has the extension (one registration per extension, the newest wins: starting would take the calls
 * away from it), so an agent with only a browser is registered as it signs in and one with a desk
 * phone keeps it; a browser already registered (another tab, this one before a reload) counts as no
 * desk phone. When the server did not say (`undefined`: WebRTC media off), it stays off.
 */
export function decideWebPhone(agentId: string, registered: RegisteredPhone | undefined, clicked: ChoiceStore, tab: ChoiceStore): WebPhoneChoice {
  const key = webPhoneKey(agentId);
  const click = clicked.getItem(key);
  if (click === 'on' || click === 'off') return { on: click === 'on', auto: false };
  const earlier = tab.getItem(key);
  if (earlier === 'on' || earlier === 'off') return { on: earlier === 'on', auto: true };
  const on = registered === null || registered === 'browser';
  tab.setItem(key, on ? 'on' : 'off');
  return { on, auto: true };
}

/** The agent clicked the switch: remembered for this agent in this browser. */
export function rememberClick(agentId: string, on: boolean, clicked: ChoiceStore): void {
  clicked.setItem(webPhoneKey(agentId), on ? 'on' : 'off');
}

/**
 * What became of a phone the page started by itself, kept as this tab's decision: taken over (a desk
 * softphone or another tab registered the extension) → off, so the tab does not take it back by itself,
 * not even when the desk page is opened again; registered again (在此接听) → on.
 */
export function rememberTabDecision(agentId: string, on: boolean, tab: ChoiceStore): void {
  tab.setItem(webPhoneKey(agentId), on ? 'on' : 'off');
}
