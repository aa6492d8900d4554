import { Router } from 'express';
import type { HandlingUnit } from '../tickets/catalog.js';
import { UNIT_KINDS } from '../tickets/catalog.js';
import type { HandlingUnitJson } from '../shared/wire/catalog.js';
import type { UnitService } from '../tickets/unit-service.js';
import { ROLES, requireRole } from './auth-context.js';
import { idParams } from './categories.routes.js';
import { answerNamingDuplicate } from './duplicate-field.js';
import { parseInput } from './parse-input.js';

export interface UnitRoutesDeps {
  readonly units: UnitService;
}

export function toUnitJson(u: HandlingUnit): HandlingUnitJson {
  return {
    id: u.id,
    code: u.code,
    name: u.name,
    kind: u.kind,
    kindName: UNIT_KINDS[u.kind],
    liaisonName: u.liaisonName,
    liaisonPhone: u.liaisonPhone,
    liaisonSipUri: u.liaisonSipUri,
    active: u.active,
  };
}

/**
 * `/units` under /api/v1: handling units (承办单位) for every signed-in user; creating and editing for
 * admins. A taken code is 409 DUPLICATE naming `code` in `issues`.
 */
export function createUnitRoutes(deps: UnitRoutesDeps): Router {
  const router = Router();

  router.get('/units', requireRole(...ROLES), async (_req, res) => {
    const body: { readonly items: readonly HandlingUnitJson[] } = { items: (await deps.units.list()).map(toUnitJson) };
    res.json(body);
  });

  router.get('/units/:id', requireRole(...ROLES), async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'path');
    res.json(toUnitJson(await deps.units.get(id)));
  });

  router.post('/units', requireRole('admin'), async (req, res) => {
    await answerNamingDuplicate(
      res,
      201,
      async () => {
        const created = await deps.units.create(req.body);
        res.location(`/api/v1/units/${created.id}`);
        return toUnitJson(created);
      },
      () => 'code',
    );
  });

  router.patch('/units/:id', requireRole('admin'), async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'path');
    res.json(toUnitJson(await deps.units.update(id, req.body)));
  });

  return router;
}
