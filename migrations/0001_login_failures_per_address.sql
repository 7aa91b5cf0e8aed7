-- Failures were counted per handle; now per handle and client address. Old counts are dropped (at worst a lockout ends early).
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_login_failures` (
	`handle` text NOT NULL,
	`address` text NOT NULL,
	`failures` integer NOT NULL,
	`last_failure_at` integer NOT NULL,
	PRIMARY KEY(`handle`, `address`)
);
--> statement-breakpoint
DROP TABLE `login_failures`;--> statement-breakpoint
ALTER TABLE `__new_login_failures` RENAME TO `login_failures`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `login_failures_last_idx` ON `login_failures` (`last_failure_at`);