import { NotFoundError } from '../shared/app-error.js';
import { newUnitSchema, unitPatchSchema } from './catalog-schemas.js';
import type { HandlingUnit, HandlingUnitPatch, UnitRepository } from './catalog.js';
import { parseWithIssues } from './parse-with-issues.js';

/** Handling units (承办单位): read by everyone, edited by admins. */
export class UnitService {
  constructor(
    private readonly deps: {
      readonly units: UnitRepository;
      /** Told a unit's name after a create or an edit (the IVR pre-synthesises it: calls/catalogue-speech.ts). */
      readonly onNamed?: (name: string) => void;
    },
  ) {}

  list(): Promise<HandlingUnit[]> {
    return this.deps.units.list();
  }

  async get(id: number): Promise<HandlingUnit> {
    const unit = await this.deps.units.get(id);
    if (unit === undefined) throw new NotFoundError(`no handling unit ${id}`);
    return unit;
  }

  /** Throws ValidationError naming each bad field; AppError DUPLICATE when the code is taken. */
  async create(input: unknown): Promise<HandlingUnit> {
    const unit = await this.deps.units.create(parseWithIssues(newUnitSchema, input, 'unit'));
    this.deps.onNamed?.(unit.name);
    return unit;
  }

  /** Changes any field but the code. */
  async update(id: number, input: unknown): Promise<HandlingUnit> {
    const form = parseWithIssues(unitPatchSchema, input, 'unit');
    const patch: { -readonly [K in keyof HandlingUnitPatch]: HandlingUnitPatch[K] } = {};
    if (form.name !== undefined) patch.name = form.name;
    if (form.kind !== undefined) patch.kind = form.kind;
    if (form.liaisonName !== undefined) patch.liaisonName = form.liaisonName;
    if (form.liaisonPhone !== undefined) patch.liaisonPhone = form.liaisonPhone;
    if (form.liaisonSipUri !== undefined) patch.liaisonSipUri = form.liaisonSipUri;
    if (form.active !== undefined) patch.active = form.active;
    const unit = await this.deps.units.update(id, patch);
    if (form.name !== undefined) this.deps.onNamed?.(unit.name);
    return unit;
  }
}
