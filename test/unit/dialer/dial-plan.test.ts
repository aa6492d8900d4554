import { expect } from 'chai';
import { DialPlan, DialPlanError, type DialPlanRefusal } from '../../../src/dialer/dial-plan.js';
import { ValidationError } from '../../../src/shared/app-error.js';

describe('DialPlan', () => {
  const plan = DialPlan.parse();

  const allowed: readonly [written: string, dialled: string][] = [
    ['13812345678', '13812345678'],
    ['+8613812345678', '13812345678'],
    ['008613812345678', '13812345678'],
    ['8613812345678', '13812345678'],
    ['19912345678', '19912345678'],
    ['010-12345678', '01012345678'],
    ['0755 1234 5678', '075512345678'],
    ['0571-8888888', '05718888888'],
    ['+86 10 1234 5678', '01012345678'],
    ['62345678', '62345678'],
    ['8123456', '8123456'],
  ];
  for (const [written, dialled] of allowed) {
    it(`when the number is ${written}, it is dialled as ${dialled}`, () => {
      expect(plan.checkNumber(written)).to.deep.equal({ allowed: true, number: dialled });
    });
  }

  const refused: readonly [written: string, refusal: DialPlanRefusal, reason: RegExp][] = [
    ['+19005550199', 'denied', /international number.*DIAL_PLAN_DENY "\+!"/],
    ['0019005550199', 'denied', /international number/],
    ['+85223456789', 'denied', /international number/],
    ['110', 'emergency', /emergency/],
    ['119', 'emergency', /emergency/],
    ['120', 'emergency', /emergency/],
    ['122', 'emergency', /emergency/],
    ['12110', 'emergency', /emergency/],
    ['12345', 'emergency', /emergency/],
    ['10086', 'emergency', /emergency/],
    ['1008612345678', 'denied', /DIAL_PLAN_DENY "10!"/],
    ['95588', 'denied', /service or premium number.*"95!"/],
    ['9558800', 'denied', /"95!"/],
    ['96123', 'denied', /"96!"/],
    ['16812345', 'not-allowed', /no DIAL_PLAN_ALLOW/],
    ['4008123456', 'not-allowed', /no DIAL_PLAN_ALLOW/],
    ['8008123456', 'not-allowed', /no DIAL_PLAN_ALLOW/],
    ['1795113812345678', 'not-allowed', /no DIAL_PLAN_ALLOW/],
    ['1381234567', 'not-allowed', /no DIAL_PLAN_ALLOW/],
    ['0123', 'not-allowed', /no DIAL_PLAN_ALLOW/],
    ['anonymous', 'not-a-number', /not a phone number/],
  ];
  for (const [written, refusal, reason] of refused) {
    it(`when the number is ${written}, it is refused (${refusal})`, () => {
      const verdict = plan.checkNumber(written);
      expect(verdict.allowed).to.equal(false);
      if (verdict.allowed) return;
      expect(verdict.refusal).to.equal(refusal);
      expect(verdict.reason).to.match(reason);
    });
  }

  const dialledTargets: readonly [target: string, dialled: string][] = [
    ['tel:+86 138 1234 5678', 'tel:13812345678'],
    [' TEL:13812345678 ', 'tel:13812345678'],
    ['ext:8001', 'ext:8001'],
    ['EXT:8001', 'ext:8001'],
    ['sip:liaison@127.0.0.1:5070', 'sip:liaison@127.0.0.1:5070'],
    ['sip:liaison@10.0.0.5', 'sip:liaison@10.0.0.5'],
    ['sip:8001@192.168.10.21:5060', 'sip:8001@192.168.10.21:5060'],
    ['SIPS:8108@[2001:db8::8]:5062', 'sips:8108@[2001:db8::8]:5062'],
    ['sip:13812345678@10.0.0.5;user=phone', 'sip:13812345678@10.0.0.5;user=phone'],
    ['sip:+86-138-1234-5678@10.0.0.5', 'sip:+86-138-1234-5678@10.0.0.5'],
    ['sip:10.0.0.5:5060', 'sip:10.0.0.5:5060'],
  ];
  for (const [target, dialled] of dialledTargets) {
    it(`when the target is "${target}", it is dialled as ${dialled}`, () => {
      expect(plan.checkTarget(target)).to.deep.equal({ allowed: true, target: dialled });
    });
  }

  const refusedTargets: readonly [target: string, refusal: DialPlanRefusal, reason: RegExp][] = [
    [' tel:+19005550199', 'denied', /international number/],
    ['TEL:+19005550199', 'denied', /international number/],
    ['\ttel:110', 'emergency', /emergency/],
    ['sip:+19005550199@10.0.0.5', 'denied', /international number/],
    [' SIP:+19005550199@10.0.0.5:5060', 'denied', /international number/],
    ['sips:+19005550199@10.0.0.5', 'denied', /international number/],
    ['sip:+19005550199@10.0.0.5;user=phone', 'denied', /international number/],
    ['sip:+1-900-555-0199;postd=pp22@10.0.0.5;user=phone', 'denied', /international number/],
    ['sip:0019005550199:secret@10.0.0.5', 'denied', /international number/],
    ['sip:%2B19005550199@10.0.0.5', 'denied', /international number/],
    ['sip:5550199;phone-context=+1900@10.0.0.5', 'denied', /international number/],
    ['sip:110@10.0.0.5', 'emergency', /emergency/],
    ['sip:95588@10.0.0.5', 'denied', /"95!"/],
    ['sip:16812345@10.0.0.5', 'not-allowed', /no DIAL_PLAN_ALLOW/],
    ['sip:*6719005550199@10.0.0.5', 'not-a-number', /neither a name nor a phone number/],
    ['sip:%ZZ@10.0.0.5', 'not-a-number', /neither a name nor a phone number/],
    ['sms:+19005550199', 'not-a-number', /not a tel:, sip:, sips: or ext: target/],
    ['+19005550199', 'not-a-number', /not a tel:, sip:, sips: or ext: target/],
    ['13812345678', 'not-a-number', /not a tel:, sip:, sips: or ext: target/],
  ];
  for (const [target, refusal, reason] of refusedTargets) {
    it(`when the target is "${target.replace('\t', '\\t')}", it is refused (${refusal})`, () => {
      const verdict = plan.checkTarget(target);
      expect(verdict.allowed).to.equal(false);
      if (verdict.allowed) return;
      expect(verdict.refusal).to.equal(refusal);
      expect(verdict.reason).to.match(reason);
    });
  }

  it('when a tel: target is refused, assertTarget throws REFUSED_BY_DIAL_PLAN with the reason', () => {
    expect(() => plan.assertTarget('tel:+19005550199'))
      .to.throw(DialPlanError, /international number/)
      .with.property('code', 'REFUSED_BY_DIAL_PLAN');
  });

  it('when the operator allows Hong Kong and denies nothing, +852 is dialled but 110 still is not', () => {
    const custom = DialPlan.parse('1[3-9]XXXXXXXXX,+852XXXXXXXX', '');
    expect(custom.checkNumber('+852 2345 6789')).to.deep.equal({ allowed: true, number: '+85223456789' });
    expect(custom.checkNumber('110').allowed).to.equal(false);
    expect(custom.checkNumber('+19005550199').allowed).to.equal(false);
  });

  const bad: readonly [allow: string, deny: string, key: string, message: RegExp][] = [
    ['13A', '', 'DIAL_PLAN_ALLOW', /"A" is not a digit/],
    ['', '', 'DIAL_PLAN_ALLOW', /at least one pattern/],
    ['1[3-9', '', 'DIAL_PLAN_ALLOW', /digit class/],
    ['1[a-z]X', '', 'DIAL_PLAN_ALLOW', /digit class/],
    ['1.3', '', 'DIAL_PLAN_ALLOW', /"\." is not/],
    ['13X', '+', 'DIAL_PLAN_DENY', /matches no number/],
    ['13X', '9'.repeat(41), 'DIAL_PLAN_DENY', /longer than 40/],
  ];
  for (const [allow, deny, key, message] of bad) {
    it(`when ${key} is "${key === 'DIAL_PLAN_ALLOW' ? allow : deny.slice(0, 12)}", it is refused naming ${key}`, () => {
      try {
        DialPlan.parse(allow, deny);
        expect.fail('parsed');
      } catch (err) {
        expect(err).to.be.instanceOf(ValidationError);
        if (!(err instanceof ValidationError)) return;
        expect(err.message).to.match(message);
        expect(err.issues[0]?.path).to.equal(key);
      }
    });
  }
});
