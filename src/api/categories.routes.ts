import { idParams } from './path-params.js';
import { Router } from 'express';
import type { CategoryNodeJson } from '../shared/wire/catalog.js';
import type { CategoryService } from '../tickets/category-service.js';
import { ROLES, requireRole } from './auth-context.js';
import { answerNamingDuplicate } from './duplicate-field.js';
import { parseInput } from './parse-input.js';

export interface CategoryRoutesDeps {
  readonly categories: CategoryService;
}

export { idParams } from './path-params.js';

/**
 * `/categories` under /api/v1: the tree for every signed-in user; creating and editing for admins.
 * A taken code is 409 DUPLICATE naming `code` in `issues`.
 */
export function createCategoryRoutes(deps: CategoryRoutesDeps): Router {
  const router = Router();

  router.get('/categories', requireRole(...ROLES), async (_req, res) => {
    const body: { readonly items: readonly CategoryNodeJson[] } = { items: await deps.categories.tree() };
    res.json(body);
  });

  router.get('/categories/:id', requireRole(...ROLES), async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'path');
    res.json(await deps.categories.get(id));
  });

  router.post('/categories', requireRole('admin'), async (req, res) => {
    await answerNamingDuplicate(
      res,
      201,
      async () => {
        const created = await deps.categories.create(req.body);
        res.location(`/api/v1/categories/${created.id}`);
        return created;
      },
      () => 'code',
    );
  });

  router.patch('/categories/:id', requireRole('admin'), async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'path');
    res.json(await deps.categories.update(id, req.body));
  });

  return router;
}
