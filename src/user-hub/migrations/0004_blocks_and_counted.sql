CREATE TABLE `blocks` (
	`user_id` text PRIMARY KEY NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `counted_channels` (
	`channel_id` text PRIMARY KEY NOT NULL,
	`since` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `channels` ADD `closed` integer DEFAULT false NOT NULL;--> statement-breakpoint
-- Channels held before this migration keep counting: the stricter reading of the past.
INSERT INTO `counted_channels` (`channel_id`, `since`) SELECT `channel_id`, 0 FROM `channels` WHERE `removed` = 0;