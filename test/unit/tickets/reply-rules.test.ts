import { expect } from 'chai';
import { MAX_CHAR_RUN, MIN_DISTINCT_HAN, replyContentIssues } from '../../../src/tickets/reply-rules.js';

describe('reply rules', () => {
  const refused: [string, string][] = [
    ['已处理', 'is boilerplate'],
    ['已办理。', 'is boilerplate'],
    ['已转交！', 'is boilerplate'],
    ['情况属实已处理', 'is boilerplate'],
    ['情况属实，已处理。已办理完毕，已转交。', 'is boilerplate'],
    ['好好好好好好好好好好好好好好好', 'repeats the same characters'],
    ['处理了处理了处理了处理了处理了', 'repeats the same characters'],
    ['我们已经派人去看了啊啊啊啊啊啊', `repeats one character ${MAX_CHAR_RUN} or more times`],
    ['ok, we handled it and fixed the pipe', `must use at least ${MIN_DISTINCT_HAN} different Chinese characters`],
    ['已派人处理 done done done', `must use at least ${MIN_DISTINCT_HAN} different Chinese characters`],
  ];
  for (const [content, why] of refused) {
    it(`when the reply is "${content}", it is refused: ${why}`, () => {
      const issues = replyContentIssues(content);
      expect(issues.some((m) => m.startsWith(why)), issues.join(' | ')).to.equal(true);
    });
  }

  const accepted = [
    '经现场核实，供热管道阀门故障，已于11月21日更换阀门，室温恢复至19度，居民认可。',
    '已联系施工单位，夜间22点后停止施工，城管执法队将持续巡查。',
  ];
  for (const content of accepted) {
    it(`when the reply says what was done ("${content.slice(0, 12)}…"), it passes every rule`, () => {
      expect(replyContentIssues(content)).to.deep.equal([]);
    });
  }
});
