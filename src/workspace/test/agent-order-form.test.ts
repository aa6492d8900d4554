import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import ElementPlus from 'element-plus';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { nextTick } from 'vue';
import type { CategoryNode, HandlingUnitJson } from '../src/api/catalog';
import { ApiError } from '../src/api/http';
import type { TicketJson } from '../src/api/tickets';
import { session, type SessionUser } from '../src/api/session-store';
import CategoryPicker from '../src/components/agent/CategoryPicker.vue';
import OrderForm from '../src/components/agent/OrderForm.vue';

const createTicket = vi.fn<(body: Record<string, unknown>) => Promise<TicketJson>>();
vi.mock('../src/api/tickets', async (importOriginal) => ({ ...(await importOriginal<typeof import('../src/api/tickets')>()), createTicket: (body: Record<string, unknown>) => createTicket(body) }));

function node(id: number, parentId: number | null, level: number, name: string, defaultUnitId: number | null, children: CategoryNode[] = []): CategoryNode {
  return { id, parentId, code: String(id).padStart(2, '0'), name, level, defaultUnitId, defaultUnitCode: null, replyDays: null, replyHours: null, signDays: null, active: true, children };
}
function unit(id: number, name: string): HandlingUnitJson {
  return { id, code: `U${id}`, name, kind: 'bureau', kindName: '委办局', liaisonName: '张三', liaisonPhone: '01012345678', liaisonSipUri: null, active: true };
}
const TREE = [node(1, null, 1, '城乡建设', 10, [node(2, 1, 2, '市容环卫', null, [node(3, 2, 3, '占道经营', null)])]), node(4, null, 1, '教育', null)];
const UNITS = [unit(10, '朝阳区城管委'), unit(11, '朝阳区住建委')];
vi.mock('../src/api/catalog', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/api/catalog')>();
  return { ...real, loadCatalog: () => Promise.resolve(new real.Catalog(TREE, UNITS)) };
});

const AGENT: SessionUser = { id: 7, username: 'wang.li', role: 'agent', displayName: '王丽', extension: '8001' };
const CALL = { callId: 'call-7f3a', callerNumber: '13812345678' };
const wrappers: VueWrapper[] = [];

async function mountForm(call: { callId: string; callerNumber: string } | null = CALL): Promise<VueWrapper> {
  const w = mount(OrderForm, { props: { call }, global: { plugins: [ElementPlus] }, attachTo: document.body });
  wrappers.push(w);
  await flushPromises();
  return w;
}

/** The error Element Plus shows under the form item of `field`; '' when none. */
function errorOf(w: VueWrapper, field: string): string {
  const item = w.get(`[data-field="${field}"]`);
  return item.find('.el-form-item__error').exists() ? item.get('.el-form-item__error').text() : '';
}

function value(w: VueWrapper, selector: string): string {
  return (w.get(selector).element as HTMLInputElement).value;
}

async function fillValidComplaint(w: VueWrapper): Promise<void> {
  await w.get('input[type="radio"][value="complaint"]').setValue(true);
  w.findComponent(CategoryPicker).vm.$emit('update:modelValue', 3);
  await w.get('#order-content').setValue('小区门口每天早上有人占道摆摊，堵塞消防通道');
  await w.get('#order-address').setValue('朝阳区望京街道阜通东大街 6 号');
  await w.get('#order-name').setValue('李女士');
  await flushPromises();
}

/** Lets the request settle and the errors render (Element Plus shows a form item's error 100 ms after it is set). */
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

describe('OrderForm', () => {
  beforeEach(() => {
    sessionStorage.clear();
    session.user = AGENT;
    createTicket.mockReset();
  });
  afterEach(() => {
    for (const w of wrappers.splice(0)) w.unmount();
    document.body.innerHTML = '';
  });

  it('is pre-filled with the caller number; the unit follows the category default (inherited from the class)', async () => {
    const w = await mountForm();
    expect(value(w, '#order-phone')).toBe('13812345678');
    await fillValidComplaint(w);
    expect(w.get('[data-test="unit-hint"]').text()).toBe('类别默认：朝阳区城管委');
    expect(w.get('[data-test="category-path"]').text()).toBe('城乡建设 / 市容环卫 / 占道经营');
  });

  it("shows the API's field errors beside their fields and keeps everything typed after the refused submit", async () => {
    createTicket.mockRejectedValueOnce(
      new ApiError(400, 'VALIDATION_FAILED', 'invalid ticket', [
        { path: 'categoryId', message: 'names category 010203 占道经营, which is no longer in use' },
        { path: 'handlingUnitId', message: 'names 朝阳区城管委, which is no longer in use' },
        { path: 'residentName', message: 'must be at most 50 characters' },
      ]),
    );
    const w = await mountForm();
    await fillValidComplaint(w);

    await submitButton(w).trigger('submit');
    await settle();

    expect(createTicket).toHaveBeenCalledTimes(1);
    expect(createTicket.mock.calls[0]?.[0]).toEqual({
      requestType: 'complaint',
      categoryId: 3,
      content: '小区门口每天早上有人占道摆摊，堵塞消防通道',
      address: '朝阳区望京街道阜通东大街 6 号',
      residentName: '李女士',
      residentPhone: '13812345678',
      urgency: 'normal',
      answeredOnCall: false,
      doNotCall: false,
      callId: 'call-7f3a',
      handlingUnitId: 10,
    });
    expect(errorOf(w, 'categoryId')).toBe('所选类别已停用，请重新选择');
    expect(errorOf(w, 'handlingUnitId')).toBe('所选承办单位已停用，请重新选择');
    expect(errorOf(w, 'residentName')).toBe('最多 50 个字');
    expect(errorOf(w, 'content')).toBe('');
    expect(errorOf(w, 'address')).toBe('');
    expect(w.get('[data-test="form-error"]').text()).toContain('服务器未受理');
    // Nothing typed is lost.
    expect(value(w, '#order-content')).toBe('小区门口每天早上有人占道摆摊，堵塞消防通道');
    expect(value(w, '#order-address')).toBe('朝阳区望京街道阜通东大街 6 号');
    expect(value(w, '#order-name')).toBe('李女士');
    expect(value(w, '#order-phone')).toBe('13812345678');
    expect((w.get('input[type="radio"][value="complaint"]').element as HTMLInputElement).checked).toBe(true);
    expect(w.get('[data-test="category-path"]').text()).toBe('城乡建设 / 市容环卫 / 占道经营');
    expect(JSON.parse(sessionStorage.getItem('hotline.order-draft.7.call-7f3a') ?? '{}')).toMatchObject({ content: '小区门口每天早上有人占道摆摊，堵塞消防通道', categoryId: 3 });

    // Editing a field clears its error; a server failure without issues keeps the form too.
    await w.get('#order-name').setValue('李');
    await settle();
    expect(errorOf(w, 'residentName')).toBe('');
    createTicket.mockRejectedValueOnce(new TypeError('Failed to fetch'));
    await submitButton(w).trigger('submit');
    await settle();
    expect(w.get('[data-test="form-error"]').text()).toContain('已填写的内容已保留');
    expect(value(w, '#order-content')).toBe('小区门口每天早上有人占道摆摊，堵塞消防通道');
  });

  it('checks the rules the server checks before sending: type, category, content length, address for 投诉举报, answer for 直办', async () => {
    const w = await mountForm();
    await submitButton(w).trigger('submit');
    await settle();
    expect(createTicket).not.toHaveBeenCalled();
    expect(errorOf(w, 'requestType')).toBe('请选择诉求类型');
    expect(errorOf(w, 'categoryId')).toBe('请选择诉求类别');
    expect(errorOf(w, 'content')).toBe('请填写诉求内容');

    await w.get('input[type="radio"][value="complaint"]').setValue(true);
    w.findComponent(CategoryPicker).vm.$emit('update:modelValue', 4);
    await w.get('#order-content').setValue('太短了');
    await submitButton(w).trigger('submit');
    await settle();
    expect(createTicket).not.toHaveBeenCalled();
    expect(errorOf(w, 'address')).toBe('投诉举报类诉求必须填写地址');
    expect(errorOf(w, 'content')).toBe('诉求内容至少 10 个字（现 3 个）');
    // 教育 names no default unit: the agent must choose one.
    expect(errorOf(w, 'handlingUnitId')).toBe('该类别没有默认承办单位，请选择承办单位');

    await w.get('input[type="radio"][value="consult"]').setValue(true);
    await w.get('#order-content').setValue('咨询孩子入学需要准备哪些材料');
    await w.get('.el-checkbox input').setValue(true);
    await flushPromises();
    await submitButton(w).trigger('submit');
    await settle();
    expect(createTicket).not.toHaveBeenCalled();
    expect(errorOf(w, 'answer')).toBe('直办须填写电话中给出的答复');
    expect(errorOf(w, 'address')).toBe('');
    expect(errorOf(w, 'handlingUnitId')).toBe('');
  });

  it('on success shows the order code, forgets the draft and empties the form; Ctrl+Enter submits', async () => {
    createTicket.mockResolvedValueOnce({ code: '20250602-000017', state: 'dispatched', answeredOnCall: false, currentUnitId: 10 } as TicketJson);
    const w = await mountForm();
    await fillValidComplaint(w);

    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', ctrlKey: true, bubbles: true }));
    await flushPromises();

    expect(createTicket).toHaveBeenCalledTimes(1);
    expect(w.get('[data-test="order-done"]').text()).toContain('工单编号 20250602-000017');
    expect(w.get('[data-test="order-done"]').text()).toContain('已派往 朝阳区城管委');
    expect(sessionStorage.getItem('hotline.order-draft.7.call-7f3a')).toBeNull();
    expect(value(w, '#order-content')).toBe('');
    expect(value(w, '#order-phone')).toBe('13812345678');
    expect(w.emitted('submitted')?.[0]?.[0]).toMatchObject({ code: '20250602-000017' });
  });

  it('keeps an order typed without a call across a reload', async () => {
    const first = await mountForm(null);
    await first.get('#order-content').setValue('咨询公租房申请需要哪些材料');
    await flushPromises(); // the textarea resizes itself after input: not after it is gone
    first.unmount();
    wrappers.splice(0);

    const second = await mountForm(null);
    expect(value(second, '#order-content')).toBe('咨询公租房申请需要哪些材料');
  });

  it('keeps the draft across a reload and gives it back when the same call is shown again', async () => {
    const first = await mountForm();
    await first.get('#order-content').setValue('楼上装修噪音从早上七点开始');
    await first.get('#order-address').setValue('海淀区学院路 1 号');
    await flushPromises();
    first.unmount();
    wrappers.splice(0);

    const second = await mountForm();
    expect(value(second, '#order-content')).toBe('楼上装修噪音从早上七点开始');
    expect(value(second, '#order-address')).toBe('海淀区学院路 1 号');

    // A new call gets a fresh form; the earlier one is listed as a draft to go back to.
    await second.setProps({ call: { callId: 'call-8b00', callerNumber: '13900001111' } });
    await flushPromises();
    expect(value(second, '#order-content')).toBe('');
    expect(value(second, '#order-phone')).toBe('13900001111');
    expect(second.get('[aria-label="未提交的草稿"]').text()).toContain('13812345678');
    const resume = second.findAll('button').find((b) => b.text() === '继续');
    await resume?.trigger('click');
    await flushPromises();
    expect(value(second, '#order-content')).toBe('楼上装修噪音从早上七点开始');
  });
});
