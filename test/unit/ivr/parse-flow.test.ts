import { createDefaultNodeRegistry } from '../../../src/ivr/default-node-registry.js';
import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import sinon from 'sinon';
import { parseQueues } from '../../../src/acd/parse-queues.js';
import { FlowError } from '../../../src/ivr/flow-error.js';
import { parseFlow } from '../../../src/ivr/parse-flow.js';
import { AppError, ValidationError } from '../../../src/shared/app-error.js';
import { hasPrompt } from './ivr-test-kit.js';

const fixture = (name: string): string => `test/fixtures/flows/${name}`;

async function load(path: string) {
  return parseFlow(await readFile(path, 'utf8'), path, { hasPrompt, registry: createDefaultNodeRegistry({ isQueue: (q) => ['general', 'consult', 'complaint'].includes(q) }) });
}

async function refusal(path: string): Promise<FlowError> {
  try {
    await load(path);
  } catch (err) {
    expect(err).to.be.instanceOf(FlowError);
    return err as FlowError;
  }
  throw new Error(`${path} was accepted`);
}

describe('parseFlow', () => {
  afterEach(() => {
    sinon.restore();
  });

  it('when given ivr-flows/default.yaml with the queues of ivr-flows/queues.yaml, every menu key leads to a queue or self-service', async () => {
    const queues = parseQueues(await readFile('ivr-flows/queues.yaml', 'utf8'), 'ivr-flows/queues.yaml');
    const text = await readFile('ivr-flows/default.yaml', 'utf8');
    const flow = parseFlow(text, 'ivr-flows/default.yaml', { hasPrompt: () => true, registry: createDefaultNodeRegistry({ isQueue: (q) => queues.has(q) }) });
    const target = (key: string) => flow.node('main-menu')?.references().find((r) => r.field === `options."${key}"`)?.target ?? '';
    expect(flow.node(target('1'))).to.deep.include({ type: 'queue', params: { type: 'queue', queue: 'consult', prompts: ['branch-consult'], closed: 'night' } });
    expect(flow.node(target('2'))).to.deep.include({ type: 'queue', params: { type: 'queue', queue: 'complaint', prompts: ['branch-complaint'], closed: 'night' } });
    expect(flow.node(target('0'))).to.deep.include({ type: 'queue', params: { type: 'queue', queue: 'general', prompts: ['branch-agent'], closed: 'night' } });
    expect(flow.node(target('3'))?.type).to.not.equal('hangup');
    // Each branch has its own skill; the specialised queues overflow to general, never to nobody.
    expect(queues.get('consult')).to.deep.include({ skills: ['consult'], overflow: 'general' });
    expect(queues.get('complaint')).to.deep.include({ skills: ['complaint'], overflow: 'general' });
    expect(queues.get('general')?.skills).to.deep.equal(['general']);
  });

  it('when given ivr-flows/default.yaml and the prompt library, it loads the short 12345 menu', async () => {
    const flow = await load('ivr-flows/default.yaml');
    expect(flow.name).to.equal('default');
    expect(flow.start).to.equal('welcome');
    expect([...flow.nodes.keys()]).to.include.members(['welcome', 'notices', 'main-menu', 'consult', 'complaint', 'progress', 'progress-code', 'progress-lookup', 'progress-read', 'agent', 'goodbye']);
    expect(flow.node('main-menu')?.references().map((r) => `${r.field}=${r.target}`)).to.have.members([
      'options."1"=consult',
      'options."2"=complaint',
      'options."3"=progress',
      'options."0"=agent',
      'onFailure=goodbye',
    ]);
  });

  it('when a good fixture uses every node type, defaults and an unreachable node, it loads', async () => {
    const flow = await load(fixture('good/all-nodes.yaml'));
    expect([...flow.nodes.values()].map((n) => n.type)).to.have.members(['play', 'goto', 'menu', 'collect', 'say-digits', 'hangup', 'hangup']);
  });

  it('when a flow has a single hangup node, it loads', async () => {
    expect((await load(fixture('good/minimal.yaml'))).start).to.equal('bye');
  });

  const bad: [file: string, message: RegExp][] = [
    ['unknown-type', /^test\/fixtures\/flows\/bad\/unknown-type\.yaml: node "welcome": type: unknown node type "playback" \(one of: play, menu/],
    ['dangling-next', /^test\/fixtures\/flows\/bad\/dangling-next\.yaml: node "welcome": next: unknown node "main-menuu"$/],
    ['dangling-option', /^test\/fixtures\/flows\/bad\/dangling-option\.yaml: node "main-menu": options\."1": unknown node "consultx"$/],
    ['dangling-start', /^test\/fixtures\/flows\/bad\/dangling-start\.yaml: start: unknown node "hello"$/],
    ['bad-digit-key', /^test\/fixtures\/flows\/bad\/bad-digit-key\.yaml: node "main-menu": options\."12": "12" is not a phone key \(0-9, \* or #\)$/],
    ['missing-prompt', /^test\/fixtures\/flows\/bad\/missing-prompt\.yaml: node "welcome": prompts\[1\]: unknown prompt "weather-report"$/],
    ['wrong-field-type', /^test\/fixtures\/flows\/bad\/wrong-field-type\.yaml: node "main-menu": timeout: .*expected number, received string$/],
    ['missing-field', /^test\/fixtures\/flows\/bad\/missing-field\.yaml: node "welcome": next: required \(string\)$/],
    ['extra-field', /^test\/fixtures\/flows\/bad\/extra-field\.yaml: node "welcome": unknown field "loop"$/],
    ['goto-loop', /^test\/fixtures\/flows\/bad\/goto-loop\.yaml: node "loop-a": loop with no menu or collect in it: loop-a → loop-b → loop-a/],
    ['yaml-syntax', /^test\/fixtures\/flows\/bad\/yaml-syntax\.yaml: line 7: YAML syntax: /],
  ];
  for (const [name, message] of bad) {
    it(`when the fixture bad/${name}.yaml is loaded, it is refused naming the file, the node and the reason`, async () => {
      const err = await refusal(fixture(`bad/${name}.yaml`));
      expect(err.message).to.match(message);
      expect(err.code).to.equal('FLOW_INVALID');
      expect(err).to.be.instanceOf(ValidationError).and.instanceOf(AppError);
      expect(err.file).to.equal(fixture(`bad/${name}.yaml`));
    });
  }

  it('when a refusal names a node, the error carries the node id and the field separately', async () => {
    const err = await refusal(fixture('bad/dangling-option.yaml'));
    expect({ nodeId: err.nodeId, field: err.field, reason: err.reason }).to.deep.equal({
      nodeId: 'main-menu',
      field: 'options."1"',
      reason: 'unknown node "consultx"',
    });
  });

  it('when say-digits has both variable and digits, it is refused', () => {
    const yaml = 'name: x\nstart: s\nnodes:\n  s: { type: say-digits, digits: "12", variable: v, next: h }\n  h: { type: hangup }\n';
    expect(() => parseFlow(yaml, 'f.yaml', { hasPrompt })).to.throw(FlowError, /^f\.yaml: node "s": needs exactly one of "variable" or "digits"$/);
  });

  it('when say-digits reads a variable, every digit prompt must exist', () => {
    const yaml = 'name: x\nstart: s\nnodes:\n  s: { type: say-digits, variable: v, next: h }\n  h: { type: hangup }\n';
    expect(() => parseFlow(yaml, 'f.yaml', { hasPrompt: (n) => n !== 'pound' })).to.throw(FlowError, /node "s": variable: unknown prompt "pound"/);
  });

  it('when collect asks for more minDigits than maxDigits, it names minDigits', () => {
    const yaml = 'name: x\nstart: c\nnodes:\n  c: { type: collect, prompt: [menu], minDigits: 8, maxDigits: 4, next: h }\n  h: { type: hangup }\n';
    expect(() => parseFlow(yaml, 'f.yaml', { hasPrompt })).to.throw(FlowError, /node "c": minDigits: must not be more than maxDigits/);
  });

  it('when a node loops on itself through play, it is refused; through a menu, it is accepted', () => {
    const playLoop = 'name: x\nstart: p\nnodes:\n  p: { type: play, prompts: [hold-music], next: p }\n';
    expect(() => parseFlow(playLoop, 'f.yaml', { hasPrompt })).to.throw(FlowError, /node "p": loop with no menu or collect in it: p → p/);
    const menuLoop = 'name: x\nstart: m\nnodes:\n  m: { type: menu, prompt: [menu], options: { "9": g } }\n  g: { type: goto, target: m }\n';
    expect(parseFlow(menuLoop, 'f.yaml', { hasPrompt }).nodes.size).to.equal(2);
  });

  it('when the top level has an unknown key or no nodes, it names the field', () => {
    expect(() => parseFlow('name: x\nstart: a\nnodes: {}\n', 'f.yaml', { hasPrompt })).to.throw(FlowError, /^f\.yaml: nodes: must define at least one node$/);
    expect(() => parseFlow('name: x\nstart: a\nnodes: { a: { type: hangup } }\nnodez: {}\n', 'f.yaml', { hasPrompt })).to.throw(
      FlowError,
      /^f\.yaml: unknown field "nodez"$/,
    );
    expect(() => parseFlow('name: x\nstart: a\n', 'f.yaml', { hasPrompt })).to.throw(FlowError, /^f\.yaml: nodes: required/);
  });

  it('when a node is a list instead of a mapping, it is refused', () => {
    expect(() => parseFlow('name: x\nstart: a\nnodes:\n  a: [hangup]\n', 'f.yaml', { hasPrompt })).to.throw(FlowError, /node "a": must be a mapping with a "type"/);
  });

  it('when a key is duplicated in the YAML, it names the line', () => {
    const yaml = 'name: x\nstart: a\nnodes:\n  a: { type: hangup }\n  a: { type: hangup }\n';
    expect(() => parseFlow(yaml, 'f.yaml', { hasPrompt })).to.throw(FlowError, /^f\.yaml: line 5: YAML syntax: Map keys must be unique/);
  });
});
