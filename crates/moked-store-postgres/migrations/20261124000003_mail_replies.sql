-- The outbox derives its work from the store: agents' messages in email
-- interactions that are open or ended lately and have no outbox row yet.
-- This index finds those interactions without reading the others.
CREATE INDEX interactions_email_by_end ON interactions (ended_at) WHERE channel = 'email';
