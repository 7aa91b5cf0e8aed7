ALTER TABLE `users` ADD `name_key` text DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE INDEX `users_name_key_idx` ON `users` (`name_key`);--> statement-breakpoint
-- Existing users: SQLite's lower() folds ASCII only; a display name change refolds it fully (nameKey).
UPDATE `users` SET `name_key` = lower(`display_name`);
