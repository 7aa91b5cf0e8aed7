CREATE TABLE `key_packages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`device` text NOT NULL,
	`data` text NOT NULL,
	`last_resort` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `welcomes` (
	`channel_id` text NOT NULL,
	`seq` integer NOT NULL,
	`epoch` integer NOT NULL,
	`data` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`channel_id`, `seq`)
);
