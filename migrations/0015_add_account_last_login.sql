-- When each account last signed in (set with the session, in the same batch as its auth.login
-- audit row), for the console's account list: an account nobody has used for months stands out.
-- Sessions are pruned nightly, so the time is kept on the account itself.
ALTER TABLE accounts ADD COLUMN last_login_at TEXT;
