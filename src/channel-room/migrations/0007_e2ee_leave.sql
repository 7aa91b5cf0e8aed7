DROP INDEX `messages_not_unread_idx`;--> statement-breakpoint
CREATE INDEX `messages_handshake_idx` ON `messages` (`seq`) WHERE mls_kind IN ('commit', 'proposal') OR change_of IS NOT NULL;--> statement-breakpoint
ALTER TABLE `mls_leaves` ADD `leaving` integer;