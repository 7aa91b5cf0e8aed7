CREATE TABLE `channels` (
	`channel_id` text PRIMARY KEY NOT NULL,
	`rev` integer NOT NULL,
	`removed` integer DEFAULT false NOT NULL,
	`kind` text NOT NULL,
	`partner_id` text,
	`summary` text NOT NULL,
	`last_activity` integer NOT NULL,
	`pushed_seq` integer DEFAULT 0 NOT NULL,
	`last_push_at` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `cursors` (
	`channel_id` text NOT NULL,
	`device` text NOT NULL,
	`seq` integer NOT NULL,
	PRIMARY KEY(`channel_id`, `device`)
);
--> statement-breakpoint
CREATE TABLE `push_queue` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`device` text NOT NULL,
	`payload` text NOT NULL,
	`urgency` text NOT NULL,
	`topic` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `push_subscriptions` (
	`device` text PRIMARY KEY NOT NULL,
	`endpoint` text NOT NULL,
	`p256dh` text NOT NULL,
	`auth` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `state` (
	`key` integer PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`online` integer DEFAULT false NOT NULL,
	`last_seen_at` integer DEFAULT 0 NOT NULL,
	`gone_at` integer
);
