import { Readable } from 'node:stream';
import type { Connection, RowDataPacket } from 'mysql2/promise';

/**
 * The text in pieces of at most 1 MiB: mysql2 sends each piece of a LOCAL INFILE stream as one
 * packet, and a piece over the protocol's 16 MiB packet limit breaks the connection.
 */
function* slices(data: Buffer): Generator<Buffer> {
  const size = 1 << 20;
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

/** Columns of each table as the generator writes them (LOAD DATA column lists). */
export const COLUMNS = {
  calls: ['call_id', 'direction', 'from_number', 'to_number', 'started_at', 'answered_at', 'ended_at', 'end_reason', 'hung_up_by', 'digits', 'ivr_path', 'created_at', 'updated_at', 'queue', 'queued_at', 'agent_id', 'agent_extension', 'agent_answered_at', 'recording_path'],
  queue_events: ['call_id', 'queue', 'event', 'agent_id', 'extension', 'wait_ms', 'talk_ms', 'at'],
  tickets: ['id', 'code', 'request_type', 'category_id', 'content', 'address', 'resident_name', 'resident_phone', 'urgency', 'answered_on_call', 'call_id', 'handling_unit_id', 'current_unit_id', 'state', 'sign_by', 'reply_by', 'closed_at', 'version', 'created_by', 'created_at', 'updated_at', 'return_by', 'dispatch_count', 'reopen_count', 'escalation_level', 'extension_status', 'extension_days', 'extension_reason', 'extension_granted_days', 'duplicate_of', 'is_duplicate', 'reply_content', 'replied_by_name', 'replied_by_phone', 'satisfaction', 'resolution'],
  ticket_events: ['id', 'ticket_id', 'type', 'actor_user_id', 'actor_role', 'channel', 'unit_id', 'note', 'data', 'at'],
} as const;
export type BulkTable = keyof typeof COLUMNS;

/**
 * Runs LOAD DATA LOCAL INFILE statements fed from memory (mysql2's infileStreamFactory: no temporary
 * files), one lane (connection) for queue_events, the largest table, and one for the rest, so the
 * server loads on both cores while the generator produces the next day. `waitBelow` bounds how many
 * statements (and so how much text) wait.
 */
export class BulkLoader {
  private readonly chains: Promise<void>[];
  private pending = 0;
  private failure: Error | null = null;
  readonly loaded: Record<BulkTable, number> = { calls: 0, queue_events: 0, tickets: 0, ticket_events: 0 };

  constructor(private readonly conns: readonly Connection[]) {
    if (conns.length === 0) throw new Error('BulkLoader needs a connection');
    this.chains = conns.map(() => Promise.resolve());
  }

  load(table: BulkTable, text: string, rows: number): void {
    if (rows === 0) return;
    const lane = table === 'queue_events' || this.conns.length === 1 ? 0 : 1;
    const conn = this.conns[lane];
    if (conn === undefined) return;
    this.pending++;
    const sql = `LOAD DATA LOCAL INFILE 'generated-${table}.tsv' INTO TABLE \`${table}\` CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' LINES TERMINATED BY '\\n' (${COLUMNS[table].map((c) => `\`${c}\``).join(', ')})`;
    const data = Buffer.from(text, 'utf8');
    this.chains[lane] = (this.chains[lane] ?? Promise.resolve()).then(async () => {
      try {
        if (this.failure === null) {
          await conn.query({ sql, infileStreamFactory: () => Readable.from(slices(data)) });
          this.loaded[table] += rows;
        }
      } catch (err) {
        this.failure = err instanceof Error ? err : new Error(String(err));
      } finally {
        this.pending--;
      }
    });
  }

  /** Waits until at most `max` statements are queued; rethrows a failed load. */
  async waitBelow(max: number): Promise<void> {
    while (this.pending > max) await new Promise((resolve) => setTimeout(resolve, 5));
    if (this.failure !== null) throw this.failure;
  }

  async drain(): Promise<void> {
    await Promise.all(this.chains);
    if (this.failure !== null) throw this.failure;
  }
}

export interface IndexDef {
  readonly table: string;
  readonly name: string;
  readonly sql: string;
}

interface StatRow extends RowDataPacket {
  INDEX_NAME: string;
  COLUMN_NAME: string;
  SUB_PART: number | null;
  NON_UNIQUE: number;
}

/**
 * Drops secondary indexes whose inserts would land at random places (resident_phone, type+at in
 * event order) and returns how to add them back: one sorted build at the end is far cheaper than
 * millions of random B-tree inserts through a small buffer pool. Definitions are read from the
 * database, so they come back exactly as the migrations made them.
 */
export async function dropIndexes(conn: Connection, wanted: readonly { table: string; name: string }[]): Promise<IndexDef[]> {
  const defs: IndexDef[] = [];
  for (const { table, name } of wanted) {
    const [rows] = await conn.query<StatRow[]>(
      'SELECT INDEX_NAME, COLUMN_NAME, SUB_PART, NON_UNIQUE FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND INDEX_NAME = ? ORDER BY SEQ_IN_INDEX',
      [table, name],
    );
    const first = rows[0];
    if (first === undefined) continue;
    const cols = rows.map((r) => `\`${r.COLUMN_NAME}\`${r.SUB_PART === null ? '' : `(${String(r.SUB_PART)})`}`).join(', ');
    defs.push({ table, name, sql: `ADD ${first.NON_UNIQUE === 0 ? 'UNIQUE ' : ''}INDEX \`${name}\` (${cols})` });
    await conn.query(`ALTER TABLE \`${table}\` DROP INDEX \`${name}\``);
  }
  return defs;
}

/** Adds the dropped indexes back, one ALTER per table (one scan of the table builds them all). */
export async function restoreIndexes(conn: Connection, defs: readonly IndexDef[]): Promise<void> {
  const byTable = new Map<string, string[]>();
  for (const d of defs) byTable.set(d.table, [...(byTable.get(d.table) ?? []), d.sql]);
  for (const [table, clauses] of byTable) await conn.query(`ALTER TABLE \`${table}\` ${clauses.join(', ')}`);
}
