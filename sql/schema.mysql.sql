-- MySQL/MariaDB schema of the hotline server: GENERATED from src/db/migrations, do not edit.
-- Regenerate after changing a migration: npx tsx scripts/generate-sql.ts
-- (needs MariaDB/MySQL at 127.0.0.1:3306; test/db/schema-drift.test.ts fails when this file is stale).
-- The server creates these tables itself at start-up (and with `npm run migrate`); this file is for DBAs.

CREATE TABLE `calls` (
  `call_id` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  `direction` varchar(16) NOT NULL,
  `from_number` varchar(255) NOT NULL,
  `to_number` varchar(255) NOT NULL,
  `started_at` datetime(3) NOT NULL,
  `answered_at` datetime(3) DEFAULT NULL,
  `ended_at` datetime(3) DEFAULT NULL,
  `end_reason` varchar(64) DEFAULT NULL,
  `hung_up_by` varchar(16) DEFAULT NULL,
  `digits` varchar(255) NOT NULL DEFAULT '',
  `ivr_path` varchar(1000) NOT NULL DEFAULT '',
  `created_at` datetime(3) NOT NULL,
  `updated_at` datetime(3) NOT NULL,
  PRIMARY KEY (`call_id`),
  KEY `calls_started_at` (`started_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
