-- Issue 13: each Keyward process keeps which CA signs and the chains certificates are served with
-- (lib/ca/chains.ts); a change to a CA or a cross-certificate tells every listening process, when
-- its transaction commits, whoever made it (lib/db/changes.ts).

CREATE FUNCTION "keyward_notify_ca_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('keyward_changes', 'ca');
  RETURN NULL;
END
$$;

CREATE TRIGGER "CertificateAuthority_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "CertificateAuthority"
  FOR EACH STATEMENT EXECUTE FUNCTION "keyward_notify_ca_changed"();
CREATE TRIGGER "CaCrossCertificate_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "CaCrossCertificate"
  FOR EACH STATEMENT EXECUTE FUNCTION "keyward_notify_ca_changed"();
