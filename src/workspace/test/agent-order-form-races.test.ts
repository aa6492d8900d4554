import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import ElementPlus from 'element-plus';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { nextTick } from 'vue';
import type { CategoryNode } from '../src/api/catalog';
import { NetworkError } from '../src/api/http';
import { session, type SessionUser } from '../src/api/session-store';
import type { TicketJson, TicketPage, TicketQuery } from '../src/api/tickets';
import CategoryPicker from '../src/components/agent/CategoryPicker.vue';
import OrderForm from '../src/components/agent/OrderForm.vue';
import { clearDrafts, listDrafts, saveDraft, emptyDraft } from '../src/components/agent/order-draft';
import { order } from './order-fixtures';

const createTicket = vi.fn<(body: Record<string, unknown>) => Promise<TicketJson>>();
const listTickets = vi.fn<(q: TicketQuery) => Promise<TicketPage>>();
vi.mock('../src/api/tickets', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../src/api/tickets')>()),
  createTicket: (body: Record<string, unknown>) => createTicket(body),
  listTickets: (q: TicketQuery) => listTickets(q),
}));
function node(id: number, name: string, defaultUnitId: number | null): CategoryNode {
  return { id, parentId: null, code: String(id).padStart(2, '0'), name, level: 1, defaultUnitId, defaultUnitCode: null, replyDays: null, replyHours: null, signDays: null, active: true, children: [] };
}
vi.mock('../src/api/catalog', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/api/catalog')>();
  const units = [{ id: 10, code: 'U10', name: '朝阳区城管委', kind: 'bureau' as const, kindName: '委办局', liaisonName: '张三', liaisonPhone: '01012345678', liaisonSipUri: null, active: true }];
  return { ...real, loadCatalog: () => Promise.resolve(new real.Catalog([node(3, '市容环卫', 10)], units)) };
});

const AGENT: SessionUser = { id: 7, username: 'wang.li', role: 'agent', displayName: '王丽', extension: '8001' };
const OTHER: SessionUser = { id: 8, username: 'zhao.min', role: 'agent', displayName: '赵敏', extension: '8002' };
const CONTENT = '小区门口每天早上有人占道摆摊，堵塞消防通道';
const wrappers: VueWrapper[] = [];

async function mountForm(call: { callId: string; callerNumber: string } | null): Promise<VueWrapper> {
  const w = mount(OrderForm, { props: { call }, global: { plugins: [ElementPlus] }, attachTo: document.body });
  wrappers.push(w);
  await flushPromises();
  return w;
}

async function fill(w: VueWrapper, content = CONTENT): Promise<void> {
  await w.get('input[type="radio"][value="suggestion"]').setValue(true);
  w.findComponent(CategoryPicker).vm.$emit('update:modelValue', 3);
  await w.get('#order-content').setValue(content);
  await flushPromises();
}

async function settle(): Promise<void> {
  await flushPromises();
  await new Promise((resolve) => setTimeout(resolve, 150));
  await nextTick();
}

function submitButton(w: VueWrapper) {
  const b = w.findAll('button').find((x) => x.text() === '提交工单');
  if (b === undefined) throw new Error('no 提交工单 button');
  return b;
}

describe('OrderForm: races, sign-out, lost replies', () => {
  beforeEach(() => {
    sessionStorage.clear();
    session.user = AGENT;
    createTicket.mockReset();
    listTickets.mockReset();
  });
  afterEach(() => {
    for (const w of wrappers.splice(0)) w.unmount();
    document.body.innerHTML = '';
  });

  it('a reply that arrives after a new call connected leaves the new call’s form alone', async () => {
    let answer: (t: TicketJson) => void = () => undefined;
    createTicket.mockReturnValue(new Promise<TicketJson>((resolve) => (answer = resolve)));
    const w = await mountForm({ callId: 'call-old', callerNumber: '13812345678' });
    await fill(w);
    await submitButton(w).trigger('click');
    await flushPromises();
    expect(createTicket).toHaveBeenCalledTimes(1);

    await w.setProps({ call: { callId: 'call-new', callerNumber: '13900001111' } });
    await w.get('#order-name').setValue('赵先生');
    answer(order({ code: '20261120-000009', callId: 'call-old' }));
    await settle();

    const exposed = w.vm as unknown as { draft: { callId: string | null; residentPhone: string; residentName: string } };
    expect(exposed.draft.callId).toBe('call-new');
    expect(exposed.draft.residentPhone).toBe('13900001111');
    expect(exposed.draft.residentName).toBe('赵先生');
    expect(w.get('[data-test="order-done"]').text()).toContain('20261120-000009');
    // The old call's draft was submitted: not offered again.
    expect(listDrafts().map((d) => d.key)).not.toContain('call-old');
  });

  it('Ctrl+Enter typed in a dialog (示忙原因 › 其他原因) does not submit the form behind it', async () => {
    createTicket.mockResolvedValue(order());
    const w = await mountForm({ callId: 'call-1', callerNumber: '13812345678' });
    await fill(w);
    const dialog = document.createElement('div');
    dialog.className = 'el-overlay';
    dialog.innerHTML = '<div class="el-dialog" role="dialog" aria-modal="true"><input id="not-ready-other"></div>';
    document.body.appendChild(dialog);
    document.getElementById('not-ready-other')?.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', ctrlKey: true, bubbles: true, cancelable: true }));
    await settle();
    expect(createTicket).not.toHaveBeenCalled();

    dialog.style.display = 'none'; // closed (Element Plus hides the overlay)
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', ctrlKey: true, bubbles: true, cancelable: true }));
    await settle();
    expect(createTicket).toHaveBeenCalledTimes(1);
  });

  it('after a lost reply, submitting again finds the order the server stored instead of creating a second', async () => {
    createTicket.mockRejectedValueOnce(new NetworkError(new Error('socket hang up')));
    const w = await mountForm({ callId: 'call-1', callerNumber: '13812345678' });
    await fill(w);
    await submitButton(w).trigger('click');
    await settle();
    expect(w.get('[data-test="form-error"]').text()).toContain('不会重复建单');

    listTickets.mockResolvedValue({ items: [order({ code: '20261120-000077', callId: 'call-1', content: CONTENT, residentPhone: '13812345678' })], total: 1, limit: 20, offset: 0 });
    await submitButton(w).trigger('click');
    await settle();
    expect(listTickets).toHaveBeenCalledWith(expect.objectContaining({ phone: '13812345678' }));
    expect(createTicket).toHaveBeenCalledTimes(1);
    expect(w.get('[data-test="order-done"]').text()).toContain('20261120-000077');
    expect(w.get('[data-test="order-done"]').text()).toContain('未重复提交');
  });

  it('after a lost reply with no order stored, submitting again creates it', async () => {
    createTicket.mockRejectedValueOnce(new NetworkError(new Error('socket hang up'))).mockResolvedValueOnce(order({ code: '20261120-000078' }));
    listTickets.mockResolvedValue({ items: [], total: 0, limit: 20, offset: 0 });
    const w = await mountForm({ callId: 'call-1', callerNumber: '13812345678' });
    await fill(w);
    await submitButton(w).trigger('click');
    await settle();
    await submitButton(w).trigger('click');
    await settle();
    expect(createTicket).toHaveBeenCalledTimes(2);
    expect(w.get('[data-test="order-done"]').text()).toContain('20261120-000078');
  });
});

describe('order drafts and sign-out', () => {
  beforeEach(() => {
    sessionStorage.clear();
  });

  it('are kept per user: another user of the tab does not see them; clearDrafts (退出) forgets them all', () => {
    session.user = AGENT;
    saveDraft({ ...emptyDraft({ callId: 'call-1', callerNumber: '13812345678' }), residentName: '李女士', content: CONTENT });
    expect(listDrafts().map((d) => d.residentName)).toEqual(['李女士']);

    session.user = OTHER;
    expect(listDrafts()).toEqual([]);

    session.user = AGENT;
    clearDrafts();
    expect(listDrafts()).toEqual([]);
    expect(Object.keys(sessionStorage).filter((k) => k.startsWith('hotline.order-draft.'))).toEqual([]);
  });
});
