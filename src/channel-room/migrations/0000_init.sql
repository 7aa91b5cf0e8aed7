CREATE TABLE `device_cursors` (
	`user_id` text NOT NULL,
	`device` text NOT NULL,
	`seq` integer NOT NULL,
	`rev` integer NOT NULL,
	PRIMARY KEY(`user_id`, `device`)
);
--> statement-breakpoint
CREATE TABLE `members` (
	`user_id` text PRIMARY KEY NOT NULL,
	`handle` text NOT NULL,
	`display_name` text NOT NULL,
	`user_created_at` integer NOT NULL,
	`joined_at` integer NOT NULL,
	`read_seq` integer DEFAULT 0 NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`delivered_rev` integer DEFAULT 0 NOT NULL,
	`retry_at` integer DEFAULT 0 NOT NULL,
	`failures` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `messages` (
	`seq` integer PRIMARY KEY NOT NULL,
	`id` text NOT NULL,
	`sender_id` text NOT NULL,
	`body` text NOT NULL,
	`client_msg_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`edited_at` integer,
	`deleted` integer DEFAULT false NOT NULL,
	`reply_to` integer,
	`rev` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `messages_sender_client_idx` ON `messages` (`sender_id`,`client_msg_id`);--> statement-breakpoint
CREATE INDEX `messages_sender_seq_idx` ON `messages` (`sender_id`,`seq`);--> statement-breakpoint
CREATE INDEX `messages_rev_idx` ON `messages` (`rev`);--> statement-breakpoint
CREATE TABLE `meta` (
	`key` integer PRIMARY KEY NOT NULL,
	`channel_id` text NOT NULL,
	`kind` text NOT NULL,
	`title` text NOT NULL,
	`creator_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`rev` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `outbox` (
	`rev` integer PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`user_id` text,
	`seq` integer,
	`created_at` integer NOT NULL
);
