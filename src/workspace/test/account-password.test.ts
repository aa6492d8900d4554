import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import ElementPlus from 'element-plus';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { request } from '../src/api/http';
import { clearSession, session, setSession } from '../src/api/session-store';
import ChangePasswordForm from '../src/components/account/ChangePasswordForm.vue';

const mounted: VueWrapper[] = [];

afterEach(() => {
  for (const w of mounted.splice(0)) w.unmount();
  vi.unstubAllGlobals();
  clearSession();
  document.body.innerHTML = '';
});

async function mountForm(): Promise<VueWrapper> {
  const w = mount(ChangePasswordForm, { global: { plugins: [ElementPlus] }, attachTo: document.body });
  mounted.push(w);
  await flushPromises();
  return w;
}

function errorOf(w: VueWrapper, id: string): string {
  return w.find(`#${id}`).element.closest('.el-form-item')?.querySelector('.el-form-item__error')?.textContent.trim() ?? '';
}

async function fillAndSubmit(w: VueWrapper, current: string, next: string, confirm: string): Promise<void> {
  await w.find('#change-password-current').setValue(current);
  await w.find('#change-password-new').setValue(next);
  await w.find('#change-password-confirm').setValue(confirm);
  await w.find('form').trigger('submit');
  await flushPromises();
  await new Promise((resolve) => setTimeout(resolve, 150));
  await flushPromises();
}

describe('ChangePasswordForm', () => {
  it('when the new password is short or the two differ, it says so beside the fields and sends nothing', async () => {
    const fetch = vi.fn();
    vi.stubGlobal('fetch', fetch);
    const w = await mountForm();
    await fillAndSubmit(w, 'temp-pass-77', 'short', 'other');
    expect(errorOf(w, 'change-password-new')).toBe('至少 8 个字符');
    expect(errorOf(w, 'change-password-confirm')).toBe('两次输入的新密码不一致');
    expect(fetch).not.toHaveBeenCalled();
  });

  it('when the server says the current password is wrong, it shows it in Chinese beside 当前密码', async () => {
    setSession('tok-1', new Date(Date.now() + 3_600_000).toISOString(), { id: 3, username: 'li.na', role: 'agent', displayName: '李娜', mustChangePassword: true });
    const body = { error: { code: 'VALIDATION_FAILED', message: 'invalid password change', issues: [{ path: 'currentPassword', message: 'is not your current password' }] } };
    vi.stubGlobal('fetch', () => Promise.resolve(new Response(JSON.stringify(body), { status: 400, headers: { 'content-type': 'application/json' } })));
    const w = await mountForm();
    await fillAndSubmit(w, 'guess-pass-1', 'my-own-pass-1', 'my-own-pass-1');
    expect(errorOf(w, 'change-password-current')).toBe('当前密码不正确');
    expect(session.user?.mustChangePassword).toBe(true);
  });

  it('when the change succeeds, the session user no longer must change it and the form says done', async () => {
    setSession('tok-1', new Date(Date.now() + 3_600_000).toISOString(), { id: 3, username: 'li.na', role: 'agent', displayName: '李娜', mustChangePassword: true });
    const sent: unknown[] = [];
    vi.stubGlobal('fetch', (_url: string, init: RequestInit) => {
      sent.push(JSON.parse(typeof init.body === 'string' ? init.body : ''));
      const user = { id: 3, username: 'li.na', role: 'agent', displayName: '李娜', mustChangePassword: false };
      return Promise.resolve(new Response(JSON.stringify({ user }), { status: 200, headers: { 'content-type': 'application/json' } }));
    });
    const w = await mountForm();
    await fillAndSubmit(w, 'temp-pass-77', 'my-own-pass-1', 'my-own-pass-1');
    expect(sent).toEqual([{ currentPassword: 'temp-pass-77', newPassword: 'my-own-pass-1' }]);
    expect(session.user?.mustChangePassword).toBe(false);
    expect(w.emitted('done')).toHaveLength(1);
  });

  it('when the server answers PASSWORD_CHANGE_REQUIRED, the session is marked so the app shows only the change page', async () => {
    setSession('tok-1', new Date(Date.now() + 3_600_000).toISOString(), { id: 3, username: 'li.na', role: 'agent', displayName: '李娜' });
    const body = { error: { code: 'PASSWORD_CHANGE_REQUIRED', message: 'an admin set your password' } };
    vi.stubGlobal('fetch', () => Promise.resolve(new Response(JSON.stringify(body), { status: 403, headers: { 'content-type': 'application/json' } })));
    await request('GET', '/tickets').catch(() => undefined);
    expect(session.user?.mustChangePassword).toBe(true);
    expect(session.token, 'still signed in: the change page needs the token').toBe('tok-1');
  });
});
