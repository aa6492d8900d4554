import { mount } from '@vue/test-utils';
import ElementPlus from 'element-plus';
import { afterEach, describe, expect, it } from 'vitest';
import { defineComponent, nextTick, ref } from 'vue';
import { markRequiredInputs, watchRequiredInputs } from '../src/shared/aria-required';

afterEach(() => {
  document.body.innerHTML = '';
});

const Form = defineComponent({
  setup() {
    const phone = ref('');
    const note = ref('');
    const required = ref(true);
    return { phone, note, required };
  },
  template: `
    <el-form label-position="top">
      <el-form-item label="来电号码" for="phone" :required="required"><el-input id="phone" v-model="phone" /></el-form-item>
      <el-form-item label="备注" for="note"><el-input id="note" v-model="note" type="textarea" /></el-form-item>
    </el-form>`,
});

describe('required fields say so (aria-required)', () => {
  it('marks the inputs of a required form item only, and unmarks them when it stops being required', async () => {
    const w = mount(Form, { global: { plugins: [ElementPlus] }, attachTo: document.body });
    await nextTick();
    markRequiredInputs(document.body);
    expect(document.getElementById('phone')?.getAttribute('aria-required')).toBe('true');
    expect(document.getElementById('note')?.hasAttribute('aria-required')).toBe(false);
    (w.vm as unknown as { required: boolean }).required = false;
    await nextTick();
    markRequiredInputs(document.body);
    expect(document.getElementById('phone')?.hasAttribute('aria-required')).toBe(false);
    w.unmount();
  });

  it('marks forms that appear later (dialogs) by itself', async () => {
    const stop = watchRequiredInputs(document.body);
    const w = mount(Form, { global: { plugins: [ElementPlus] }, attachTo: document.body });
    await nextTick();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(document.getElementById('phone')?.getAttribute('aria-required')).toBe('true');
    stop();
    w.unmount();
  });
});
