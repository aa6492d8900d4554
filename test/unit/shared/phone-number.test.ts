import { expect } from 'chai';
import { normalisePhoneNumber, parsePhoneNumber, storedPhoneForms } from '../../../src/shared/phone-number.js';

describe('phone numbers', () => {
  const table: readonly [written: string, kind: 'national' | 'international', value: string][] = [
    ['13812345678', 'national', '13812345678'],
    ['+8613812345678', 'national', '13812345678'],
    ['+86 138-1234-5678', 'national', '13812345678'],
    ['008613812345678', 'national', '13812345678'],
    ['8613812345678', 'national', '13812345678'],
    ['010-12345678', 'national', '01012345678'],
    ['0755 1234 5678', 'national', '075512345678'],
    ['(010) 1234.5678', 'national', '01012345678'],
    ['+86 10 1234 5678', 'national', '01012345678'],
    ['+86 755 12345678', 'national', '075512345678'],
    ['12345678', 'national', '12345678'],
    ['12345', 'national', '12345'],
    ['110', 'national', '110'],
    ['+19005550199', 'international', '+19005550199'],
    ['001 900 555 0199', 'international', '+19005550199'],
    ['+852 2345 6789', 'international', '+85223456789'],
  ];
  for (const [written, kind, value] of table) {
    it(`when "${written}" is written, it is the ${kind} number ${value}`, () => {
      expect(parsePhoneNumber(written)).to.deep.equal({ kind, value });
    });
  }

  for (const bad of ['', 'anonymous', '138*1234', '+', '+86', '1'.repeat(21), '+1234567890123456', '1'.repeat(100)]) {
    it(`when "${bad.slice(0, 30)}" is written, it is not a phone number`, () => {
      expect(parsePhoneNumber(bad)).to.equal(undefined);
    });
  }

  it('when a number is not one (anonymous), normalising keeps it as it was', () => {
    expect(normalisePhoneNumber(' anonymous ')).to.equal('anonymous');
    expect(normalisePhoneNumber('+86 138 1234 5678')).to.equal('13812345678');
  });

  it('when a mobile number is looked up, the forms old rows may hold are looked up with it', () => {
    expect(storedPhoneForms('+8613812345678')).to.have.members(['13812345678', '8613812345678', '008613812345678', '+8613812345678']);
  });

  it('when a landline is looked up, the forms with the country code drop its trunk prefix 0', () => {
    expect(storedPhoneForms('010-12345678')).to.have.members(['01012345678', '861012345678', '00861012345678', '+861012345678']);
  });
});
