import { QueryTypes, type Model, type ModelAttributeColumnOptions, type ModelStatic, type Sequelize, type Transaction } from 'sequelize';

/**
 * Multi-row statements for the record spool's hot path (issue 15), without building model instances.
 * Column names, the types that format values (DATETIME(3) keeps its milliseconds on MySQL; SQLite gets
 * the text Model.create writes) and the defaults of absent attributes come from the model definition,
 * so there is no second copy of the mapping to drift. No hooks or model validation run: callers check
 * their values first.
 */

type Attribute = ModelAttributeColumnOptions & { field?: string };

/** Inserts `rows` (in model attribute names) into `model`'s table with ONE multi-row INSERT. */
export async function bulkInsertRows<M extends Model>(model: ModelStatic<M>, rows: readonly Record<string, unknown>[], transaction: Transaction): Promise<void> {
  if (rows.length === 0) return;
  const attributes = attributesOf(model);
  const present = new Set(rows.flatMap((row) => Object.keys(row)));
  for (const attribute of present) attributeOf(model, attributes, attribute);
  const byField: Record<string, ModelAttributeColumnOptions> = {};
  const columns: { attribute: string; field: string; fallback: unknown }[] = [];
  for (const [attribute, definition] of Object.entries(attributes)) {
    const field = definition.field ?? attribute;
    byField[field] = definition;
    const fallback: unknown = definition.defaultValue;
    if (present.has(attribute)) columns.push({ attribute, field, fallback });
    else if (fallback !== undefined && typeof fallback !== 'function' && definition.autoIncrement !== true) columns.push({ attribute, field, fallback });
  }
  const records = rows.map((row) => {
    const record: Record<string, unknown> = {};
    for (const c of columns) record[c.field] = c.attribute in row ? row[c.attribute] : c.fallback;
    return record;
  });
  await sequelizeOf(model).getQueryInterface().bulkInsert(model.getTableName(), records, { transaction }, byField);
}

/**
 * Updates many rows, each found by its `key` attribute, with ONE statement: each column becomes
 * `CASE key WHEN k1 THEN v1 … ELSE column END`, so a row keeps every column its own values do not
 * name, exactly as one UPDATE per row would; `common` values are set on every row. Returns the rows
 * the database counts as changed (MySQL: changed, not matched — 0 does not mean missing).
 */
export async function bulkUpdateRows<M extends Model>(
  model: ModelStatic<M>,
  key: string,
  rows: readonly { readonly key: string; readonly values: Readonly<Record<string, unknown>> }[],
  common: Readonly<Record<string, unknown>>,
  transaction: Transaction,
): Promise<number> {
  if (rows.length === 0) return 0;
  const sequelize = sequelizeOf(model);
  const qi = sequelize.getQueryInterface();
  const attributes = attributesOf(model);
  const column = (attribute: string): string => qi.quoteIdentifier(attributeOf(model, attributes, attribute).field ?? attribute);
  const literal = (attribute: string, value: unknown): string => formatLiteral(sequelize, attributeOf(model, attributes, attribute), value);
  const keyColumn = column(key);
  const changed = [...new Set(rows.flatMap((row) => Object.keys(row.values)))];
  const sets = changed.map((attribute) => {
    const cases = rows.filter((row) => attribute in row.values).map((row) => `WHEN ${literal(key, row.key)} THEN ${literal(attribute, row.values[attribute])}`);
    return `${column(attribute)} = CASE ${keyColumn} ${cases.join(' ')} ELSE ${column(attribute)} END`;
  });
  for (const [attribute, value] of Object.entries(common)) sets.push(`${column(attribute)} = ${literal(attribute, value)}`);
  if (sets.length === 0) return 0;
  const sql = `UPDATE ${qi.quoteIdentifier(tableOf(model))} SET ${sets.join(', ')} WHERE ${keyColumn} IN (${rows.map((row) => literal(key, row.key)).join(', ')})`;
  return sequelize.query(sql, { type: QueryTypes.BULKUPDATE, transaction });
}

/** Which of `values` the `attribute` column holds in some row (one SELECT … IN). */
export async function storedValues<M extends Model>(model: ModelStatic<M>, attribute: string, values: readonly string[], transaction: Transaction): Promise<Set<string>> {
  if (values.length === 0) return new Set();
  const sequelize = sequelizeOf(model);
  const qi = sequelize.getQueryInterface();
  const definition = attributeOf(model, attributesOf(model), attribute);
  const column = qi.quoteIdentifier(definition.field ?? attribute);
  const sql = `SELECT ${column} AS v FROM ${qi.quoteIdentifier(tableOf(model))} WHERE ${column} IN (${values.map((v) => formatLiteral(sequelize, definition, v)).join(', ')})`;
  const rows = await sequelize.query<{ v: unknown }>(sql, { type: QueryTypes.SELECT, transaction, raw: true });
  return new Set(rows.map((r) => r.v).filter((v): v is string => typeof v === 'string'));
}

/** A value as an SQL literal of the attribute's column: dates through the column type, as Sequelize writes them. */
function formatLiteral(sequelize: Sequelize, attribute: Attribute, value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (value instanceof Date && typeof attribute.type === 'object') return sequelize.escape(attribute.type.stringify(value, { timezone: timezoneOf(sequelize) }));
  // BOOLEAN is TINYINT(1) on MySQL and an integer on SQLite.
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) return sequelize.escape(value);
  throw new TypeError(`cannot write a value of type ${typeof value} to column ${attribute.field ?? ''}`);
}

/** The zone the connection writes times in (the `timezone` option; Sequelize's default is UTC). */
function timezoneOf(sequelize: Sequelize): string {
  const options: unknown = Reflect.get(sequelize, 'options');
  const timezone: unknown = typeof options === 'object' && options !== null && 'timezone' in options ? options.timezone : undefined;
  return typeof timezone === 'string' ? timezone : '+00:00';
}

function attributesOf<M extends Model>(model: ModelStatic<M>): Record<string, Attribute> {
  return model.getAttributes();
}

function attributeOf<M extends Model>(model: ModelStatic<M>, attributes: Record<string, Attribute>, name: string): Attribute {
  const attribute = attributes[name];
  if (attribute === undefined) throw new Error(`${model.name} has no attribute "${name}"`);
  return attribute;
}

/** The model's table (ours have no schema prefix). */
function tableOf<M extends Model>(model: ModelStatic<M>): string {
  const table = model.getTableName();
  if (typeof table !== 'string') throw new Error(`${model.name}: a table with a schema is not supported here`);
  return table;
}

function sequelizeOf<M extends Model>(model: ModelStatic<M>): Sequelize {
  const sequelize = model.sequelize;
  if (sequelize === undefined) throw new Error(`${model.name} is not defined on a Sequelize instance`);
  return sequelize;
}
