import { describe, expect, it } from 'vitest';
import { highlight } from '../src/components/knowledge/highlight';

describe('knowledge highlight', () => {
  it('when pairs of a phrase overlap, the phrase is one mark (社保 + 保卡 → 社保卡)', () => {
    expect(highlight('补办社保卡流程', ['社保', '保卡'])).toEqual([
      { text: '补办', mark: false },
      { text: '社保卡', mark: true },
      { text: '流程', mark: false },
    ]);
  });

  it('when a term is a Latin word, it matches regardless of case and width', () => {
    expect(highlight('下载ＡＰＰ或app', ['app']).filter((s) => s.mark).map((s) => s.text)).toEqual(['ＡＰＰ', 'app']);
  });

  it('when nothing matches, the text is one plain segment', () => {
    expect(highlight('供暖', ['停水'])).toEqual([{ text: '供暖', mark: false }]);
  });
});
