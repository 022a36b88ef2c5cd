-- One outbox row per changed search document, written in the changing transaction, for the
-- worker that keeps Meilisearch in step.
CREATE OR REPLACE FUNCTION search_outbox_queue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO search_outbox (service_id) SELECT service_id FROM old_documents;
  ELSE
    INSERT INTO search_outbox (service_id) SELECT service_id FROM new_documents;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER search_outbox_insert AFTER INSERT ON service_search
  REFERENCING NEW TABLE AS new_documents
  FOR EACH STATEMENT EXECUTE FUNCTION search_outbox_queue();
CREATE TRIGGER search_outbox_update AFTER UPDATE ON service_search
  REFERENCING NEW TABLE AS new_documents
  FOR EACH STATEMENT EXECUTE FUNCTION search_outbox_queue();
CREATE TRIGGER search_outbox_delete AFTER DELETE ON service_search
  REFERENCING OLD TABLE AS old_documents
  FOR EACH STATEMENT EXECUTE FUNCTION search_outbox_queue();
