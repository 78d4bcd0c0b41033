-- Accounts, sessions, activation links and login throttling.
-- Secrets are never stored in clear: passwords as PBKDF2-SHA-256 (hash, salt, iterations),
-- session and activation tokens as the hex SHA-256 of the token. All SQL for these tables
-- lives in worker/db/accounts.ts.

CREATE TABLE accounts (
  id                   TEXT PRIMARY KEY,                -- random (UUID)
  town_id              TEXT REFERENCES towns(id),       -- NULL only for admin
  role                 TEXT NOT NULL CHECK (role IN ('reporter', 'office', 'supervisor', 'admin')),
  unit_id              TEXT,                            -- the reporter's unit; optional for office/supervisor
  username             TEXT NOT NULL UNIQUE CHECK (username = lower(username) AND length(username) BETWEEN 3 AND 40),
  display_name         TEXT NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
  password_hash        TEXT,                            -- NULL until activated
  password_salt        TEXT,
  password_iterations  INTEGER,
  status               TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'active', 'disabled')),
  created_at           TEXT NOT NULL,
  created_by           TEXT NOT NULL,                   -- account id, or 'system:<process>'
  FOREIGN KEY (town_id, unit_id) REFERENCES units(town_id, id),
  -- admin manages all towns and belongs to none; every other role belongs to one town
  CHECK ((role = 'admin') = (town_id IS NULL)),
  -- a reporter reports for exactly one responsible unit
  CHECK (role <> 'reporter' OR unit_id IS NOT NULL),
  -- a unit only exists within a town (the composite foreign key is not checked when town_id is NULL)
  CHECK (unit_id IS NULL OR town_id IS NOT NULL),
  -- the three password columns are set together, and an active account has a password
  CHECK ((password_hash IS NULL) = (password_salt IS NULL) AND (password_hash IS NULL) = (password_iterations IS NULL)),
  CHECK (password_iterations IS NULL OR password_iterations > 0),
  CHECK (status <> 'active' OR password_hash IS NOT NULL)
);
CREATE INDEX accounts_by_town ON accounts(town_id, role);

-- One-time activation links: the office creates the account, the person sets the password.
CREATE TABLE activation_tokens (
  token_hash  TEXT PRIMARY KEY,                         -- hex SHA-256 of the token
  account_id  TEXT NOT NULL REFERENCES accounts(id),
  created_at  TEXT NOT NULL,
  expires_at  TEXT NOT NULL,
  used_at     TEXT
);
CREATE INDEX activation_tokens_by_account ON activation_tokens(account_id);

-- Sign-in sessions: a bearer token whose hash is the key; logout or expiry ends it.
CREATE TABLE sessions (
  token_hash  TEXT PRIMARY KEY,                         -- hex SHA-256 of the token
  account_id  TEXT NOT NULL REFERENCES accounts(id),
  created_at  TEXT NOT NULL,
  expires_at  TEXT NOT NULL,
  revoked_at  TEXT
);
CREATE INDEX sessions_by_account ON sessions(account_id);

-- Login attempts, for throttling repeated failures per username and per client address.
CREATE TABLE login_attempts (
  id   INTEGER PRIMARY KEY AUTOINCREMENT,
  key  TEXT NOT NULL,                                   -- 'user:<username>' or 'ip:<address>'
  at   TEXT NOT NULL,
  ok   INTEGER NOT NULL CHECK (ok IN (0, 1))
);
CREATE INDEX login_attempts_by_key_at ON login_attempts(key, at);
