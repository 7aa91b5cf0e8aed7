CREATE TABLE `attachments` (
	`id` text PRIMARY KEY NOT NULL,
	`uploader_id` text NOT NULL,
	`name` text NOT NULL,
	`type` text NOT NULL,
	`size` integer NOT NULL,
	`width` integer,
	`height` integer,
	`thumb_type` text,
	`placeholder` text,
	`stored` integer DEFAULT false NOT NULL,
	`seq` integer,
	`position` integer,
	`created_at` integer NOT NULL,
	`expires_at` integer
);
--> statement-breakpoint
CREATE INDEX `attachments_seq_idx` ON `attachments` (`seq`);--> statement-breakpoint
CREATE INDEX `attachments_expires_idx` ON `attachments` (`expires_at`);--> statement-breakpoint
CREATE INDEX `attachments_uploader_idx` ON `attachments` (`uploader_id`);