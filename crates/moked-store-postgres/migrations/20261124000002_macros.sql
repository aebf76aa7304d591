-- Macros: a canned response may carry actions applied to the ticket it is
-- used on (status, priority, category, tags, team, agent, an internal
-- note), kept as one JSON object: they are read and written together,
-- never queried one by one. '{}' is a plain canned response.
ALTER TABLE canned_responses ADD COLUMN actions TEXT NOT NULL DEFAULT '{}';
