import { DataTypes, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Model, type ModelStatic, type Sequelize } from 'sequelize';

/** One row of `tickets` (migrations/0004-create-tickets.ts, 0006-ticket-lifecycle.ts, 0008-do-not-call.ts). */
export interface TicketRow extends Model<InferAttributes<TicketRow>, InferCreationAttributes<TicketRow>> {
  id: CreationOptional<number>;
  code: string;
  requestType: string;
  categoryId: number;
  content: string;
  address: string | null;
  residentName: string | null;
  residentPhone: string;
  doNotCall: boolean;
  urgency: string;
  answeredOnCall: boolean;
  callId: string | null;
  handlingUnitId: number | null;
  currentUnitId: number | null;
  state: string;
  signBy: Date | null;
  returnBy: Date | null;
  replyBy: Date | null;
  closedAt: Date | null;
  dispatchCount: number;
  reopenCount: number;
  escalationLevel: number;
  extensionStatus: string | null;
  extensionDays: number | null;
  extensionReason: string | null;
  extensionGrantedDays: number;
  duplicateOf: number | null;
  duplicate: boolean;
  replyContent: string | null;
  repliedByName: string | null;
  repliedByPhone: string | null;
  satisfaction: string | null;
  resolution: string | null;
  version: number;
  createdBy: number;
  createdAt: Date;
  updatedAt: Date;
}

/** One row of `ticket_events`: append-only. */
export interface TicketEventRow extends Model<InferAttributes<TicketEventRow>, InferCreationAttributes<TicketEventRow>> {
  id: CreationOptional<number>;
  ticketId: number;
  type: string;
  actorUserId: number;
  actorRole: string;
  channel: string;
  unitId: number | null;
  note: string | null;
  /** JSON text. */
  data: string;
  at: Date;
}

/** One row of `ticket_sequences`: the last code number handed out on `day` (YYYYMMDD). */
export interface TicketSequenceRow extends Model<InferAttributes<TicketSequenceRow>, InferCreationAttributes<TicketSequenceRow>> {
  day: string;
  lastValue: number;
}

export interface TicketModels {
  readonly tickets: ModelStatic<TicketRow>;
  readonly events: ModelStatic<TicketEventRow>;
  readonly sequences: ModelStatic<TicketSequenceRow>;
}

const fk = (field: string, allowNull = true) => ({ type: DataTypes.INTEGER, allowNull, field });

/** Defines the three models on this Sequelize instance (once; later calls return the same ones). */
export function defineTicketModels(sequelize: Sequelize): TicketModels {
  if (sequelize.isDefined('Ticket')) {
    return {
      tickets: sequelize.model('Ticket') as ModelStatic<TicketRow>,
      events: sequelize.model('TicketEvent') as ModelStatic<TicketEventRow>,
      sequences: sequelize.model('TicketSequence') as ModelStatic<TicketSequenceRow>,
    };
  }
  const tickets = sequelize.define<TicketRow>(
    'Ticket',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      code: { type: DataTypes.STRING(15), allowNull: false },
      requestType: { type: DataTypes.STRING(16), allowNull: false, field: 'request_type' },
      categoryId: fk('category_id', false),
      content: { type: DataTypes.TEXT, allowNull: false },
      address: { type: DataTypes.STRING(500), allowNull: true },
      residentName: { type: DataTypes.STRING(50), allowNull: true, field: 'resident_name' },
      residentPhone: { type: DataTypes.STRING(20), allowNull: false, field: 'resident_phone' },
      doNotCall: { type: DataTypes.BOOLEAN, allowNull: false, field: 'do_not_call' },
      urgency: { type: DataTypes.STRING(16), allowNull: false },
      answeredOnCall: { type: DataTypes.BOOLEAN, allowNull: false, field: 'answered_on_call' },
      callId: { type: DataTypes.STRING(255).BINARY, allowNull: true, field: 'call_id' },
      handlingUnitId: fk('handling_unit_id'),
      currentUnitId: fk('current_unit_id'),
      state: { type: DataTypes.STRING(16), allowNull: false },
      signBy: { type: DataTypes.DATE(3), allowNull: true, field: 'sign_by' },
      returnBy: { type: DataTypes.DATE(3), allowNull: true, field: 'return_by' },
      replyBy: { type: DataTypes.DATE(3), allowNull: true, field: 'reply_by' },
      closedAt: { type: DataTypes.DATE(3), allowNull: true, field: 'closed_at' },
      dispatchCount: { type: DataTypes.INTEGER, allowNull: false, field: 'dispatch_count' },
      reopenCount: { type: DataTypes.INTEGER, allowNull: false, field: 'reopen_count' },
      escalationLevel: { type: DataTypes.INTEGER, allowNull: false, field: 'escalation_level' },
      extensionStatus: { type: DataTypes.STRING(16), allowNull: true, field: 'extension_status' },
      extensionDays: { type: DataTypes.INTEGER, allowNull: true, field: 'extension_days' },
      extensionReason: { type: DataTypes.TEXT, allowNull: true, field: 'extension_reason' },
      extensionGrantedDays: { type: DataTypes.INTEGER, allowNull: false, field: 'extension_granted_days' },
      duplicateOf: fk('duplicate_of'),
      duplicate: { type: DataTypes.BOOLEAN, allowNull: false, field: 'is_duplicate' },
      replyContent: { type: DataTypes.TEXT, allowNull: true, field: 'reply_content' },
      repliedByName: { type: DataTypes.STRING(50), allowNull: true, field: 'replied_by_name' },
      repliedByPhone: { type: DataTypes.STRING(20), allowNull: true, field: 'replied_by_phone' },
      satisfaction: { type: DataTypes.STRING(16), allowNull: true },
      resolution: { type: DataTypes.STRING(16), allowNull: true },
      version: { type: DataTypes.INTEGER, allowNull: false },
      createdBy: { type: DataTypes.INTEGER, allowNull: false, field: 'created_by' },
      // Set by the service from its Clock, not by Sequelize.
      createdAt: { type: DataTypes.DATE(3), allowNull: false, field: 'created_at' },
      updatedAt: { type: DataTypes.DATE(3), allowNull: false, field: 'updated_at' },
    },
    { tableName: 'tickets', timestamps: false },
  );
  const events = sequelize.define<TicketEventRow>(
    'TicketEvent',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      ticketId: fk('ticket_id', false),
      type: { type: DataTypes.STRING(24), allowNull: false },
      actorUserId: { type: DataTypes.INTEGER, allowNull: false, field: 'actor_user_id' },
      actorRole: { type: DataTypes.STRING(16), allowNull: false, field: 'actor_role' },
      channel: { type: DataTypes.STRING(8), allowNull: false },
      unitId: fk('unit_id'),
      note: { type: DataTypes.TEXT, allowNull: true },
      data: { type: DataTypes.TEXT, allowNull: false },
      at: { type: DataTypes.DATE(3), allowNull: false },
    },
    { tableName: 'ticket_events', timestamps: false },
  );
  const sequences = sequelize.define<TicketSequenceRow>(
    'TicketSequence',
    {
      day: { type: DataTypes.CHAR(8), primaryKey: true },
      lastValue: { type: DataTypes.INTEGER, allowNull: false, field: 'last_value' },
    },
    { tableName: 'ticket_sequences', timestamps: false },
  );
  return { tickets, events, sequences };
}
