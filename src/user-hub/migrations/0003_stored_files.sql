CREATE TABLE `stored_files` (
	`channel_id` text NOT NULL,
	`attachment_id` text NOT NULL,
	`size` integer NOT NULL,
	PRIMARY KEY(`channel_id`, `attachment_id`)
);
