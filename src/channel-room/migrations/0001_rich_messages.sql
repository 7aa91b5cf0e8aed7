CREATE TABLE `mentions` (
	`seq` integer NOT NULL,
	`user_id` text NOT NULL,
	PRIMARY KEY(`seq`, `user_id`)
);
--> statement-breakpoint
CREATE INDEX `mentions_user_seq_idx` ON `mentions` (`user_id`,`seq`);--> statement-breakpoint
CREATE TABLE `reactions` (
	`seq` integer NOT NULL,
	`emoji` text NOT NULL,
	`user_id` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`seq`, `emoji`, `user_id`)
);
--> statement-breakpoint
CREATE INDEX `messages_deleted_idx` ON `messages` (`seq`) WHERE deleted = 1;