import { expect } from 'chai';
import type { ApiClient } from './api-client.js';

export interface TicketJson {
  readonly code: string;
  readonly state: string;
  readonly version: number;
  readonly events: readonly { type: string; data: Record<string, unknown> }[];
  readonly [key: string]: unknown;
}

/** The first leaf of the category tree (GET /api/v1/categories). */
export async function firstLeafCategory(api: ApiClient): Promise<number> {
  const tree = (await api.get('/api/v1/categories')).body;
  const walk = (nodes: unknown): number | undefined => {
    const items = (Array.isArray(nodes) ? nodes : ((nodes as { items?: unknown[] }).items ?? [])) as { id: number; children?: unknown[] }[];
    for (const node of items) return !node.children || node.children.length === 0 ? node.id : walk(node.children);
    return undefined;
  };
  const id = walk(tree);
  if (id === undefined) throw new Error('no category in the tree');
  return id;
}

export async function getTicket(api: ApiClient, code: string): Promise<TicketJson> {
  const res = await api.get(`/api/v1/tickets/${code}`);
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  return res.body as TicketJson;
}

/** Takes one lifecycle action with the order's current version; expects 200. */
export async function act(api: ApiClient, code: string, action: string, fields: Record<string, unknown> = {}): Promise<TicketJson> {
  const { version } = await getTicket(api, code);
  const res = await api.post(`/api/v1/tickets/${code}/actions/${action}`, { version, ...fields });
  expect(res.status, `${action}: ${JSON.stringify(res.body)}`).to.equal(200);
  return res.body as TicketJson;
}

/** Creates an order for `phone` dispatched to `unitId` and takes it to `reviewed` (ready for the survey). */
export async function reviewedOrder(hotline: ApiClient, unit: ApiClient, unitId: number, phone: string, extra: Record<string, unknown> = {}): Promise<string> {
  const created = await hotline.post('/api/v1/tickets', {
    requestType: 'complaint',
    categoryId: await firstLeafCategory(hotline),
    content: '小区楼下餐馆油烟直排,影响居民生活,请有关部门处理。',
    address: '朝阳区某小区5号楼',
    residentPhone: phone,
    handlingUnitId: unitId,
    ...extra,
  });
  expect(created.status, JSON.stringify(created.body)).to.equal(201);
  const { code } = created.body as { code: string };
  await act(unit, code, 'sign');
  await act(unit, code, 'start');
  await act(unit, code, 'reply', {
    content: '经现场核查,该餐馆未安装油烟净化设施,已责令其限期整改并于三日后复查,整改已完成。',
    handlerName: '王科长',
    handlerPhone: '01065551234',
  });
  await act(hotline, code, 'review-approve');
  return code;
}
