import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import ElementPlus from 'element-plus';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { adminApi, type UnitJson, type UserJson } from '../src/api/admin';
import { ApiError } from '../src/api/http';
import PasswordResetForm from '../src/components/admin/PasswordResetForm.vue';
import UserCreateForm from '../src/components/admin/UserCreateForm.vue';
import type { OneTimeSecrets } from '../src/components/admin/secrets';

const units: UnitJson[] = [
  { id: 2, code: 'SWJ', name: '区水务局', kind: 'bureau', kindName: '委办局', liaisonName: '李强', liaisonPhone: '01065120002', liaisonSipUri: null, active: true },
];

function agentJson(over: Partial<UserJson> = {}): UserJson {
  return {
    id: 9, username: 'zhang.wei', displayName: '张伟', role: 'agent', extension: '1003', skills: ['general'], unitId: null, active: true, mustChangePassword: false,
    createdAt: '2026-12-01T00:00:00.000Z', updatedAt: '2026-12-01T00:00:00.000Z', ...over,
  };
}

const mounted: VueWrapper[] = [];
/** Element Plus gives inputs their ids after mounting: wait for it. */
async function mountForm(): Promise<VueWrapper> {
  const w = mount(UserCreateForm, { props: { units, skillOptions: ['general', 'complaint'] }, global: { plugins: [ElementPlus] }, attachTo: document.body });
  mounted.push(w);
  await flushPromises();
  return w;
}

/** The el-form-item that holds the input with this id: its error line and whether it is marked. */
function fieldOf(w: VueWrapper, id: string): { error: string; marked: boolean; value: string } {
  const input = w.find(`#${id}`);
  expect(input.exists(), `#${id} exists`).toBe(true);
  const item = input.element.closest('.el-form-item');
  if (item === null) throw new Error(`#${id} is in no el-form-item`);
  return {
    error: item.querySelector('.el-form-item__error')?.textContent.trim() ?? '',
    marked: item.classList.contains('is-error'),
    value: (input.element as HTMLInputElement).value,
  };
}

async function fill(w: VueWrapper, values: Record<string, string>): Promise<void> {
  for (const [id, value] of Object.entries(values)) await w.find(`#${id}`).setValue(value);
}

/** Submits, then waits for the answer and for el-form-item, which shows an error 100 ms after it is set. */
async function submit(w: VueWrapper): Promise<void> {
  await w.find('form').trigger('submit');
  await flushPromises();
  await new Promise((resolve) => setTimeout(resolve, 150));
  await flushPromises();
}

afterEach(() => {
  for (const w of mounted.splice(0)) w.unmount();
  vi.restoreAllMocks();
  document.body.innerHTML = '';
});

describe('UserCreateForm', () => {
  it('shows each API field error beside its own field, in Chinese, and keeps everything typed', async () => {
    const create = vi.spyOn(adminApi, 'createAgent').mockRejectedValue(
      new ApiError(400, 'VALIDATION_FAILED', 'invalid body', [
        { path: 'extension', message: 'is already taken' },
        { path: 'sipPassword', message: 'must be at most 128 characters' },
      ]),
    );
    const w = await mountForm();
    await fill(w, { 'user-new-username': 'zhang.wei', 'user-new-display-name': '张伟', 'user-new-password': 'my-own-pass-1', 'user-new-extension': '1001', 'user-new-sip-password': 'sip-own-pass-1' });
    await submit(w);

    expect(create).toHaveBeenCalledTimes(1);
    expect(fieldOf(w, 'user-new-extension')).toEqual({ error: '已被占用，请换一个', marked: true, value: '1001' });
    expect(fieldOf(w, 'user-new-sip-password')).toEqual({ error: '最多 128 个字符', marked: true, value: 'sip-own-pass-1' });
    expect(fieldOf(w, 'user-new-username')).toEqual({ error: '', marked: false, value: 'zhang.wei' });
    expect(fieldOf(w, 'user-new-display-name').value).toBe('张伟');
    expect(fieldOf(w, 'user-new-password').value).toBe('my-own-pass-1');
    expect(w.find('.el-alert').text()).toContain('请按提示修改标红的项');
    expect(w.emitted('created')).toBeUndefined();
  });

  it('names a taken username beside the username (409 DUPLICATE with its field) and clears it on the next try', async () => {
    const create = vi
      .spyOn(adminApi, 'createAgent')
      .mockRejectedValueOnce(new ApiError(409, 'DUPLICATE', 'username zhang.wei is already taken', [{ path: 'username', message: 'is already taken' }]))
      .mockResolvedValueOnce(agentJson({ username: 'zhang.wei2' }));
    const w = await mountForm();
    await fill(w, { 'user-new-username': 'zhang.wei', 'user-new-extension': '1003' });
    await submit(w);
    expect(fieldOf(w, 'user-new-username')).toEqual({ error: '已被占用，请换一个', marked: true, value: 'zhang.wei' });
    expect(fieldOf(w, 'user-new-extension')).toEqual({ error: '', marked: false, value: '1003' });

    await fill(w, { 'user-new-username': 'zhang.wei2' });
    await submit(w);
    expect(create).toHaveBeenCalledTimes(2);
    expect(create.mock.calls[1]?.[0]).toMatchObject({ username: 'zhang.wei2', extension: '1003' });
    expect(w.emitted('created')).toHaveLength(1);
  });

  it('a refusal that names no field of the form (network, 403) goes in the alert, the fields stay', async () => {
    vi.spyOn(adminApi, 'createAgent').mockRejectedValue(new ApiError(403, 'FORBIDDEN', 'role supervisor may not do this (needs admin)'));
    const w = await mountForm();
    await fill(w, { 'user-new-username': 'zhang.wei', 'user-new-extension': '1003' });
    await submit(w);
    expect(w.find('.el-alert').text()).toContain('没有权限（需要管理员）');
    expect(fieldOf(w, 'user-new-username').value).toBe('zhang.wei');
  });

  it('checks the server’s rules before sending: a bad username, extension and short password never reach the API', async () => {
    const create = vi.spyOn(adminApi, 'createAgent');
    const w = await mountForm();
    await fill(w, { 'user-new-username': '张伟', 'user-new-extension': '10a', 'user-new-password': 'short' });
    await submit(w);
    expect(create).not.toHaveBeenCalled();
    expect(fieldOf(w, 'user-new-username').error).toContain('3–64 位英文字母');
    expect(fieldOf(w, 'user-new-extension').error).toBe('须为 3–8 位数字');
    expect(fieldOf(w, 'user-new-password').error).toBe('至少 8 个字符');
  });

  it('passwords left empty are generated (login and SIP differ), sent, and handed over in the created event; nothing typed is', async () => {
    const create = vi.spyOn(adminApi, 'createAgent').mockResolvedValue(agentJson());
    const w = await mountForm();
    await fill(w, { 'user-new-username': 'zhang.wei', 'user-new-extension': '1003' });
    await submit(w);
    const sent = create.mock.calls[0]?.[0];
    expect(sent?.password).toMatch(/^[A-Za-z0-9]{14}$/);
    expect(sent?.sipPassword).toMatch(/^[A-Za-z0-9]{14}$/);
    expect(sent?.password).not.toBe(sent?.sipPassword);
    expect(sent?.mustChangePassword, 'the admin knows the password: the user changes it at its first login').toBe(true);
    const secrets = w.emitted('created')?.[0]?.[1] as OneTimeSecrets;
    expect(secrets.lines).toEqual([
      { label: '登录密码', value: sent?.password },
      { label: 'SIP 密码', value: sent?.sipPassword },
    ]);
    // The form is empty again for the next user.
    expect(fieldOf(w, 'user-new-username').value).toBe('');

    create.mockResolvedValue(agentJson({ id: 10, username: 'li.si', extension: '1004' }));
    await fill(w, { 'user-new-username': 'li.si', 'user-new-extension': '1004', 'user-new-password': 'typed-by-admin' });
    await submit(w);
    const second = w.emitted('created')?.[1]?.[1] as OneTimeSecrets;
    expect(second.lines.map((l) => l.label)).toEqual(['SIP 密码']);
    expect(JSON.stringify(second)).not.toContain('typed-by-admin');
  });

  it('a unit user goes through POST /users with its unit and needs one chosen', async () => {
    const createUser = vi.spyOn(adminApi, 'createUser').mockResolvedValue(agentJson({ role: 'unit', extension: null, skills: [], unitId: 2 }));
    const createAgent = vi.spyOn(adminApi, 'createAgent');
    const w = await mountForm();
    const unitRadio = w.findAll('input[type="radio"]').find((r) => (r.element as HTMLInputElement).value === 'unit');
    await unitRadio?.setValue(true);
    await fill(w, { 'user-new-username': 'swj.li' });
    await submit(w);
    expect(fieldOf(w, 'user-new-unit').error).toBe('请选择承办单位');
    expect(createUser).not.toHaveBeenCalled();
    expect(w.find('#user-new-extension').exists()).toBe(false);
    (w.vm as unknown as { $: { setupState: { form: { unitId?: number } } } }).$.setupState.form.unitId = 2;
    await submit(w);
    expect(createAgent).not.toHaveBeenCalled();
    expect(createUser.mock.calls[0]?.[0]).toMatchObject({ username: 'swj.li', role: 'unit', unitId: 2 });
  });
});

describe('PasswordResetForm', () => {
  const user = agentJson({ id: 4, username: 'li.na', displayName: '李娜', extension: '1001' });

  it('generates the new SIP password, sends it and hands it over once', async () => {
    const setSip = vi.spyOn(adminApi, 'setSipPassword').mockResolvedValue(undefined);
    const w = mount(PasswordResetForm, { props: { user, kind: 'sip' }, global: { plugins: [ElementPlus] }, attachTo: document.body });
    mounted.push(w);
    await flushPromises();
    await submit(w);
    const sent = setSip.mock.calls[0]?.[1];
    expect(setSip.mock.calls[0]?.[0]).toBe(4);
    expect(sent).toMatch(/^[A-Za-z0-9]{14}$/);
    expect((w.emitted('done')?.[0]?.[0] as OneTimeSecrets).lines).toEqual([{ label: '新SIP 密码', value: sent }]);
  });

  it('a typed password is checked, sent, and never handed back; a refusal shows beside the field', async () => {
    const set = vi.spyOn(adminApi, 'setPassword').mockRejectedValueOnce(new ApiError(400, 'VALIDATION_FAILED', 'x', [{ path: 'password', message: 'must be at most 128 characters' }])).mockResolvedValueOnce(undefined);
    const w = mount(PasswordResetForm, { props: { user, kind: 'login' }, global: { plugins: [ElementPlus] }, attachTo: document.body });
    mounted.push(w);
    await flushPromises();
    const manual = w.findAll('input[type="radio"]').find((r) => (r.element as HTMLInputElement).value === 'manual');
    await manual?.setValue(true);
    await fill(w, { 'password-reset-new': 'short' });
    await submit(w);
    expect(set).not.toHaveBeenCalled();
    expect(fieldOf(w, 'password-reset-new').error).toBe('至少 8 个字符');
    await fill(w, { 'password-reset-new': 'chosen-by-admin-1' });
    await submit(w);
    expect(fieldOf(w, 'password-reset-new')).toEqual({ error: '最多 128 个字符', marked: true, value: 'chosen-by-admin-1' });
    await submit(w);
    expect(set.mock.calls[1]).toEqual([4, 'chosen-by-admin-1']);
    expect(w.emitted('done')?.[0]).toEqual([null]);
  });
});
