import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { migrationList } from '../../src/db/migrations/migration-list.js';

describe('migration list', () => {
  it('when a migration file exists, it is listed, in file-name order', () => {
    const dir = fileURLToPath(new URL('../../src/db/migrations/', import.meta.url));
    const files = readdirSync(dir)
      .filter((f) => /^\d{4}-.+\.ts$/.test(f))
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    expect(migrationList.map((m) => m.name)).to.deep.equal(files);
  });
});
