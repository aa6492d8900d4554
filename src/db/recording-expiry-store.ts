import { Op, type Sequelize } from 'sequelize';
import { defineCallModel, type CallModel } from './call.model.js';

/**
 * The call rows of the recording retention job (jobs/recording-retention.job.ts `RecordingExpiryStore`,
 * implemented structurally so db/ does not import jobs/).
 */
export class SequelizeRecordingExpiryStore {
  private readonly calls: CallModel;

  constructor(sequelize: Sequelize) {
    this.calls = defineCallModel(sequelize);
  }

  /** Calls started before `before` with a recording not yet expired, oldest first (index calls_recording_expired_at_started_at). */
  async due(before: Date, limit: number): Promise<{ callId: string; recordingPath: string }[]> {
    const rows = await this.calls.findAll({
      attributes: ['callId', 'recordingPath'],
      where: { recordingExpiredAt: null, startedAt: { [Op.lt]: before }, recordingPath: { [Op.ne]: null } },
      order: [['startedAt', 'ASC']],
      limit,
      raw: true,
    });
    return rows.flatMap((r) => (r.recordingPath === null ? [] : [{ callId: r.callId, recordingPath: r.recordingPath }]));
  }

  async markExpired(callIds: readonly string[], at: Date): Promise<void> {
    if (callIds.length === 0) return;
    await this.calls.update({ recordingExpiredAt: at }, { where: { callId: [...callIds], recordingExpiredAt: null } });
  }
}
