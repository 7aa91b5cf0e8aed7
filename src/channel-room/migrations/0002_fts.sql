-- Full-text index of message bodies (FTS5; not modelled by drizzle). External
-- content: the index holds no copy of the text, only its terms, and triggers
-- keep it in step with `messages`. secure-delete removes a deleted or edited
-- body's terms from the index at once instead of leaving delete markers.
CREATE VIRTUAL TABLE `messages_fts` USING fts5(body, content='messages', content_rowid='seq', tokenize='unicode61 remove_diacritics 2');
--> statement-breakpoint
INSERT INTO `messages_fts`(`messages_fts`, `rank`) VALUES ('secure-delete', 1);
--> statement-breakpoint
CREATE TRIGGER `messages_fts_insert` AFTER INSERT ON `messages` BEGIN
  INSERT INTO `messages_fts`(`rowid`, `body`) VALUES (new.`seq`, new.`body`);
END;
--> statement-breakpoint
CREATE TRIGGER `messages_fts_update` AFTER UPDATE OF `body` ON `messages` BEGIN
  INSERT INTO `messages_fts`(`messages_fts`, `rowid`, `body`) VALUES ('delete', old.`seq`, old.`body`);
  INSERT INTO `messages_fts`(`rowid`, `body`) VALUES (new.`seq`, new.`body`);
END;
--> statement-breakpoint
CREATE TRIGGER `messages_fts_delete` AFTER DELETE ON `messages` BEGIN
  INSERT INTO `messages_fts`(`messages_fts`, `rowid`, `body`) VALUES ('delete', old.`seq`, old.`body`);
END;
--> statement-breakpoint
-- Rooms created before this migration: index what they already hold.
INSERT INTO `messages_fts`(`messages_fts`) VALUES ('rebuild');
