import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Role } from '../src/api/session-store';
import type { TicketJson } from '../src/api/tickets';
import TicketActions from '../src/components/orders/TicketActions.vue';
import { fakeApi, order, plugins } from './order-fixtures';

const mounted: VueWrapper[] = [];

function mountActions(ticket: TicketJson, role: Role): VueWrapper {
  const w = mount(TicketActions, { props: { ticket, role, units: [] }, global: { plugins }, attachTo: document.body });
  mounted.push(w);
  return w;
}

function buttonNames(w: VueWrapper): string[] {
  return w.findAll('[aria-label="工单操作"] button').map((b) => b.text());
}

function button(w: VueWrapper, name: string) {
  const b = w.findAll('button').find((x) => x.text() === name);
  if (b === undefined) throw new Error(`no button ${name}: ${w.findAll('button').map((x) => x.text()).join(', ')}`);
  return b;
}

/** Element Plus shows a form item's error after a 100 ms debounce. */
async function settle(): Promise<void> {
  await flushPromises();
  await new Promise((resolve) => setTimeout(resolve, 150));
}

afterEach(() => {
  for (const w of mounted.splice(0)) w.unmount();
  vi.unstubAllGlobals();
  document.body.innerHTML = '';
  sessionStorage.clear();
});

describe('order actions', () => {
  it.each<[string, Role, Partial<TicketJson>, string[]]>([
    ['a unit on a dispatched order', 'unit', { state: 'dispatched' }, ['签收', '退单']],
    ['a unit on a signed order', 'unit', { state: 'signed' }, ['开始办理', '答复', '申请延期', '退单']],
    ['a unit on an order in progress', 'unit', { state: 'in-progress' }, ['答复', '申请延期']],
    ['a unit with an extension pending', 'unit', { state: 'in-progress', extensionStatus: 'pending', extensionDays: 3 }, ['答复']],
    ['a unit with all 10 extension days granted', 'unit', { state: 'in-progress', extensionGrantedDays: 10 }, ['答复']],
    ['a unit on a replied order', 'unit', { state: 'replied' }, []],
    ['a supervisor on a replied order', 'supervisor', { state: 'replied' }, ['审核通过', '退回重办']],
    ['a supervisor on an order with an extension pending', 'supervisor', { state: 'signed', extensionStatus: 'pending', extensionDays: 3 }, ['批准延期', '拒绝延期']],
    ['an admin on a replied order', 'admin', { state: 'replied' }, ['审核通过', '退回重办']],
    ['a supervisor on a dispatched order', 'supervisor', { state: 'dispatched' }, []],
    ['an agent on a replied order', 'agent', { state: 'replied' }, []],
    ['an agent on a returned order', 'agent', { state: 'returned', currentUnitId: null }, ['重新派单']],
  ])('when %s is shown, it offers exactly its buttons', (_what, role, over, names) => {
    const w = mountActions(order(over), role);
    expect(buttonNames(w)).toEqual(names);
    if (names.length === 0) expect(w.text()).toContain('没有您可执行的操作');
  });

  it('when the return deadline has passed, 退单 is disabled and the page says why', () => {
    const w = mountActions(order({ state: 'signed', returnBy: '2026-11-21T02:00:00.000Z' }), 'unit');
    expect(button(w, '退单').attributes('disabled')).toBeDefined();
    expect(w.text()).toContain('不能退单');
  });

  it('when 签收 is pressed, it sends the version the page saw and hands the updated order up', async () => {
    const calls = fakeApi(() => ({ status: 200, body: order({ state: 'signed', version: 4 }) }));
    const w = mountActions(order({ version: 3 }), 'unit');
    await button(w, '签收').trigger('click');
    await flushPromises();
    expect(calls).toEqual([{ method: 'POST', url: '/api/v1/tickets/20261120-000001/actions/sign', body: { version: 3 } }]);
    const updated = w.emitted('updated');
    expect((updated?.[0]?.[0] as TicketJson).state).toBe('signed');
  });

  it('when the reply has no 答复人 or 答复电话, the dialog refuses to send and says which is missing', async () => {
    const calls = fakeApi(() => ({ status: 200, body: order({ state: 'replied' }) }));
    const w = mountActions(order({ state: 'in-progress' }), 'unit');
    await button(w, '答复').trigger('click');
    await flushPromises();
    await w.find('#action-reply-content').setValue('经现场核实，供热管线阀门故障，已于11月21日更换阀门，室温恢复到20度。');
    await button(w, '提交答复').trigger('click');
    await settle();
    expect(calls).toEqual([]);
    expect(w.text()).toContain('请填写答复人');
    expect(w.text()).toContain('请填写答复电话');

    await w.find('#action-reply-handlerName').setValue('李明');
    await button(w, '提交答复').trigger('click');
    await settle();
    expect(calls).toEqual([]);
    expect(w.text()).not.toContain('请填写答复人');
    expect(w.text()).toContain('请填写答复电话');
  });

  it('when the page is left (a 401 sends it to the login page) and opened again, the reply typed is still there until it is sent', async () => {
    const content = '经现场核实，供热管线阀门故障，已于11月21日更换阀门，室温恢复到20度。';
    const first = mountActions(order({ state: 'in-progress' }), 'unit');
    await button(first, '答复').trigger('click');
    await flushPromises();
    await first.find('#action-reply-content').setValue(content);
    await first.find('#action-reply-handlerName').setValue('张三');
    await flushPromises();
    first.unmount();
    mounted.splice(mounted.indexOf(first), 1);
    document.body.innerHTML = '';

    const calls = fakeApi(() => ({ status: 200, body: order({ state: 'replied' }) }));
    const again = mountActions(order({ state: 'in-progress' }), 'unit');
    await button(again, '答复').trigger('click');
    await flushPromises();
    expect((again.find('#action-reply-content').element as HTMLTextAreaElement).value).toBe(content);
    expect((again.find('#action-reply-handlerName').element as HTMLInputElement).value).toBe('张三');
    // Another order has its own (no) draft.
    const other = mountActions(order({ state: 'in-progress', code: '20261120-000002' }), 'unit');
    await button(other, '答复').trigger('click');
    await flushPromises();
    expect(sessionStorage.getItem('hotline.action-draft.20261120-000002')).toBeNull();

    await again.find('#action-reply-handlerPhone').setValue('010-65120001');
    await button(again, '提交答复').trigger('click');
    await settle();
    expect(calls).toHaveLength(1);
    expect(sessionStorage.getItem('hotline.action-draft.20261120-000001'), 'sent: the draft is gone').toBeNull();
  });

  it('when the server refuses a boilerplate reply, the dialog explains the rule beside the content and keeps what was typed', async () => {
    const calls = fakeApi(() => ({
      status: 400,
      body: {
        error: {
          code: 'VALIDATION_FAILED',
          message: 'invalid reply: content is boilerplate',
          issues: [{ path: 'content', message: 'is boilerplate (only phrases such as 情况属实已处理、已处理完毕、已办理完毕、情况属实): say what was found, what was done and the result' }],
        },
      },
    }));
    const w = mountActions(order({ state: 'signed', version: 5 }), 'unit');
    await button(w, '答复').trigger('click');
    await flushPromises();
    const typed = '情况属实已处理，已处理完毕，已办理完毕。情况属实已处理。';
    await w.find('#action-reply-content').setValue(typed);
    await w.find('#action-reply-handlerName').setValue('李明');
    await w.find('#action-reply-handlerPhone').setValue('010-65120001');
    await button(w, '提交答复').trigger('click');
    await settle();
    expect(calls).toHaveLength(1);
    expect(calls[0]?.body).toEqual({ version: 5, content: typed, handlerName: '李明', handlerPhone: '010-65120001' });
    expect(w.text()).toContain('答复未被接受');
    expect(w.text()).toContain('答复内容是套话');
    expect(w.text()).toContain('请写明查到了什么情况、采取了什么措施、结果如何');
    const contentItem = w.findAll('.el-form-item').find((i) => i.find('label').text() === '答复内容');
    expect(contentItem?.find('.el-form-item__error').text()).toContain('答复内容是套话');
    expect((w.find('#action-reply-content').element as HTMLTextAreaElement).value).toBe(typed);
    expect(w.emitted('updated')).toBeUndefined();
  });

  it('when the order changed meanwhile (409 VERSION_CONFLICT), it asks the page to reload and says so', async () => {
    fakeApi(() => ({ status: 409, body: { error: { code: 'VERSION_CONFLICT', message: 'ticket 20261120-000001 has changed (version 3 given, 4 stored): reload it and try again' } } }));
    const w = mountActions(order({ state: 'replied' }), 'supervisor');
    await button(w, '退回重办').trigger('click');
    await flushPromises();
    await w.find('#action-review-reject-reason').setValue('答复未说明整改结果');
    await button(w, '确认退回').trigger('click');
    await flushPromises();
    expect(w.emitted('reload')).toHaveLength(1);
    expect(w.text()).toContain('工单已被他人更新');
    expect((w.find('#action-review-reject-reason').element as HTMLTextAreaElement).value).toBe('答复未说明整改结果');
  });

  it('when an extension is asked, it sends the days and reason, and a refusal of days shows beside that field', async () => {
    const calls = fakeApi(() => ({
      status: 400,
      body: { error: { code: 'VALIDATION_FAILED', message: 'x', issues: [{ path: 'days', message: 'must be at most 2: 8 of 10 working days are already granted' }] } },
    }));
    const w = mountActions(order({ state: 'in-progress', extensionGrantedDays: 8 }), 'unit');
    await button(w, '申请延期').trigger('click');
    await flushPromises();
    await w.find('#action-request-extension-days').setValue('2');
    await w.find('#action-request-extension-reason').setValue('需协调供热公司检修主管线');
    await button(w, '提交申请').trigger('click');
    await settle();
    expect(calls[0]?.body).toEqual({ version: 3, days: 2, reason: '需协调供热公司检修主管线' });
    expect(w.text()).toContain('最多还能延期 2 个工作日');
  });
});
