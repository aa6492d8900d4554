import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * Call detail records. Times are DATETIME(3) on MySQL/MariaDB so ordering and durations keep
 * their milliseconds (SQLite stores the same values as text with milliseconds).
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable(
    'calls',
    {
      // RFC 3261 §8.1.1.4: Call-IDs are case-sensitive and compared byte by byte, hence the binary collation.
      call_id: { type: DataTypes.STRING(255).BINARY, allowNull: false, primaryKey: true },
      direction: { type: DataTypes.STRING(16), allowNull: false },
      from_number: { type: DataTypes.STRING(255), allowNull: false },
      to_number: { type: DataTypes.STRING(255), allowNull: false },
      started_at: { type: DataTypes.DATE(3), allowNull: false },
      answered_at: { type: DataTypes.DATE(3), allowNull: true },
      ended_at: { type: DataTypes.DATE(3), allowNull: true },
      end_reason: { type: DataTypes.STRING(64), allowNull: true },
      hung_up_by: { type: DataTypes.STRING(16), allowNull: true },
      digits: { type: DataTypes.STRING(255), allowNull: false, defaultValue: '' },
      ivr_path: { type: DataTypes.STRING(1000), allowNull: false, defaultValue: '' },
      created_at: { type: DataTypes.DATE(3), allowNull: false },
      updated_at: { type: DataTypes.DATE(3), allowNull: false },
    },
    // Ignored by SQLite; on MySQL/MariaDB utf8mb4 so any Chinese character (and emoji) fits.
    { charset: 'utf8mb4', collate: 'utf8mb4_unicode_ci' },
  );
  await qi.addIndex('calls', ['started_at'], { name: 'calls_started_at' });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('calls');
}
