import { expect } from 'chai';
import { MAX_QUERY_TERMS, TERM_WEIGHTS, indexTerms, isEmptyQuery, queryTerms, termCounts } from '../../../src/knowledge/search-terms.js';

/** Whether every exact term of the query is in the text's terms, and every range holds one of them. */
function finds(text: string, query: string): boolean {
  const terms = [...termCounts(text).keys()];
  const q = queryTerms(query);
  return q.exact.every((t) => terms.includes(t)) && q.ranges.every(([lo, hi]) => terms.some((t) => t >= lo && t <= hi));
}

describe('knowledge search terms (character pairs and words)', () => {
  it('when a query is a two-character word inside a longer Chinese phrase, it is found (社保 in 社保卡补办)', () => {
    expect(finds('社保卡补办需要带身份证原件', '社保')).to.equal(true);
    expect(finds('明天上午八点至下午五点停水', '停水')).to.equal(true);
  });

  it('when the two characters only occur apart, it is not found (社…保)', () => {
    expect(finds('社区保洁每周两次', '社保')).to.equal(false);
  });

  it('when a query is a longer phrase, it becomes its overlapping pairs', () => {
    const q = queryTerms('社保卡补办');
    expect(q.needles).to.deep.equal(['社保', '保卡', '卡补', '补办']);
    expect(q.exact).to.have.length(4);
    expect(q.ranges).to.have.length(0);
  });

  it('when a query is one Chinese character, it finds it anywhere in a run, last character included', () => {
    expect(finds('供水管道维修', '水')).to.equal(true);
    expect(finds('今日停水', '水')).to.equal(true);
    expect(finds('水', '水')).to.equal(true);
    expect(finds('供电抢修', '水')).to.equal(false);
    expect(queryTerms('水').ranges).to.have.length(1);
  });

  it('when a query has Latin words or digits, they match whole words regardless of case and width', () => {
    expect(finds('请下载 APP 办理', 'app')).to.equal(true);
    expect(finds('请下载ＡＰＰ办理', 'App')).to.equal(true);
    expect(finds('拨打12345热线', '12345')).to.equal(true);
    expect(finds('拨打12345热线', '热线')).to.equal(true);
    expect(finds('apple', 'app')).to.equal(false);
  });

  it('when the query is only punctuation or spaces, it is empty', () => {
    expect(isEmptyQuery(queryTerms(' ，。!? '))).to.equal(true);
    expect(isEmptyQuery(queryTerms('停水'))).to.equal(false);
  });

  it('when a query is a pasted paragraph, at most MAX_QUERY_TERMS terms are looked up', () => {
    const q = queryTerms('市民反映小区自来水水压不足高层住户无法正常用水请求尽快处理并给予答复谢谢');
    expect(q.exact).to.have.length(MAX_QUERY_TERMS);
  });

  it('when pairs repeat in the query, each is looked up once', () => {
    expect(queryTerms('停水停水').needles).to.deep.equal(['停水', '水停']);
  });

  it('when an article is indexed, a title hit outweighs body hits and body hits are capped', () => {
    const weights = indexTerms({ title: '停水通知', body: '停水'.repeat(20), tags: ['供水'] });
    const [stopWater] = queryTerms('停水').exact;
    const [supply] = queryTerms('供水').exact;
    expect(weights.get(stopWater ?? 0)).to.equal(TERM_WEIGHTS.title + TERM_WEIGHTS.bodyMax);
    expect(weights.get(supply ?? 0)).to.equal(TERM_WEIGHTS.tag);
  });

  it('when terms are computed, they are whole numbers a BIGINT and a JS number hold exactly', () => {
    for (const term of termCounts('𠀀𠀁 社保 APP 12345').keys()) expect(Number.isSafeInteger(term)).to.equal(true);
  });
});
