import { expect } from 'chai';
import { PHONE_FIELD_MESSAGE } from '../../../src/tickets/field-schemas.js';
import { ValidationError } from '../../../src/shared/app-error.js';
import { parseTicketInput } from '../../../src/tickets/ticket-input.js';

const good = {
  requestType: 'complaint',
  categoryId: 3,
  content: '小区门口夜间施工噪音严重，影响休息',
  address: '朝阳门南小街12号',
  residentName: '张三',
  residentPhone: '13812345678',
};

function issuesOf(input: unknown): Record<string, string> {
  try {
    parseTicketInput(input);
  } catch (err) {
    expect(err).to.be.instanceOf(ValidationError);
    return Object.fromEntries((err as ValidationError).issues.map((i) => [i.path, i.message]));
  }
  throw new Error('expected a refusal');
}

describe('parseTicketInput', () => {
  it('when the form is complete, it keeps Chinese values as given and fills the defaults', () => {
    const t = parseTicketInput(good);
    expect(t).to.deep.equal({ ...good, urgency: 'normal', answeredOnCall: false, answer: null, callId: null, handlingUnitId: null, articleIds: [] });
  });

  it('when the request type or urgency is given in Chinese, it stores the English key', () => {
    expect(parseTicketInput({ ...good, requestType: '投诉举报', urgency: '特急' })).to.include({ requestType: 'complaint', urgency: 'emergency' });
    expect(parseTicketInput({ ...good, requestType: '咨询' }).requestType).to.equal('consult');
  });

  it('when the resident gives no name or says 匿名, it accepts both', () => {
    expect(parseTicketInput({ ...good, residentName: undefined }).residentName).to.equal(null);
    expect(parseTicketInput({ ...good, residentName: '匿名' }).residentName).to.equal('匿名');
  });

  it('when every field is wrong, it names each one in plain words', () => {
    const issues = issuesOf({
      requestType: 'question',
      categoryId: 'x',
      content: '太吵',
      residentName: 5,
      residentPhone: '138-1',
      urgency: 'asap',
      answeredOnCall: 'yes',
      handlingUnitId: 0,
    });
    expect(issues).to.deep.equal({
      requestType: 'must be one of consult (咨询), help (求助), complaint (投诉举报), suggestion (建议), praise (表扬)',
      categoryId: 'must be a number',
      content: 'must be at least 10 characters',
      residentName: 'must be text',
      residentPhone: PHONE_FIELD_MESSAGE,
      urgency: 'must be one of normal (一般), urgent (紧急), emergency (特急)',
      answeredOnCall: 'must be true or false',
      handlingUnitId: 'must be at least 1',
    });
  });

  it('when required fields are missing, it says each is required', () => {
    expect(issuesOf({})).to.deep.equal({
      requestType: 'is required',
      categoryId: 'is required',
      content: 'is required',
      residentPhone: 'is required',
    });
  });

  it('when a complaint or a request for help has no address, it asks where', () => {
    expect(issuesOf({ ...good, address: '  ' })).to.deep.equal({ address: 'is required for complaint (投诉举报): say where' });
    expect(issuesOf({ ...good, requestType: '求助', address: undefined }).address).to.equal('is required for help (求助): say where');
    expect(parseTicketInput({ ...good, requestType: 'consult', address: undefined }).address).to.equal(null);
  });

  it('when answered on the call without an answer, or with a unit, it refuses both', () => {
    expect(issuesOf({ ...good, answeredOnCall: true, handlingUnitId: 2 })).to.deep.equal({
      answer: 'is required when the request was answered on the call (直办): write the answer given',
      handlingUnitId: 'must be left out when the request was answered on the call (直办)',
    });
  });

  it('when the content is longer than 4000 characters, or fields are unknown, it says so', () => {
    expect(issuesOf({ ...good, content: '噪'.repeat(4001) }).content).to.equal('must be at most 4000 characters');
    expect(parseTicketInput({ ...good, content: '𠀀'.repeat(4000) }).content).to.have.length(8000);
    expect(issuesOf({ ...good, priority: 1, foo: 2 })).to.deep.equal({ ticket: 'unknown fields priority, foo' });
  });

  it('when the body is not an object, it refuses it as a whole', () => {
    expect(issuesOf('hello')).to.deep.equal({ ticket: 'must be an object of ticket fields' });
    expect(issuesOf(undefined)).to.deep.equal({ ticket: 'must be an object of ticket fields' });
  });
});

describe('parseTicketInput: knowledge articles (issue 12)', () => {
  it('when the agent links articles, their ids are kept once each; a bad or long list is refused naming articleIds', () => {
    expect(parseTicketInput({ ...good, articleIds: [4, 4, 9] }).articleIds).to.deep.equal([4, 9]);
    expect(issuesOf({ ...good, articleIds: 'x' })).to.have.property('articleIds');
    expect(issuesOf({ ...good, articleIds: [0] })).to.have.property('articleIds.0');
    expect(issuesOf({ ...good, articleIds: [1, 2, 3, 4, 5, 6] })).to.have.property('articleIds');
  });
});
