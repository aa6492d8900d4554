import { expect } from 'chai';
import { CatalogueSpeech } from '../../../src/calls/catalogue-speech.js';
import { silentLogger } from '../../../src/logging/logger.js';
import { UnitService } from '../../../src/tickets/unit-service.js';
import type { UnitRepository } from '../../../src/tickets/catalog.js';

describe('CatalogueSpeech (the catalogue pre-synthesised)', () => {
  it('when started, it synthesises every distinct name one at a time, and a failure does not stop the rest', async () => {
    const asked: string[] = [];
    let running = 0;
    let most = 0;
    const speech = new CatalogueSpeech({
      warm: async (text) => {
        running++;
        most = Math.max(most, running);
        asked.push(text);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running--;
        if (text === '坏') throw new Error('espeak-ng exited with 1');
      },
      names: () => Promise.resolve(['朝阳区水务局', '坏', '供水', '朝阳区水务局', ' ']),
      logger: silentLogger(),
    });
    await speech.warmAll();
    expect(asked).to.deep.equal(['朝阳区水务局', '坏', '供水']);
    expect(most, 'one synthesis at a time').to.equal(1);
    expect(speech.stats).to.deep.equal({ warmed: 2, failed: 1 });
  });

  it('when an admin creates or renames a unit, its name is synthesised; an edit that keeps the name is not', async () => {
    const warmed: string[] = [];
    const unit = { id: 1, code: 'U1', name: '朝阳区水务局', kind: 'bureau', liaisonName: '', liaisonPhone: '', liaisonSipUri: null, active: true };
    const units = {
      create: (u: { name: string }) => Promise.resolve({ ...unit, ...u }),
      update: (_id: number, patch: { name?: string }) => Promise.resolve({ ...unit, ...patch }),
    } as unknown as UnitRepository;
    const service = new UnitService({ units, onNamed: (n) => warmed.push(n) });
    await service.create({ code: 'U2', name: '朝阳区供热办', kind: 'bureau', liaisonName: '李四', liaisonPhone: '13800000000' });
    await service.update(1, { name: '朝阳区水务局（新）' });
    await service.update(1, { active: false });
    expect(warmed).to.deep.equal(['朝阳区供热办', '朝阳区水务局（新）']);
  });
});
