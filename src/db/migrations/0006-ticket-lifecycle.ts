import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * The work-order lifecycle after intake (派单 … 办结): counters, the return deadline, extension,
 * duplicate link, the reply (答复人/答复电话) and the survey result (回访) on the order row; indexes for
 * the light filter (current step's deadline by state), duplicate lookup and the survey list.
 * The new states are values of the existing `state` column; `version` and `closed_at` exist (0004).
 */
const COLUMNS = {
  return_by: { type: DataTypes.DATE(3), allowNull: true },
  dispatch_count: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
  reopen_count: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
  escalation_level: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
  extension_status: { type: DataTypes.STRING(16), allowNull: true },
  extension_days: { type: DataTypes.INTEGER, allowNull: true },
  extension_reason: { type: DataTypes.TEXT, allowNull: true },
  extension_granted_days: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
  duplicate_of: { type: DataTypes.INTEGER, allowNull: true, references: { model: 'tickets', key: 'id' }, onDelete: 'RESTRICT', onUpdate: 'CASCADE' },
  is_duplicate: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
  reply_content: { type: DataTypes.TEXT, allowNull: true },
  replied_by_name: { type: DataTypes.STRING(50), allowNull: true },
  replied_by_phone: { type: DataTypes.STRING(20), allowNull: true },
  satisfaction: { type: DataTypes.STRING(16), allowNull: true },
  resolution: { type: DataTypes.STRING(16), allowNull: true },
} as const;

const INDEXES: readonly { name: string; fields: string[] }[] = [
  // Lights: red = deadline < now, yellow = now ≤ deadline ≤ now + 1 working day, on sign_by while
  // dispatched and reply_by while signed / in progress: each a range scan of one of these.
  { name: 'tickets_state_sign_by', fields: ['state', 'sign_by'] },
  { name: 'tickets_state_reply_by', fields: ['state', 'reply_by'] },
  // Duplicates: the same caller about the same category within the window.
  { name: 'tickets_resident_phone_category_id_created_at', fields: ['resident_phone', 'category_id', 'created_at'] },
  // The survey list: reviewed orders, the longest waiting first.
  { name: 'tickets_state_updated_at', fields: ['state', 'updated_at'] },
];

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  for (const [name, spec] of Object.entries(COLUMNS)) await qi.addColumn('tickets', name, spec);
  // Orders dispatched at intake count one dispatch.
  await qi.sequelize.query('UPDATE tickets SET dispatch_count = 1 WHERE handling_unit_id IS NOT NULL');
  for (const index of INDEXES) await qi.addIndex('tickets', index.fields, { name: index.name });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  for (const index of [...INDEXES].reverse()) await qi.removeIndex('tickets', index.name);
  for (const name of Object.keys(COLUMNS).reverse()) await qi.removeColumn('tickets', name);
}
