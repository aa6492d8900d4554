import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { SequelizeCategoryRepository } from '../../src/db/category-repository.js';
import { SequelizeKnowledgeRepository } from '../../src/db/knowledge-repository.js';
import { seedIfEmpty } from '../../src/db/seed-loader.js';
import { SequelizeUnitRepository } from '../../src/db/unit-repository.js';
import { KnowledgeService } from '../../src/knowledge/knowledge-service.js';
import { silentLogger } from '../../src/logging/logger.js';
import type { Clock } from '../../src/shared/clock.js';
import { AppError, ValidationError } from '../../src/shared/app-error.js';
import { openTestDatabase, testDbKind, type TestDatabase } from '../support/test-database.js';

const SEED_DIR = fileURLToPath(new URL('../../sql/seed/', import.meta.url));
const NOW = Date.parse('2026-12-02T02:00:00.000Z');

describe(`knowledge base on ${testDbKind()}`, () => {
  let testDb: TestDatabase;
  let service: KnowledgeService;
  let now = NOW;
  let stopWaterCategory: number;
  let socialInsuranceCategory: number;
  const supervisor = { id: 8, role: 'supervisor' };
  const agent = { id: 7, role: 'agent' };

  before(async () => {
    testDb = await openTestDatabase();
    const sequelize = testDb.db.sequelize;
    await seedIfEmpty(sequelize, SEED_DIR);
    const categories = new SequelizeCategoryRepository(sequelize);
    const all = await categories.list();
    stopWaterCategory = all.find((c) => c.name === '停水')?.id ?? 0;
    socialInsuranceCategory = all.find((c) => c.name === '社保缴纳')?.id ?? 0;
    const clock: Clock = { now: () => now, setTimeout: () => undefined as never, clearTimeout: () => undefined };
    service = new KnowledgeService({ articles: new SequelizeKnowledgeRepository(sequelize), categories, units: new SequelizeUnitRepository(sequelize), clock, logger: silentLogger() });
  });

  after(async () => {
    await testDb.drop();
  });

  beforeEach(() => {
    now = NOW;
  });

  async function publish(fields: Record<string, unknown>): Promise<number> {
    return (await service.create({ status: 'published', ...fields }, supervisor)).id;
  }

  it('when agents search a two-character word, articles containing it are found and ranked title first', async () => {
    const body = await publish({ title: '医保报销比例说明', body: '门诊费用报销比例为百分之五十，社保卡可直接结算。' });
    const title = await publish({ title: '社保卡补办流程', body: '携带身份证原件到任一服务网点办理，当场制卡。', tags: ['补卡'] });
    await publish({ title: '社区保洁安排', body: '每周二、五清扫楼道。' });
    const result = await service.search('社保', { limit: 10 });
    expect(result.items.map((h) => h.article.id)).to.deep.equal([title, body]);
    expect(result.items[1]?.snippet).to.contain('社保卡');
  });

  it('when an active notice matches, it ranks before articles matching more strongly', async () => {
    const article = await publish({ title: '停水后如何申请送水', body: '停水超过24小时，可拨打供水热线申请送水车。停水期间请储水。' });
    const notice = await publish({
      kind: 'notice',
      title: '朝阳门街道12月3日计划停水',
      body: '因管道改造，12月3日8时至18时朝阳门北大街两侧停水。',
      categoryIds: [stopWaterCategory],
      validFrom: '2026-12-01T00:00:00+08:00',
      validTo: '2026-12-03T18:00:00+08:00',
    });
    const found = (await service.search('停水', { limit: 10 })).items.map((h) => h.article.id);
    expect(found.indexOf(notice)).to.equal(0);
    expect(found).to.include(article);

    now = Date.parse('2026-12-03T10:00:01.000Z'); // 18:00:01 in Shanghai: the notice has expired
    const later = (await service.search('停水', { limit: 10 })).items.map((h) => h.article.id);
    expect(later).to.not.include(notice);
    expect(later).to.include(article);
  });

  it('when an article matches more of the query pairs, it ranks higher; the order category breaks ties', async () => {
    const fewer = await publish({ title: '养老保险缴费说明', body: '灵活就业人员可在网上缴纳养老保险。' });
    const titled = await publish({ title: '失业保险金领取条件', body: '失业保险金按月发放，失业保险缴费满一年可申领。' });
    const linked = await publish({ body: '失业保险缴费记录可登录网上服务大厅查询。', title: '个人缴费记录查询', categoryIds: [socialInsuranceCategory] });
    // 失业保险缴费: pairs 失业 业保 保险 险缴 缴费; `titled` and `linked` match all five, `fewer` three.
    const plain = (await service.search('失业保险缴费', { limit: 10 })).items.map((h) => h.article.id);
    expect(plain.slice(0, 2)).to.deep.equal([titled, linked]);
    expect(plain.indexOf(fewer)).to.be.above(1);
    const forCategory = (await service.search('失业保险缴费', { limit: 10, categoryId: socialInsuranceCategory })).items.map((h) => h.article.id);
    expect(forCategory.slice(0, 2)).to.deep.equal([linked, titled]);
  });

  it('when a query is one character or a Latin word, it still finds articles', async () => {
    const app = await publish({ title: '政务服务APP注册', body: '下载“i北京”App，实名注册后可在线办理。' });
    expect((await service.search('app', { limit: 10 })).items.map((h) => h.article.id)).to.include(app);
    expect((await service.search('册', { limit: 50 })).items.map((h) => h.article.id)).to.include(app);
  });

  it('when an article is a draft or archived, agents do not find or read it; editors read it with its history', async () => {
    const draft = (await service.create({ title: '燃气费缴纳渠道', body: '可通过银行代扣缴纳燃气费。' }, supervisor)).id;
    expect((await service.search('燃气', { limit: 10 })).items.map((h) => h.article.id)).to.not.include(draft);
    try {
      await service.get(draft, agent);
      expect.fail('an agent read a draft');
    } catch (err) {
      expect((err as AppError).code).to.equal('NOT_FOUND');
    }

    now += 60_000;
    const published = await service.edit(draft, { version: 1, status: 'published', body: '可通过银行代扣或手机银行缴纳燃气费。' }, { id: 9, role: 'admin' });
    expect(published.version).to.equal(2);
    expect((await service.search('燃气', { limit: 10 })).items.map((h) => h.article.id)).to.include(draft);
    expect((await service.search('手机', { limit: 10 })).items.map((h) => h.article.id)).to.include(draft);

    await service.archive(draft, { version: 2 }, supervisor);
    expect((await service.search('燃气', { limit: 10 })).items.map((h) => h.article.id)).to.not.include(draft);

    const history = await service.history(draft);
    expect(history.map((r) => [r.version, r.action, r.editedBy])).to.deep.equal([
      [3, 'archived', 8],
      [2, 'published', 9],
      [1, 'created', 8],
    ]);
    expect(history[1]?.changed).to.deep.equal(['body', 'status']);
    expect(history[2]?.body).to.equal('可通过银行代扣缴纳燃气费。');
    expect(history[1]?.editedAt.getTime()).to.equal(NOW + 60_000);
  });

  it('when an edit carries an old version, it is refused with VERSION_CONFLICT and nothing changes', async () => {
    const id = await publish({ title: '供暖费缴纳时间', body: '每年11月15日前缴纳。' });
    await service.edit(id, { version: 1, title: '供暖费缴纳截止时间' }, supervisor);
    try {
      await service.edit(id, { version: 1, title: '覆盖' }, supervisor);
      expect.fail('a stale edit was saved');
    } catch (err) {
      expect((err as AppError).code).to.equal('VERSION_CONFLICT');
    }
    expect((await service.get(id, agent)).title).to.equal('供暖费缴纳截止时间');
    expect((await service.search('覆盖', { limit: 10 })).items).to.have.length(0);
  });

  it('when a link names a missing category or unit, the refusal names the field', async () => {
    try {
      await service.create({ title: '测试条目', body: '内容内容', categoryIds: [999_999], unitIds: [888_888] }, supervisor);
      expect.fail('accepted');
    } catch (err) {
      expect(err).to.be.instanceOf(ValidationError);
      expect((err as ValidationError).issues.map((i) => i.path)).to.deep.equal(['categoryIds.0', 'unitIds.0']);
    }
  });

  it('when agents list articles of a category, they get the published ones linked to it or its ancestors', async () => {
    const id = await publish({ title: '社保缴费基数', body: '缴费基数每年7月调整。', categoryIds: [socialInsuranceCategory] });
    const list = await service.list({ categoryId: socialInsuranceCategory, limit: 20, offset: 0 }, agent);
    expect(list.items.map((a) => a.id)).to.include(id);
    expect(list.items.every((a) => a.status === 'published')).to.equal(true);
  });
});
