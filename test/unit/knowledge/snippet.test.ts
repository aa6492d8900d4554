import { expect } from 'chai';
import { snippetOf } from '../../../src/knowledge/snippet.js';

describe('knowledge snippets', () => {
  it('when the match is far into the body, the snippet starts shortly before it with an ellipsis', () => {
    const body = `${'前言'.repeat(50)}社保卡补办需要携带身份证${'后文'.repeat(100)}`;
    const s = snippetOf(body, ['社保']);
    expect(s.startsWith('…')).to.equal(true);
    expect(s.endsWith('…')).to.equal(true);
    expect(s).to.contain('社保卡补办');
    expect(Array.from(s).length).to.be.at.most(122);
  });

  it('when nothing matches in the body (a title match), it shows the start of the body', () => {
    expect(snippetOf('办理时间为工作日上午九点至下午五点。', ['社保'])).to.equal('办理时间为工作日上午九点至下午五点。');
  });

  it('when the body has full-width letters, a lower-case needle still places the snippet', () => {
    const body = `${'甲'.repeat(80)}下载ＡＰＰ即可`;
    expect(snippetOf(body, ['app'])).to.contain('ＡＰＰ');
  });

  it('when the body has line breaks, they become spaces', () => {
    expect(snippetOf('第一行\n\n第二行', ['第二'])).to.equal('第一行 第二行');
  });
});
