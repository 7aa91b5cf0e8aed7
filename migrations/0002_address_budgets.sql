CREATE TABLE `address_budgets` (
	`kind` text NOT NULL,
	`address` text NOT NULL,
	`window_start` integer NOT NULL,
	`count` integer NOT NULL,
	PRIMARY KEY(`kind`, `address`, `window_start`)
);
--> statement-breakpoint
CREATE INDEX `address_budgets_window_idx` ON `address_budgets` (`window_start`);