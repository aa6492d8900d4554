/**
 * The knowledge base (知识库) as `/api/v1/knowledge` answers it (@wire/knowledge =
 * src/shared/wire/knowledge.ts): search, read, list; create, edit, archive and history for supervisors.
 */
import * as wire from '@wire/knowledge';
import type { ArticleJson, ArticleKind, ArticleListJson, ArticleStatus, RevisionListJson, SearchResultJson } from '@wire/knowledge';
import { api } from './http';

export const ARTICLE_KINDS = wire.ARTICLE_KINDS;
export const ARTICLE_STATUSES = wire.ARTICLE_STATUSES;
export const REVISION_ACTIONS = wire.REVISION_ACTIONS;
export type { ArticleJson, ArticleKind, ArticleStatus, ArticleSummaryJson, RevisionJson, SearchHitJson, SearchResultJson } from '@wire/knowledge';

/** What the editor sends (the server checks it and names a bad field). */
export interface ArticleBody {
  kind: ArticleKind;
  title: string;
  body: string;
  status: ArticleStatus;
  categoryIds: number[];
  unitIds: number[];
  tags: string[];
  validFrom: string | null;
  validTo: string | null;
}

export function searchKnowledge(q: string, options: { categoryId?: number | null; limit?: number } = {}, signal?: AbortSignal): Promise<SearchResultJson> {
  return api.get<SearchResultJson>('/knowledge/search', { q, categoryId: options.categoryId ?? undefined, limit: options.limit ?? 10 }, signal);
}

export function listArticles(query: { status?: string; kind?: ArticleKind; categoryId?: number | null; limit?: number; offset?: number } = {}): Promise<ArticleListJson> {
  return api.get<ArticleListJson>('/knowledge/articles', { status: query.status, kind: query.kind, categoryId: query.categoryId ?? undefined, limit: query.limit ?? 50, offset: query.offset ?? 0 });
}

export function getArticle(id: number): Promise<ArticleJson> {
  return api.get<ArticleJson>(`/knowledge/articles/${id}`);
}

export function articleHistory(id: number): Promise<RevisionListJson> {
  return api.get<RevisionListJson>(`/knowledge/articles/${id}/history`);
}

export function createArticle(body: ArticleBody): Promise<ArticleJson> {
  return api.post<ArticleJson>('/knowledge/articles', body);
}

export function editArticle(id: number, version: number, body: Partial<ArticleBody>): Promise<ArticleJson> {
  return api.patch<ArticleJson>(`/knowledge/articles/${id}`, { version, ...body });
}

export function archiveArticle(id: number, version: number): Promise<ArticleJson> {
  return api.post<ArticleJson>(`/knowledge/articles/${id}/archive`, { version });
}
