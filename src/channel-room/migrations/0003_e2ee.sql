CREATE TABLE `mls_leaves` (
	`leaf` integer PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`device` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `mls_welcomes` (
	`seq` integer NOT NULL,
	`user_id` text NOT NULL,
	`epoch` integer NOT NULL,
	`data` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`seq`, `user_id`)
);
--> statement-breakpoint
ALTER TABLE `messages` ADD `mls_kind` text;--> statement-breakpoint
ALTER TABLE `messages` ADD `mls_data` text;--> statement-breakpoint
ALTER TABLE `messages` ADD `epoch` integer;--> statement-breakpoint
ALTER TABLE `messages` ADD `change_of` integer;--> statement-breakpoint
CREATE INDEX `messages_not_unread_idx` ON `messages` (`seq`) WHERE mls_kind = 'commit' OR change_of IS NOT NULL;--> statement-breakpoint
ALTER TABLE `meta` ADD `encrypted` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `meta` ADD `epoch` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `meta` ADD `peer_id` text;