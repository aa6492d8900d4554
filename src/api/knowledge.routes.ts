import { Router } from 'express';
import { z } from 'zod';
import { ARTICLE_KINDS, ARTICLE_STATUSES, type Article, type ArticleRevision, type ArticleStatus } from '../knowledge/article.js';
import { LIST_MAX_LIMIT, SEARCH_MAX_LIMIT, type KnowledgeService } from '../knowledge/knowledge-service.js';
import type { ArticleJson, ArticleListJson, ArticleSummaryJson, RevisionJson, RevisionListJson, SearchResultJson } from '../shared/wire/knowledge.js';
import { currentUser, ROLES, requireRole } from './auth-context.js';
import { parseInput } from './parse-input.js';
import { idParams } from './path-params.js';

/** Longest `q` accepted; the service searches its first 100 characters. */
const QUERY_PARAM_MAX = 200;

function intParam(min: number, max: number) {
  return z
    .string({ error: 'must be a whole number, given once' })
    .regex(/^\d{1,10}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));
}

const searchQuery = z.strictObject({
  q: z.string({ error: 'is required: the words to search for, given once' }).max(QUERY_PARAM_MAX, `must be at most ${QUERY_PARAM_MAX} characters`),
  categoryId: intParam(1, 2_147_483_647).optional(),
  limit: intParam(1, SEARCH_MAX_LIMIT).default(10),
});

const STATUS_NAMES = Object.keys(ARTICLE_STATUSES) as ArticleStatus[];
const statusList = z.string({ error: 'must be a comma-separated list of statuses, given once' }).transform((text, ctx): ArticleStatus[] => {
  const out: ArticleStatus[] = [];
  for (const name of text.split(',').map((n) => n.trim())) {
    if ((STATUS_NAMES as string[]).includes(name)) out.push(name as ArticleStatus);
    else ctx.addIssue({ code: 'custom', message: `names an unknown status "${name}": use ${STATUS_NAMES.join(', ')}` });
  }
  return out;
});

const listQuery = z.strictObject({
  status: statusList.optional(),
  kind: z.enum(Object.keys(ARTICLE_KINDS) as [keyof typeof ARTICLE_KINDS], { error: `must be one of ${Object.keys(ARTICLE_KINDS).join(', ')}, given once` }).optional(),
  categoryId: intParam(1, 2_147_483_647).optional(),
  limit: intParam(1, LIST_MAX_LIMIT).default(50),
  offset: intParam(0, 2_147_483_647).default(0),
});

export interface KnowledgeRoutesDeps {
  readonly knowledge: KnowledgeService;
}

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

export function toArticleSummaryJson(a: Article): ArticleSummaryJson {
  return {
    id: a.id,
    kind: a.kind,
    title: a.title,
    status: a.status,
    categoryIds: a.categoryIds,
    unitIds: a.unitIds,
    tags: a.tags,
    validFrom: iso(a.validFrom),
    validTo: iso(a.validTo),
    version: a.version,
    createdBy: a.createdBy,
    updatedBy: a.updatedBy,
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}

export function toArticleJson(a: Article): ArticleJson {
  return { ...toArticleSummaryJson(a), body: a.body };
}

function toRevisionJson(r: ArticleRevision): RevisionJson {
  return {
    version: r.version,
    action: r.action,
    changed: r.changed,
    editedBy: r.editedBy,
    editedByName: r.editedByName,
    editedAt: r.editedAt.toISOString(),
    title: r.title,
    body: r.body,
    status: r.status,
    kind: r.kind,
    categoryIds: r.categoryIds,
    unitIds: r.unitIds,
    tags: r.tags,
    validFrom: iso(r.validFrom),
    validTo: iso(r.validTo),
  };
}

/**
 * `/knowledge` under /api/v1: the knowledge base (知识库). Searching, listing and reading for every
 * signed-in user (drafts and archived articles for supervisors and admins only); writing and the
 * history for supervisors and admins. An edit carries the article's `version` (409 VERSION_CONFLICT
 * when someone saved first).
 */
export function createKnowledgeRoutes(deps: KnowledgeRoutesDeps): Router {
  const router = Router();
  const editors = requireRole('supervisor', 'admin');

  router.get('/knowledge/search', requireRole(...ROLES), async (req, res) => {
    const started = performance.now();
    const { q, categoryId, limit } = parseInput(searchQuery, req.query, 'query');
    const result = await deps.knowledge.search(q, { categoryId, limit });
    const body: SearchResultJson = {
      query: result.query,
      terms: result.terms.needles,
      items: result.items.map((h) => ({
        id: h.article.id,
        kind: h.article.kind,
        title: h.article.title,
        snippet: h.snippet,
        tags: h.article.tags,
        categoryIds: h.article.categoryIds,
        validTo: iso(h.article.validTo),
        matched: h.matched,
        score: h.score,
      })),
      tookMs: Math.round((performance.now() - started) * 10) / 10,
    };
    res.json(body);
  });

  router.get('/knowledge/articles', requireRole(...ROLES), async (req, res) => {
    const { status, kind, categoryId, limit, offset } = parseInput(listQuery, req.query, 'query');
    const page = await deps.knowledge.list({ statuses: status, kind, categoryId, limit, offset }, currentUser(res));
    const body: ArticleListJson = { items: page.items.map(toArticleSummaryJson), total: page.total };
    res.json(body);
  });

  router.get('/knowledge/articles/:id', requireRole(...ROLES), async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'path');
    res.json(toArticleJson(await deps.knowledge.get(id, currentUser(res))));
  });

  router.get('/knowledge/articles/:id/history', editors, async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'path');
    const body: RevisionListJson = { items: (await deps.knowledge.history(id)).map(toRevisionJson) };
    res.json(body);
  });

  router.post('/knowledge/articles', editors, async (req, res) => {
    const article = await deps.knowledge.create(req.body, currentUser(res));
    res.status(201).location(`/api/v1/knowledge/articles/${article.id}`).json(toArticleJson(article));
  });

  router.patch('/knowledge/articles/:id', editors, async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'path');
    res.json(toArticleJson(await deps.knowledge.edit(id, req.body, currentUser(res))));
  });

  router.post('/knowledge/articles/:id/archive', editors, async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'path');
    res.json(toArticleJson(await deps.knowledge.archive(id, req.body, currentUser(res))));
  });

  return router;
}
