ALTER TABLE `messages` ADD `event` text;--> statement-breakpoint
CREATE INDEX `messages_event_idx` ON `messages` (`seq`) WHERE event IS NOT NULL;