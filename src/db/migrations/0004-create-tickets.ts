import { DataTypes, type QueryInterface } from 'sequelize';

const utf8mb4 = { charset: 'utf8mb4', collate: 'utf8mb4_unicode_ci' };
const timestamps = {
  created_at: { type: DataTypes.DATE(3), allowNull: false },
  updated_at: { type: DataTypes.DATE(3), allowNull: false },
};

/**
 * Work orders (工单): handling units, the category tree, tickets, their append-only event log
 * (全过程留痕) and the per-day code sequences. Users are not referenced by foreign key: the users
 * table belongs to another module and user ids are kept on events even after an account goes.
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable(
    'handling_units',
    {
      id: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true, autoIncrement: true },
      code: { type: DataTypes.STRING(32), allowNull: false, unique: true },
      name: { type: DataTypes.STRING(100), allowNull: false },
      kind: { type: DataTypes.STRING(16), allowNull: false },
      liaison_name: { type: DataTypes.STRING(50), allowNull: false },
      liaison_phone: { type: DataTypes.STRING(20), allowNull: false },
      liaison_sip_uri: { type: DataTypes.STRING(255), allowNull: true },
      active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
      ...timestamps,
    },
    utf8mb4,
  );
  await qi.createTable(
    'categories',
    {
      id: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true, autoIncrement: true },
      parent_id: { type: DataTypes.INTEGER, allowNull: true, references: { model: 'categories', key: 'id' }, onDelete: 'RESTRICT', onUpdate: 'CASCADE' },
      code: { type: DataTypes.STRING(32), allowNull: false, unique: true },
      name: { type: DataTypes.STRING(100), allowNull: false },
      level: { type: DataTypes.INTEGER, allowNull: false },
      default_unit_id: { type: DataTypes.INTEGER, allowNull: true, references: { model: 'handling_units', key: 'id' }, onDelete: 'RESTRICT', onUpdate: 'CASCADE' },
      reply_days: { type: DataTypes.INTEGER, allowNull: true },
      reply_hours: { type: DataTypes.INTEGER, allowNull: true },
      sign_days: { type: DataTypes.INTEGER, allowNull: true },
      active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
      ...timestamps,
    },
    utf8mb4,
  );
  await qi.addIndex('categories', ['parent_id'], { name: 'categories_parent_id' });

  await qi.createTable(
    'tickets',
    {
      id: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true, autoIncrement: true },
      code: { type: DataTypes.STRING(15), allowNull: false, unique: true },
      request_type: { type: DataTypes.STRING(16), allowNull: false },
      category_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'categories', key: 'id' }, onDelete: 'RESTRICT', onUpdate: 'CASCADE' },
      content: { type: DataTypes.TEXT, allowNull: false },
      address: { type: DataTypes.STRING(500), allowNull: true },
      resident_name: { type: DataTypes.STRING(50), allowNull: true },
      resident_phone: { type: DataTypes.STRING(20), allowNull: false },
      urgency: { type: DataTypes.STRING(16), allowNull: false },
      answered_on_call: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      // Same collation as calls.call_id (RFC 3261 §8.1.1.4: compared byte by byte).
      call_id: { type: DataTypes.STRING(255).BINARY, allowNull: true },
      handling_unit_id: { type: DataTypes.INTEGER, allowNull: true, references: { model: 'handling_units', key: 'id' }, onDelete: 'RESTRICT', onUpdate: 'CASCADE' },
      current_unit_id: { type: DataTypes.INTEGER, allowNull: true, references: { model: 'handling_units', key: 'id' }, onDelete: 'RESTRICT', onUpdate: 'CASCADE' },
      state: { type: DataTypes.STRING(16), allowNull: false },
      sign_by: { type: DataTypes.DATE(3), allowNull: true },
      reply_by: { type: DataTypes.DATE(3), allowNull: true },
      closed_at: { type: DataTypes.DATE(3), allowNull: true },
      version: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 },
      created_by: { type: DataTypes.INTEGER, allowNull: false },
      ...timestamps,
    },
    utf8mb4,
  );
  // The agent's screen-pop lists a caller's history newest first: served by this index alone.
  await qi.addIndex('tickets', ['resident_phone', 'created_at'], { name: 'tickets_resident_phone_created_at' });
  await qi.addIndex('tickets', ['current_unit_id', 'created_at'], { name: 'tickets_current_unit_id_created_at' });
  await qi.addIndex('tickets', ['created_at'], { name: 'tickets_created_at' });
  await qi.addIndex('tickets', ['call_id'], { name: 'tickets_call_id' });

  await qi.createTable(
    'ticket_events',
    {
      id: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true, autoIncrement: true },
      ticket_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'tickets', key: 'id' }, onDelete: 'RESTRICT', onUpdate: 'CASCADE' },
      type: { type: DataTypes.STRING(24), allowNull: false },
      actor_user_id: { type: DataTypes.INTEGER, allowNull: false },
      actor_role: { type: DataTypes.STRING(16), allowNull: false },
      channel: { type: DataTypes.STRING(8), allowNull: false },
      unit_id: { type: DataTypes.INTEGER, allowNull: true, references: { model: 'handling_units', key: 'id' }, onDelete: 'RESTRICT', onUpdate: 'CASCADE' },
      note: { type: DataTypes.TEXT, allowNull: true },
      // JSON as text: the same on SQLite and MySQL/MariaDB (whose JSON types differ).
      data: { type: DataTypes.TEXT, allowNull: false },
      at: { type: DataTypes.DATE(3), allowNull: false },
    },
    utf8mb4,
  );
  await qi.addIndex('ticket_events', ['ticket_id', 'id'], { name: 'ticket_events_ticket_id_id' });

  // One row per day: the last sequence number handed out (codes YYYYMMDD-NNNNNN).
  await qi.createTable(
    'ticket_sequences',
    {
      day: { type: DataTypes.CHAR(8), allowNull: false, primaryKey: true },
      last_value: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    },
    utf8mb4,
  );
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('ticket_sequences');
  await qi.dropTable('ticket_events');
  await qi.dropTable('tickets');
  await qi.dropTable('categories');
  await qi.dropTable('handling_units');
}
