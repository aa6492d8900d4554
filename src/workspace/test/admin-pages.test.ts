import { DOMWrapper, flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import ElementPlus from 'element-plus';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { adminApi, type CategoryNode, type UnitJson, type UserJson } from '../src/api/admin';
import { ApiError } from '../src/api/http';
import CategoryForm from '../src/components/admin/CategoryForm.vue';
import UnitForm from '../src/components/admin/UnitForm.vue';
import UserCreateForm from '../src/components/admin/UserCreateForm.vue';
import UsersPage from '../src/pages/admin/UsersPage.vue';

const swj: UnitJson = { id: 2, code: 'SWJ', name: '区水务局', kind: 'bureau', kindName: '委办局', liaisonName: '李强', liaisonPhone: '01065120002', liaisonSipUri: 'sip:8102@10.20.1.12', active: true };
const admin: UserJson = { id: 1, username: 'admin', displayName: 'admin', role: 'admin', extension: null, skills: [], unitId: null, active: true, mustChangePassword: false, createdAt: '2026-12-01T00:00:00.000Z', updatedAt: '2026-12-01T00:00:00.000Z' };

const mounted: VueWrapper[] = [];
afterEach(() => {
  for (const w of mounted.splice(0)) w.unmount();
  vi.restoreAllMocks();
  document.body.innerHTML = '';
});

/** Waits for answers and for el-form-item, which shows an error 100 ms after it is set. */
async function settle(): Promise<void> {
  await flushPromises();
  await new Promise((resolve) => setTimeout(resolve, 150));
  await flushPromises();
}

function button(text: string): DOMWrapper<HTMLButtonElement> {
  const found = [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === text);
  if (found === undefined) throw new Error(`no button ${text}`);
  return new DOMWrapper(found);
}

function errorBeside(root: { find(selector: string): DOMWrapper<Element> }, id: string): string {
  const item = root.find(`#${id}`).element.closest('.el-form-item');
  return item?.querySelector('.el-form-item__error')?.textContent.trim() ?? '';
}

describe('UsersPage', () => {
  it('shows a generated password once: in the dialog after creation, and nowhere after it is closed', async () => {
    vi.spyOn(adminApi, 'listUsers').mockResolvedValue([admin]);
    vi.spyOn(adminApi, 'listUnits').mockResolvedValue([swj]);
    const create = vi.spyOn(adminApi, 'createAgent').mockImplementation((body) =>
      Promise.resolve({ ...admin, id: 7, username: body.username, displayName: body.username, role: 'agent', extension: body.extension, skills: [...body.skills] }),
    );
    const w = mount(UsersPage, { global: { plugins: [ElementPlus] }, attachTo: document.body });
    mounted.push(w);
    await settle();

    await button('新建用户').trigger('click');
    await settle();
    const form = w.findComponent(UserCreateForm);
    await form.find('#user-new-username').setValue('zhang.wei');
    await form.find('#user-new-extension').setValue('1003');
    await form.find('form').trigger('submit');
    await settle();

    const sent = create.mock.calls[0]?.[0];
    if (sent === undefined) throw new Error('no agent created');
    const shown = () => [...document.querySelectorAll<HTMLInputElement>('[data-testid="one-time-secret"]')].map((i) => i.value);
    expect(shown()).toEqual([sent.password, sent.sipPassword]);
    expect(document.body.textContent).toContain('密码只显示这一次');
    expect(w.text()).toContain('zhang.wei');

    await button('我已记下，关闭').trigger('click');
    await settle();
    expect(shown()).toEqual([]);
    expect(document.body.innerHTML).not.toContain(sent.password);
    expect(document.body.innerHTML).not.toContain(sent.sipPassword);
    // Opening the form again shows an empty one, not the last passwords.
    await button('新建用户').trigger('click');
    await settle();
    expect((form.find('#user-new-password').element as HTMLInputElement).value).toBe('');
    expect(document.body.innerHTML).not.toContain(sent.password);
  });

  it('when the list cannot be loaded, it says so with a retry, never an empty table alone', async () => {
    vi.spyOn(adminApi, 'listUsers').mockRejectedValue(new ApiError(500, 'INTERNAL', 'internal error'));
    vi.spyOn(adminApi, 'listUnits').mockResolvedValue([]);
    const w = mount(UsersPage, { global: { plugins: [ElementPlus] }, attachTo: document.body });
    mounted.push(w);
    await settle();
    expect(w.find('.load-error').text()).toContain('用户列表加载失败：服务器内部错误');
    expect(w.find('.load-error').text()).toContain('重试');
  });
});

describe('UnitForm', () => {
  async function mountUnit(unit: UnitJson | null): Promise<VueWrapper> {
    const w = mount(UnitForm, { props: { unit }, global: { plugins: [ElementPlus] }, attachTo: document.body });
    mounted.push(w);
    await flushPromises();
    return w;
  }

  it('shows the API’s liaison errors beside the liaison fields and keeps what was typed', async () => {
    const create = vi.spyOn(adminApi, 'createUnit').mockRejectedValue(
      new ApiError(400, 'VALIDATION_FAILED', 'invalid unit', [
        { path: 'liaisonPhone', message: 'must be a phone number of 5 to 20 digits (spaces, dashes and a leading +86 or 0086 are allowed)' },
        { path: 'liaisonSipUri', message: 'calls a number the dial plan refuses: an emergency or special service number is never dialled' },
      ]),
    );
    const w = await mountUnit(null);
    await w.find('#unit-new-code').setValue('JW');
    await w.find('#unit-new-name').setValue('区教育委员会');
    await w.find('#unit-new-liaison-name').setValue('孙磊');
    await w.find('#unit-new-liaison-phone').setValue('12');
    await w.find('#unit-new-liaison-sip').setValue('sip:110@10.0.0.5');
    await w.find('form').trigger('submit');
    await settle();
    expect(create.mock.calls[0]?.[0]).toEqual({ code: 'JW', name: '区教育委员会', kind: 'bureau', liaisonName: '孙磊', liaisonPhone: '12', liaisonSipUri: 'sip:110@10.0.0.5', active: true });
    expect(errorBeside(w, 'unit-new-liaison-phone')).toBe('须为 5–20 位电话号码（可含空格、横线，及开头的 +86 或 0086）');
    expect(errorBeside(w, 'unit-new-liaison-sip')).toBe('拨号规则不允许呼叫该号码（an emergency or special service number is never dialled）');
    expect(errorBeside(w, 'unit-new-name')).toBe('');
    expect((w.find('#unit-new-liaison-sip').element as HTMLInputElement).value).toBe('sip:110@10.0.0.5');
    expect((w.find('#unit-new-code').element as HTMLInputElement).value).toBe('JW');
    expect(w.emitted('saved')).toBeUndefined();
  });

  it('when editing, it sends only what changed, an emptied SIP URI as null, and never the code', async () => {
    const update = vi.spyOn(adminApi, 'updateUnit').mockResolvedValue({ ...swj, liaisonSipUri: null, liaisonName: '王芳' });
    const w = await mountUnit(swj);
    expect((w.find('#unit-edit-code').element as HTMLInputElement).disabled).toBe(true);
    await w.find('#unit-edit-liaison-name').setValue('王芳');
    await w.find('#unit-edit-liaison-sip').setValue('  ');
    await w.find('form').trigger('submit');
    await settle();
    expect(update.mock.calls[0]).toEqual([2, { liaisonName: '王芳', liaisonSipUri: null }]);
    expect(w.emitted('saved')?.[0]).toEqual([{ ...swj, liaisonSipUri: null, liaisonName: '王芳' }, false]);
  });
});

describe('CategoryForm', () => {
  const leak: CategoryNode = {
    id: 12, parentId: 5, code: '010201', name: '房屋漏水', level: 3, defaultUnitId: null, defaultUnitCode: null,
    replyDays: 2, replyHours: null, signDays: null, active: true, children: [],
  };
  const inherited = { unitName: '区住房和城乡建设委员会', reply: '沿用上级：4 个工作日内答复', signDays: 1 };

  async function mountCategory(props: { category: CategoryNode | null; parent: CategoryNode | null; suggestedCode?: string }): Promise<VueWrapper> {
    const w = mount(CategoryForm, { props: { ...props, units: [swj], inherited }, global: { plugins: [ElementPlus] }, attachTo: document.body });
    mounted.push(w);
    await flushPromises();
    return w;
  }

  it('when the reply deadline is switched to hours and the unit set, it sends replyHours and the unit code only', async () => {
    const update = vi.spyOn(adminApi, 'updateCategory').mockResolvedValue({ ...leak, replyDays: null, replyHours: 24, defaultUnitCode: 'SWJ', defaultUnitId: 2 });
    const w = await mountCategory({ category: leak, parent: null });
    const hours = w.findAll('input[type="radio"]').find((r) => (r.element as HTMLInputElement).value === 'hours');
    await hours?.setValue(true);
    await w.find('#category-edit-reply').setValue('24');
    (w.vm as unknown as { $: { setupState: { form: { defaultUnitCode: string } } } }).$.setupState.form.defaultUnitCode = 'SWJ';
    await w.find('form').trigger('submit');
    await settle();
    expect(update.mock.calls[0]).toEqual([12, { defaultUnitCode: 'SWJ', replyHours: 24 }]);
  });

  it('when set back to inherit, both deadlines are sent as null; an API refusal shows beside 办理时限', async () => {
    const update = vi.spyOn(adminApi, 'updateCategory').mockRejectedValue(new ApiError(400, 'VALIDATION_FAILED', 'x', [{ path: 'replyHours', message: 'give replyDays or replyHours, not both' }]));
    const w = await mountCategory({ category: leak, parent: null });
    const inherit = w.findAll('input[type="radio"]').find((r) => (r.element as HTMLInputElement).value === 'inherit');
    await inherit?.setValue(true);
    await w.find('form').trigger('submit');
    await settle();
    expect(update.mock.calls[0]).toEqual([12, { replyDays: null, replyHours: null }]);
    const item = w.findAll('.el-form-item').find((i) => i.find('label').text() === '办理时限');
    expect(item?.find('.el-form-item__error').text()).toBe('办理时限只能按工作日或按小时，不能两个都填');
  });

  it('a new child goes under its parent with the suggested code; a taken code shows beside 类别编码', async () => {
    const create = vi.spyOn(adminApi, 'createCategory').mockRejectedValue(new ApiError(409, 'DUPLICATE', 'a category with code 01020101 already exists', [{ path: 'code', message: 'is already taken' }]));
    const w = await mountCategory({ category: null, parent: leak, suggestedCode: '01020101' });
    await w.find('#category-new-name').setValue('楼顶漏水');
    await w.find('form').trigger('submit');
    await settle();
    expect(create.mock.calls[0]?.[0]).toEqual({ parentId: 12, code: '01020101', name: '楼顶漏水', defaultUnitCode: null, replyDays: null, replyHours: null, signDays: null, active: true });
    expect(errorBeside(w, 'category-new-code')).toBe('已被占用，请换一个');
    expect((w.find('#category-new-name').element as HTMLInputElement).value).toBe('楼顶漏水');
  });
});
