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
  `queue` varchar(64) DEFAULT NULL,
  `queued_at` datetime(3) DEFAULT NULL,
  `agent_id` int(11) DEFAULT NULL,
  `agent_extension` varchar(32) DEFAULT NULL,
  `agent_answered_at` datetime(3) DEFAULT NULL,
  `recording_path` varchar(1000) DEFAULT NULL,
  PRIMARY KEY (`call_id`),
  KEY `calls_started_at` (`started_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `sessions` (
  `token_hash` varchar(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  `user_id` int(11) NOT NULL,
  `expires_at` datetime(3) NOT NULL,
  `created_at` datetime(3) NOT NULL,
  PRIMARY KEY (`token_hash`),
  KEY `sessions_user_id` (`user_id`),
  KEY `sessions_expires_at` (`expires_at`),
  CONSTRAINT `sessions_ibfk_1` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `users` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `username` varchar(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  `display_name` varchar(64) NOT NULL,
  `role` varchar(16) NOT NULL,
  `password_hash` varchar(255) NOT NULL,
  `extension` varchar(8) DEFAULT NULL,
  `sip_ha1` varchar(32) DEFAULT NULL,
  `sip_realm` varchar(255) DEFAULT NULL,
  `skills` longtext CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL CHECK (json_valid(`skills`)),
  `unit_id` int(11) DEFAULT NULL,
  `active` tinyint(1) NOT NULL DEFAULT 1,
  `created_at` datetime(3) NOT NULL,
  `updated_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `users_username_unique` (`username`),
  UNIQUE KEY `users_extension_unique` (`extension`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
