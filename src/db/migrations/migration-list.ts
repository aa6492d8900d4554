import type { QueryInterface } from 'sequelize';
import type { RunnableMigration } from 'umzug';
import * as m0001 from './0001-create-calls.js';
import * as m0002 from './0002-create-users.js';
import * as m0003 from './0003-create-acd-records.js';
import * as m0004 from './0004-create-tickets.js';
import * as m0005 from './0005-add-call-agent-columns.js';
import * as m0006 from './0006-ticket-lifecycle.js';
import * as m0007 from './0007-report-indexes.js';
import * as m0008 from './0008-do-not-call.js';
import * as m0009 from './0009-report-speed.js';
import * as m0010 from './0010-queue-counts-speed.js';
import * as m0011 from './0011-report-call-days.js';
import * as m0012 from './0012-record-durability.js';
import * as m0013 from './0013-auth-throttles.js';
import * as m0014 from './0014-knowledge-base.js';
import * as m0015 from './0015-notices.js';
import * as m0017 from './0017-password-change.js';
import * as m0020 from './0020-recording-retention.js';
import * as m0022 from './0022-voice-messages.js';
import * as m0024 from './0024-ivr-measures.js';
import * as m0026 from './0026-report-order-days.js';
import * as m0027 from './0027-report-queue-days.js';
import * as m0028 from './0028-fill-report-aggregates.js';
import * as m0029 from './0029-red-orders-covering.js';

/**
 * Every migration, in order. Listed statically (not globbed) so the same list runs from tsx and
 * from compiled JavaScript; test/db/migration-list.test.ts fails when a file here is missing from it.
 */
export const migrationList: readonly RunnableMigration<QueryInterface>[] = [
  { name: '0001-create-calls', up: m0001.up, down: m0001.down },
  { name: '0002-create-users', up: m0002.up, down: m0002.down },
  { name: '0003-create-acd-records', up: m0003.up, down: m0003.down },
  { name: '0004-create-tickets', up: m0004.up, down: m0004.down },
  { name: '0005-add-call-agent-columns', up: m0005.up, down: m0005.down },
  { name: '0006-ticket-lifecycle', up: m0006.up, down: m0006.down },
  { name: '0007-report-indexes', up: m0007.up, down: m0007.down },
  { name: '0008-do-not-call', up: m0008.up, down: m0008.down },
  { name: '0009-report-speed', up: m0009.up, down: m0009.down },
  { name: '0010-queue-counts-speed', up: m0010.up, down: m0010.down },
  { name: '0011-report-call-days', up: m0011.up, down: m0011.down },
  { name: '0012-record-durability', up: m0012.up, down: m0012.down },
  { name: '0013-auth-throttles', up: m0013.up, down: m0013.down },
  { name: '0014-knowledge-base', up: m0014.up, down: m0014.down },
  { name: '0015-notices', up: m0015.up, down: m0015.down },
  { name: '0017-password-change', up: m0017.up, down: m0017.down },
  { name: '0020-recording-retention', up: m0020.up, down: m0020.down },
  { name: '0022-voice-messages', up: m0022.up, down: m0022.down },
  { name: '0024-ivr-measures', up: m0024.up, down: m0024.down },
  { name: '0026-report-order-days', up: m0026.up, down: m0026.down },
  { name: '0027-report-queue-days', up: m0027.up, down: m0027.down },
  { name: '0028-fill-report-aggregates', up: m0028.up, down: m0028.down },
  { name: '0029-red-orders-covering', up: m0029.up, down: m0029.down },
];
