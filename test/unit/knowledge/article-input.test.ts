import { expect } from 'chai';
import { parseArticleCreate, parseArticleEdit } from '../../../src/knowledge/article-input.js';
import { changedFields } from '../../../src/knowledge/knowledge-service.js';
import { ValidationError } from '../../../src/shared/app-error.js';

function paths(input: unknown, parse: (i: unknown) => unknown = parseArticleCreate): string[] {
  try {
    parse(input);
  } catch (err) {
    expect(err).to.be.instanceOf(ValidationError);
    return (err as ValidationError).issues.map((i) => i.path);
  }
  throw new Error('accepted');
}

describe('knowledge article input', () => {
  it('when only title and body are given, it is a draft article with empty links and no validity', () => {
    expect(parseArticleCreate({ title: ' 社保卡补办 ', body: '携带身份证到网点办理。' })).to.deep.equal({
      kind: 'article',
      title: '社保卡补办',
      body: '携带身份证到网点办理。',
      status: 'draft',
      categoryIds: [],
      unitIds: [],
      tags: [],
      validFrom: null,
      validTo: null,
    });
  });

  it('when kinds and statuses are given by their Chinese names, they are taken', () => {
    const a = parseArticleCreate({ kind: '临时公告', status: '发布', title: '停电通知', body: '明日检修', validTo: '2026-12-03T18:00:00+08:00' });
    expect(a.kind).to.equal('notice');
    expect(a.status).to.equal('published');
    expect(a.validTo?.toISOString()).to.equal('2026-12-03T10:00:00.000Z');
  });

  it('when fields are wrong, each is named: title, tags, categoryIds.1, validFrom, an unknown field', () => {
    expect(paths({ body: '正文正文' })).to.deep.equal(['title']);
    expect(paths({ title: '标题', body: '正文', tags: ['x'.repeat(21)] })).to.deep.equal(['tags.0']);
    expect(paths({ title: '标题', body: '正文', categoryIds: [3, 0] })).to.deep.equal(['categoryIds.1']);
    expect(paths({ title: '标题', body: '正文', validFrom: '2026-12-03' })).to.deep.equal(['validFrom']);
    expect(paths({ title: '标题', body: '正文', author: '我' })).to.deep.equal(['article']);
  });

  it('when validTo is not after validFrom, or a notice has no validTo, validTo is named', () => {
    expect(paths({ title: '标题', body: '正文', validFrom: '2026-12-03T08:00:00+08:00', validTo: '2026-12-03T08:00:00+08:00' })).to.deep.equal(['validTo']);
    expect(paths({ kind: 'notice', title: '停水', body: '正文' })).to.deep.equal(['validTo']);
  });

  it('when an edit has no version, version is named', () => {
    expect(paths({ title: '新标题' }, parseArticleEdit)).to.deep.equal(['version']);
    expect(parseArticleEdit({ version: 3, title: '新标题' })).to.deep.equal({ version: 3, title: '新标题' });
  });

  it('when fields change, changedFields names them (dates by instant, lists by content)', () => {
    const before = parseArticleCreate({ title: '标题', body: '正文', tags: ['a'], validTo: '2026-12-03T18:00:00+08:00' });
    const same = parseArticleCreate({ title: '标题', body: '正文', tags: ['a'], validTo: '2026-12-03T10:00:00Z' });
    expect(changedFields(before, same)).to.deep.equal([]);
    expect(changedFields(before, { ...same, body: '新正文', tags: ['a', 'b'] })).to.deep.equal(['body', 'tags']);
  });
});
