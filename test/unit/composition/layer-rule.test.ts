import { expect } from 'chai';
import { ESLint } from 'eslint';

/**
 * composition/ is the composition root (docs/architecture.md): it may import every layer, and no
 * layer may import it; only src/server.ts and src/main.ts do.
 */
describe('composition layer lint', function () {
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

  for (const folder of ['shared', 'sip', 'telephony', 'acd', 'identity', 'db', 'calls', 'api', 'ws', 'jobs']) {
    it(`when src/${folder} imports composition/, it is refused`, async () => {
      const messages = await restrictedImports(`src/${folder}/probe.ts`, "import { Closers } from '../composition/closers.js';\nexport const used = Closers;\n");
      expect(messages.join('\n')).to.match(/must not import composition\/ \(see docs\/architecture\.md\)/);
    });
  }

  it('when composition/ imports adapters, entry points and framework packages, it is allowed', async () => {
    const source = [
      "import * as db from '../db/database.js';",
      "import * as web from '../api/http-server.js';",
      "import * as sip from '../sip/sip-telephony.js';",
      "import * as prom from 'prom-client';",
      'export const used = [db, web, sip, prom];',
      '',
    ].join('\n');
    expect(await restrictedImports('src/composition/probe.ts', source)).to.deep.equal([]);
  });

  it('when src/server.ts imports composition/, it is allowed', async () => {
    expect(await restrictedImports('src/server.ts', "import { Closers } from './composition/closers.js';\nexport const used = Closers;\n")).to.deep.equal([]);
  });
});
