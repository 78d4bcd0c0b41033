-- Counting recent audit rows of one action (the cap on auth.session_rejected rows per hour) reads
-- only that action's rows in the time window, however long the log grows.
CREATE INDEX audit_by_action_at ON audit_log(action, at);
