-- MySQL/MariaDB schema of the hotline server: GENERATED from src/db/migrations, do not edit.
-- Regenerate after changing a migration: npx tsx scripts/generate-sql.ts
-- (needs MariaDB/MySQL at 127.0.0.1:3306; test/db/schema-drift.test.ts fails when this file is stale).
-- The server creates these tables itself at start-up (and with `npm run migrate`); this file is for DBAs.

CREATE TABLE `agent_state_events` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `agent_id` varchar(64) NOT NULL,
  `extension` varchar(64) NOT NULL,
  `from_state` varchar(16) NOT NULL,
  `to_state` varchar(16) NOT NULL,
  `reason` varchar(64) DEFAULT NULL,
  `at` datetime(3) NOT NULL,
  `record_key` varchar(64) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `agent_state_events_record_key` (`record_key`),
  KEY `agent_state_events_at` (`at`),
  KEY `agent_state_events_agent_at` (`agent_id`,`at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `auth_throttles` (
  `throttle_key` varchar(191) NOT NULL,
  `failures` int(11) NOT NULL DEFAULT 0,
  `first_at` bigint(20) NOT NULL,
  `blocked_until` bigint(20) NOT NULL DEFAULT 0,
  `updated_at` bigint(20) NOT NULL,
  PRIMARY KEY (`throttle_key`),
  KEY `auth_throttles_updated_at` (`updated_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `callback_requests` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `call_id` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  `queue` varchar(64) NOT NULL,
  `caller_number` varchar(255) NOT NULL,
  `requested_at` datetime(3) NOT NULL,
  `status` varchar(16) NOT NULL DEFAULT 'open',
  `handled_by` varchar(64) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `callback_requests_status_requested_at` (`status`,`requested_at`),
  KEY `callback_requests_call_id` (`call_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

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
  `record_key` varchar(64) DEFAULT NULL,
  `node_id` varchar(64) DEFAULT NULL,
  `truncated` tinyint(1) NOT NULL DEFAULT 0,
  `recording_expired_at` datetime(3) DEFAULT NULL,
  `ivr_flow` varchar(64) DEFAULT NULL,
  `ivr_outcome` varchar(16) DEFAULT NULL,
  `ivr_self_served` tinyint(1) NOT NULL DEFAULT 0,
  `ivr_spoken` text DEFAULT NULL,
  PRIMARY KEY (`call_id`),
  UNIQUE KEY `calls_record_key` (`record_key`),
  KEY `calls_started_at` (`started_at`),
  KEY `calls_node_id_ended_at_started_at` (`node_id`,`ended_at`,`started_at`),
  KEY `calls_recording_expired_at_started_at` (`recording_expired_at`,`started_at`),
  KEY `calls_ivr_flow_started_at` (`ivr_flow`,`started_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `categories` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `parent_id` int(11) DEFAULT NULL,
  `code` varchar(32) NOT NULL,
  `name` varchar(100) NOT NULL,
  `level` int(11) NOT NULL,
  `default_unit_id` int(11) DEFAULT NULL,
  `reply_days` int(11) DEFAULT NULL,
  `reply_hours` int(11) DEFAULT NULL,
  `sign_days` int(11) DEFAULT NULL,
  `active` tinyint(1) NOT NULL DEFAULT 1,
  `created_at` datetime(3) NOT NULL,
  `updated_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `code` (`code`),
  KEY `default_unit_id` (`default_unit_id`),
  KEY `categories_parent_id` (`parent_id`),
  CONSTRAINT `categories_ibfk_1` FOREIGN KEY (`parent_id`) REFERENCES `categories` (`id`) ON UPDATE CASCADE,
  CONSTRAINT `categories_ibfk_2` FOREIGN KEY (`default_unit_id`) REFERENCES `handling_units` (`id`) ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `handling_units` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `code` varchar(32) NOT NULL,
  `name` varchar(100) NOT NULL,
  `kind` varchar(16) NOT NULL,
  `liaison_name` varchar(50) NOT NULL,
  `liaison_phone` varchar(20) NOT NULL,
  `liaison_sip_uri` varchar(255) DEFAULT NULL,
  `active` tinyint(1) NOT NULL DEFAULT 1,
  `created_at` datetime(3) NOT NULL,
  `updated_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `code` (`code`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `knowledge_article_categories` (
  `category_id` int(11) NOT NULL,
  `article_id` int(11) NOT NULL,
  PRIMARY KEY (`category_id`,`article_id`),
  KEY `knowledge_article_categories_article` (`article_id`),
  CONSTRAINT `knowledge_article_categories_ibfk_1` FOREIGN KEY (`category_id`) REFERENCES `categories` (`id`) ON UPDATE CASCADE,
  CONSTRAINT `knowledge_article_categories_ibfk_2` FOREIGN KEY (`article_id`) REFERENCES `knowledge_articles` (`id`) ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `knowledge_article_revisions` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `article_id` int(11) NOT NULL,
  `version` int(11) NOT NULL,
  `action` varchar(16) NOT NULL,
  `changed` varchar(255) NOT NULL,
  `edited_by` int(11) NOT NULL,
  `edited_at` datetime(3) NOT NULL,
  `kind` varchar(16) NOT NULL,
  `title` varchar(200) NOT NULL,
  `body` mediumtext NOT NULL,
  `status` varchar(16) NOT NULL,
  `category_ids` text NOT NULL,
  `unit_ids` text NOT NULL,
  `tags` text NOT NULL,
  `valid_from` bigint(20) DEFAULT NULL,
  `valid_to` bigint(20) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `knowledge_revisions_article_version` (`article_id`,`version`),
  CONSTRAINT `knowledge_article_revisions_ibfk_1` FOREIGN KEY (`article_id`) REFERENCES `knowledge_articles` (`id`) ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `knowledge_articles` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `kind` varchar(16) NOT NULL,
  `title` varchar(200) NOT NULL,
  `body` mediumtext NOT NULL,
  `status` varchar(16) NOT NULL,
  `category_ids` text NOT NULL,
  `unit_ids` text NOT NULL,
  `tags` text NOT NULL,
  `valid_from` bigint(20) DEFAULT NULL,
  `valid_to` bigint(20) DEFAULT NULL,
  `version` int(11) NOT NULL DEFAULT 1,
  `created_by` int(11) NOT NULL,
  `updated_by` int(11) NOT NULL,
  `created_at` datetime(3) NOT NULL,
  `updated_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  KEY `knowledge_articles_status_kind` (`status`,`kind`,`updated_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `knowledge_term_stats` (
  `term` bigint(20) NOT NULL,
  `df` int(11) NOT NULL,
  PRIMARY KEY (`term`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `knowledge_terms` (
  `term` bigint(20) NOT NULL,
  `article_id` int(11) NOT NULL,
  `weight` smallint(6) NOT NULL,
  PRIMARY KEY (`term`,`article_id`),
  KEY `knowledge_terms_article` (`article_id`),
  KEY `knowledge_terms_term_weight` (`term`,`weight`),
  CONSTRAINT `knowledge_terms_ibfk_1` FOREIGN KEY (`article_id`) REFERENCES `knowledge_articles` (`id`) ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `notice_hits` (
  `hit_key` varchar(64) NOT NULL,
  `notice_id` int(11) NOT NULL,
  `call_id` varchar(255) NOT NULL,
  `day` varchar(10) NOT NULL,
  `heard_at` datetime(3) NOT NULL,
  `pressed` tinyint(1) NOT NULL DEFAULT 0,
  PRIMARY KEY (`hit_key`),
  KEY `notice_hits_day_notice` (`day`,`notice_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `notices` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `title` varchar(100) NOT NULL,
  `text` varchar(1000) NOT NULL,
  `areas` text NOT NULL,
  `category_ids` text NOT NULL,
  `valid_from` datetime(3) NOT NULL,
  `valid_to` datetime(3) NOT NULL,
  `status` varchar(16) NOT NULL,
  `created_by` int(11) NOT NULL,
  `withdrawn_at` datetime(3) DEFAULT NULL,
  `created_at` datetime(3) NOT NULL,
  `updated_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  KEY `notices_valid_to` (`valid_to`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `queue_events` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `call_id` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  `queue` varchar(64) NOT NULL,
  `event` varchar(16) NOT NULL,
  `agent_id` varchar(64) DEFAULT NULL,
  `extension` varchar(64) DEFAULT NULL,
  `wait_ms` int(11) DEFAULT NULL,
  `talk_ms` int(11) DEFAULT NULL,
  `at` datetime(3) NOT NULL,
  `record_key` varchar(64) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `queue_events_record_key` (`record_key`),
  KEY `queue_events_at` (`at`),
  KEY `queue_events_call_id` (`call_id`),
  KEY `queue_events_event_at_call_id` (`event`,`at`,`call_id`),
  KEY `queue_events_at_call_id_event_wait_ms_queue` (`at`,`call_id`,`event`,`wait_ms`,`queue`),
  KEY `queue_events_call_id_event_at_wait_ms` (`call_id`,`event`,`at`,`wait_ms`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `report_call_days` (
  `params` varchar(255) NOT NULL,
  `day_start_ms` bigint(20) NOT NULL,
  `offered` bigint(20) NOT NULL,
  `answered` bigint(20) NOT NULL,
  `answered_within_sl` bigint(20) NOT NULL,
  `abandoned` bigint(20) NOT NULL,
  `short_abandons` bigint(20) NOT NULL,
  `wait_sum_ms` bigint(20) NOT NULL,
  `handled` bigint(20) NOT NULL,
  `handle_sum_ms` bigint(20) NOT NULL,
  `computed_at` datetime(3) NOT NULL,
  PRIMARY KEY (`params`,`day_start_ms`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `report_order_days` (
  `scope` varchar(8) NOT NULL,
  `day` varchar(10) NOT NULL,
  `scope_id` int(11) NOT NULL,
  `prev_day` varchar(10) NOT NULL,
  `next_day` varchar(10) NOT NULL,
  `received` bigint(20) NOT NULL DEFAULT 0,
  `closed` bigint(20) NOT NULL DEFAULT 0,
  `closed_first_time` bigint(20) NOT NULL DEFAULT 0,
  `due` bigint(20) NOT NULL DEFAULT 0,
  `due_closed` bigint(20) NOT NULL DEFAULT 0,
  `closed_on_time` bigint(20) NOT NULL DEFAULT 0,
  `dispatched` bigint(20) NOT NULL DEFAULT 0,
  `redispatched` bigint(20) NOT NULL DEFAULT 0,
  `responded_on_time` bigint(20) NOT NULL DEFAULT 0,
  `rated` bigint(20) NOT NULL DEFAULT 0,
  `satisfied` bigint(20) NOT NULL DEFAULT 0,
  `basically` bigint(20) NOT NULL DEFAULT 0,
  `unsatisfied` bigint(20) NOT NULL DEFAULT 0,
  `resolved` bigint(20) NOT NULL DEFAULT 0,
  `returned` bigint(20) NOT NULL DEFAULT 0,
  PRIMARY KEY (`scope`,`day`,`scope_id`,`prev_day`,`next_day`),
  KEY `report_order_days_day` (`day`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `report_queue_days` (
  `day` varchar(10) NOT NULL,
  `queue` varchar(64) NOT NULL,
  `wait_s` int(11) NOT NULL,
  `offered` bigint(20) NOT NULL DEFAULT 0,
  `answered` bigint(20) NOT NULL DEFAULT 0,
  `abandoned` bigint(20) NOT NULL DEFAULT 0,
  `wait_sum_ms` bigint(20) NOT NULL DEFAULT 0,
  `handled` bigint(20) NOT NULL DEFAULT 0,
  `handle_sum_ms` bigint(20) NOT NULL DEFAULT 0,
  PRIMARY KEY (`day`,`queue`,`wait_s`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `sessions` (
  `token_hash` varchar(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  `user_id` int(11) NOT NULL,
  `expires_at` datetime(3) NOT NULL,
  `created_at` datetime(3) NOT NULL,
  `client_address` varchar(64) DEFAULT NULL,
  `user_agent` varchar(255) DEFAULT NULL,
  PRIMARY KEY (`token_hash`),
  KEY `sessions_user_id` (`user_id`),
  KEY `sessions_expires_at` (`expires_at`),
  CONSTRAINT `sessions_ibfk_1` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `ticket_events` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `ticket_id` int(11) NOT NULL,
  `type` varchar(24) NOT NULL,
  `actor_user_id` int(11) NOT NULL,
  `actor_role` varchar(16) NOT NULL,
  `channel` varchar(8) NOT NULL,
  `unit_id` int(11) DEFAULT NULL,
  `note` text DEFAULT NULL,
  `data` text NOT NULL,
  `at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  KEY `unit_id` (`unit_id`),
  KEY `ticket_events_ticket_id_id` (`ticket_id`,`id`),
  KEY `ticket_events_type_at_ticket_id` (`type`,`at`,`ticket_id`),
  KEY `ticket_events_ticket_id_type_id_at_unit_id` (`ticket_id`,`type`,`id`,`at`,`unit_id`),
  CONSTRAINT `ticket_events_ibfk_1` FOREIGN KEY (`ticket_id`) REFERENCES `tickets` (`id`) ON UPDATE CASCADE,
  CONSTRAINT `ticket_events_ibfk_2` FOREIGN KEY (`unit_id`) REFERENCES `handling_units` (`id`) ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `ticket_sequences` (
  `day` char(8) NOT NULL,
  `last_value` int(11) NOT NULL DEFAULT 0,
  PRIMARY KEY (`day`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `tickets` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `code` varchar(15) NOT NULL,
  `request_type` varchar(16) NOT NULL,
  `category_id` int(11) NOT NULL,
  `content` text NOT NULL,
  `address` varchar(500) DEFAULT NULL,
  `resident_name` varchar(50) DEFAULT NULL,
  `resident_phone` varchar(20) NOT NULL,
  `urgency` varchar(16) NOT NULL,
  `answered_on_call` tinyint(1) NOT NULL DEFAULT 0,
  `call_id` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT NULL,
  `handling_unit_id` int(11) DEFAULT NULL,
  `current_unit_id` int(11) DEFAULT NULL,
  `state` varchar(16) NOT NULL,
  `sign_by` datetime(3) DEFAULT NULL,
  `reply_by` datetime(3) DEFAULT NULL,
  `closed_at` datetime(3) DEFAULT NULL,
  `version` int(11) NOT NULL DEFAULT 1,
  `created_by` int(11) NOT NULL,
  `created_at` datetime(3) NOT NULL,
  `updated_at` datetime(3) NOT NULL,
  `return_by` datetime(3) DEFAULT NULL,
  `dispatch_count` int(11) NOT NULL DEFAULT 0,
  `reopen_count` int(11) NOT NULL DEFAULT 0,
  `escalation_level` int(11) NOT NULL DEFAULT 0,
  `extension_status` varchar(16) DEFAULT NULL,
  `extension_days` int(11) DEFAULT NULL,
  `extension_reason` text DEFAULT NULL,
  `extension_granted_days` int(11) NOT NULL DEFAULT 0,
  `duplicate_of` int(11) DEFAULT NULL,
  `is_duplicate` tinyint(1) NOT NULL DEFAULT 0,
  `reply_content` text DEFAULT NULL,
  `replied_by_name` varchar(50) DEFAULT NULL,
  `replied_by_phone` varchar(20) DEFAULT NULL,
  `satisfaction` varchar(16) DEFAULT NULL,
  `resolution` varchar(16) DEFAULT NULL,
  `do_not_call` tinyint(1) NOT NULL DEFAULT 0,
  PRIMARY KEY (`id`),
  UNIQUE KEY `code` (`code`),
  KEY `category_id` (`category_id`),
  KEY `handling_unit_id` (`handling_unit_id`),
  KEY `tickets_resident_phone_created_at` (`resident_phone`,`created_at`),
  KEY `tickets_current_unit_id_created_at` (`current_unit_id`,`created_at`),
  KEY `tickets_created_at` (`created_at`),
  KEY `tickets_call_id` (`call_id`),
  KEY `tickets_duplicate_of_foreign_idx` (`duplicate_of`),
  KEY `tickets_resident_phone_category_id_created_at` (`resident_phone`,`category_id`,`created_at`),
  KEY `tickets_state_updated_at` (`state`,`updated_at`),
  KEY `tickets_reply_by` (`reply_by`),
  KEY `tickets_created_at_category_id` (`created_at`,`category_id`),
  KEY `tickets_reply_by_current_unit_id` (`reply_by`,`current_unit_id`),
  KEY `tickets_state_sign_by_unit` (`state`,`sign_by`,`current_unit_id`),
  KEY `tickets_state_reply_by_unit` (`state`,`reply_by`,`current_unit_id`),
  CONSTRAINT `tickets_duplicate_of_foreign_idx` FOREIGN KEY (`duplicate_of`) REFERENCES `tickets` (`id`) ON UPDATE CASCADE,
  CONSTRAINT `tickets_ibfk_1` FOREIGN KEY (`category_id`) REFERENCES `categories` (`id`) ON UPDATE CASCADE,
  CONSTRAINT `tickets_ibfk_2` FOREIGN KEY (`handling_unit_id`) REFERENCES `handling_units` (`id`) ON UPDATE CASCADE,
  CONSTRAINT `tickets_ibfk_3` FOREIGN KEY (`current_unit_id`) REFERENCES `handling_units` (`id`) ON UPDATE CASCADE
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
  `must_change_password` tinyint(1) NOT NULL DEFAULT 0,
  PRIMARY KEY (`id`),
  UNIQUE KEY `users_username_unique` (`username`),
  UNIQUE KEY `users_extension_unique` (`extension`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `voice_messages` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `call_id` varchar(255) NOT NULL,
  `caller_number` varchar(64) NOT NULL,
  `queue` varchar(64) NOT NULL,
  `received_at` datetime(3) NOT NULL,
  `recording_path` varchar(1024) NOT NULL,
  `duration_ms` int(11) NOT NULL,
  `status` varchar(16) NOT NULL DEFAULT 'pending',
  `close_reason` varchar(16) DEFAULT NULL,
  `close_note` varchar(500) DEFAULT NULL,
  `order_code` varchar(32) DEFAULT NULL,
  `handled_by` int(11) DEFAULT NULL,
  `handled_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `voice_messages_status_received` (`status`,`received_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
