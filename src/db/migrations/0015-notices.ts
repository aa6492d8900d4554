import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * Notices (公告, 未诉先办, issue 12) and the calls that heard them. `notice_hits` holds one row per
 * call and notice (`pressed`: the caller pressed 1, the call is about it), keyed so a replayed spool
 * write is stored once; `day` is the local day of the centre (YYYY-MM-DD) so counts per notice per
 * day are one GROUP BY on either dialect. Areas and category ids are JSON arrays in TEXT.
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable('notices', {
    id: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true, autoIncrement: true },
    title: { type: DataTypes.STRING(100), allowNull: false },
    text: { type: DataTypes.STRING(1000), allowNull: false },
    areas: { type: DataTypes.TEXT, allowNull: false },
    category_ids: { type: DataTypes.TEXT, allowNull: false },
    valid_from: { type: DataTypes.DATE(3), allowNull: false },
    valid_to: { type: DataTypes.DATE(3), allowNull: false },
    status: { type: DataTypes.STRING(16), allowNull: false },
    created_by: { type: DataTypes.INTEGER, allowNull: false },
    withdrawn_at: { type: DataTypes.DATE(3), allowNull: true },
    created_at: { type: DataTypes.DATE(3), allowNull: false },
    updated_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await qi.addIndex('notices', ['valid_to'], { name: 'notices_valid_to' });
  await qi.createTable('notice_hits', {
    hit_key: { type: DataTypes.STRING(64), allowNull: false, primaryKey: true },
    notice_id: { type: DataTypes.INTEGER, allowNull: false },
    call_id: { type: DataTypes.STRING(255), allowNull: false },
    day: { type: DataTypes.STRING(10), allowNull: false },
    heard_at: { type: DataTypes.DATE(3), allowNull: false },
    pressed: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
  });
  await qi.addIndex('notice_hits', ['day', 'notice_id'], { name: 'notice_hits_day_notice' });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('notice_hits');
  await qi.dropTable('notices');
}
