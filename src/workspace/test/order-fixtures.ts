/** Orders and a fake `/api/v1` for the order component tests. */
import ElementPlus from 'element-plus';
import { vi } from 'vitest';
import type { TicketEventJson, TicketJson } from '../src/api/tickets';

export function order(over: Partial<TicketJson> = {}): TicketJson {
  return {
    id: 1,
    code: '20261120-000001',
    requestType: 'help',
    requestTypeName: '求助',
    categoryId: 2,
    content: '家中室温只有十四度，暖气不热',
    address: '朝阳门北大街3号楼',
    residentName: '欧阳娜娜',
    residentPhone: '13812345678',
    doNotCall: false,
    urgency: 'normal',
    urgencyName: '一般',
    answeredOnCall: false,
    callId: null,
    handlingUnitId: 1,
    currentUnitId: 1,
    state: 'dispatched',
    signBy: '2026-11-23T02:00:00.000Z',
    returnBy: '2099-11-23T02:00:00.000Z',
    replyBy: '2026-11-26T02:00:00.000Z',
    closedAt: null,
    light: 'green',
    overdueWorkingDays: 0,
    remainingWorkingDays: 2,
    dispatchCount: 1,
    reopenCount: 0,
    escalationLevel: 0,
    extensionStatus: null,
    extensionDays: null,
    extensionReason: null,
    extensionGrantedDays: 0,
    duplicateOf: null,
    duplicate: false,
    replyContent: null,
    repliedByName: null,
    repliedByPhone: null,
    satisfaction: null,
    resolution: null,
    version: 3,
    createdBy: 7,
    createdAt: '2026-11-20T02:00:00.000Z',
    updatedAt: '2026-11-20T02:00:00.000Z',
    events: [],
    ...over,
  };
}

let nextEventId = 1;
export function event(type: TicketEventJson['type'], over: Partial<TicketEventJson> = {}): TicketEventJson {
  return { id: nextEventId++, ticketId: 1, type, actorUserId: 7, actorRole: 'agent', channel: 'web', unitId: 1, note: null, data: {}, at: '2026-11-20T02:00:00.000Z', ...over };
}

export interface FakeCall {
  readonly method: string;
  readonly url: string;
  readonly body: unknown;
}

/** Replaces fetch: `answer` gives status and JSON per request; every request is recorded. */
export function fakeApi(answer: (call: FakeCall) => { status: number; body: unknown }): FakeCall[] {
  const calls: FakeCall[] = [];
  vi.stubGlobal('fetch', (input: string, init?: RequestInit) => {
    const call: FakeCall = { method: init?.method ?? 'GET', url: input, body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined };
    calls.push(call);
    const { status, body } = answer(call);
    return Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } }));
  });
  return calls;
}

export const plugins = [ElementPlus];
