-- A later schema change, as projects accumulate them: a new column with a default.
ALTER TABLE addons ADD COLUMN requires_payment TINYINT(1) NOT NULL DEFAULT 0 AFTER disabled_by_user;
