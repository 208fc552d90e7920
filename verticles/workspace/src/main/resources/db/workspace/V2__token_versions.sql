-- A user's token version: every token carries the version its user had when it was issued, and tokens with an older
-- version are refused. Logout and a password change raise it, which revokes every token issued before.
ALTER TABLE workspace.users ADD COLUMN token_version integer NOT NULL DEFAULT 0 CHECK (token_version >= 0);
