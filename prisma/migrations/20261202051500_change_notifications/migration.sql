-- Issue 13: caches of the alias, global settings and accounts in each Keyward process, kept
-- right by notifications (lib/db/changes.ts). Every change to a cached row tells every
-- listening process, when its transaction commits, whoever made it: the server, the console,
-- the CLI or someone at psql.

CREATE FUNCTION "keyward_notify_settings_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('keyward_changes', 'settings');
  RETURN NULL;
END
$$;

CREATE FUNCTION "keyward_notify_account_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('keyward_changes', 'account:' || OLD."id");
  RETURN NULL;
END
$$;

CREATE TRIGGER "GlobalSettings_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "GlobalSettings"
  FOR EACH STATEMENT EXECUTE FUNCTION "keyward_notify_settings_changed"();
CREATE TRIGGER "Alias_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "Alias"
  FOR EACH STATEMENT EXECUTE FUNCTION "keyward_notify_settings_changed"();
CREATE TRIGGER "TermsOfServiceVersion_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "TermsOfServiceVersion"
  FOR EACH STATEMENT EXECUTE FUNCTION "keyward_notify_settings_changed"();

-- Inserts are not cached before they exist; a TRUNCATE (restore) says "settings", which clears all.
CREATE TRIGGER "Account_changed" AFTER UPDATE OR DELETE ON "Account"
  FOR EACH ROW EXECUTE FUNCTION "keyward_notify_account_changed"();
CREATE TRIGGER "Account_truncated" AFTER TRUNCATE ON "Account"
  FOR EACH STATEMENT EXECUTE FUNCTION "keyward_notify_settings_changed"();
