import { expect } from 'chai';
import { ESLint } from 'eslint';

/**
 * The layer rules of eslint.config.js (shared/ARCHITECTURE.md), checked on probe sources so that a
 * rule that stops matching fails here instead of letting a wrong import through.
 */
describe('layer lint', function () {
  this.timeout(60000);
  // Only the import rule runs: the type-checked rules need a program, which probe files are not part of.
  const eslint = new ESLint({
    overrideConfig: { languageOptions: { parserOptions: { projectService: false, project: null } } },
    ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports',
  });

  async function restrictedImports(filePath: string, source: string): Promise<string[]> {
    const [result] = await eslint.lintText(source, { filePath });
    return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
  }

  for (const pkg of ['express', 'ws', 'sequelize', 'sip', 'mysql2', 'sqlite3', 'drachtio-srf', 'prom-client']) {
    for (const folder of ['acd', 'ivr', 'tickets', 'dialer', 'metrics', 'identity', 'calls', 'telephony', 'shared']) {
      it(`when src/${folder} imports ${pkg}, it is refused`, async () => {
        const messages = await restrictedImports(`src/${folder}/probe.ts`, `import * as lib from '${pkg}';\nexport const used = lib;\n`);
        expect(messages.join('\n')).to.match(/frameworks and adapters stay out of this layer/);
      });
    }
  }

  it('when the domain imports a database adapter of ours, it is refused', async () => {
    const messages = await restrictedImports('src/acd/probe.ts', "import * as db from '../db/database.js';\nexport const used = db;\n");
    expect(messages.join('\n')).to.match(/must not import db/);
  });

  it('when an adapter folder imports express or sequelize, it is allowed', async () => {
    expect(await restrictedImports('src/api/probe.ts', "import * as lib from 'express';\nexport const used = lib;\n")).to.deep.equal([]);
    expect(await restrictedImports('src/db/probe.ts', "import * as lib from 'sequelize';\nexport const used = lib;\n")).to.deep.equal([]);
  });
});
