import { expect } from 'chai';
import { summaryForSpeech } from '../../../src/ivr/speech/reply-summary.js';

describe('summaryForSpeech (a reply read on the phone)', () => {
  it('when the reply is short, it keeps it, whitespace and control characters made single spaces', () => {
    expect(summaryForSpeech('  已修复\n\t路灯。\u0007 ', 120)).to.equal('已修复 路灯。');
  });

  it('when the reply is long, it cuts after the last sentence end inside the cap', () => {
    const s = summaryForSpeech('第一句话说完了。第二句话也说完了。第三句很长很长很长很长', 20);
    expect(s).to.equal('第一句话说完了。第二句话也说完了。');
  });

  it('when no sentence ends in the second half of the cap, it cuts at the cap and ends with 。 (never splitting a character)', () => {
    const s = summaryForSpeech(`${'路'.repeat(30)}😀${'灯'.repeat(30)}`, 32);
    expect(Array.from(s)).to.have.length(32);
    expect(s.endsWith('。')).to.equal(true);
    expect(s).to.not.include('\ud83d\u3002');
  });

  it('when the reply holds nothing speakable, it gives an empty text (the node then skips)', () => {
    expect(summaryForSpeech(' \n <> ', 120)).to.equal('');
  });
});
