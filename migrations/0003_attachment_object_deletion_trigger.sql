-- Whenever an attachment row goes away (directly, or by cascade from its note or its owner) its R2 object
-- is queued for deletion in the same transaction, so no code path can forget the bytes. When the bytes are
-- replaced, the old object is queued with a delay, so downloads that began before the swap can finish.
CREATE FUNCTION enqueue_attachment_object_deletion() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO r2_outbox (object_key, reason, not_before) VALUES (OLD.object_key, 'delete', now())
    ON CONFLICT (object_key) DO UPDATE SET reason = 'delete', not_before = now();
  ELSIF NEW.object_key IS DISTINCT FROM OLD.object_key THEN
    INSERT INTO r2_outbox (object_key, reason, not_before) VALUES (OLD.object_key, 'delete', now() + interval '5 minutes')
    ON CONFLICT (object_key) DO UPDATE SET reason = 'delete';
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER attachments_enqueue_object_deletion
AFTER DELETE OR UPDATE OF object_key ON attachments
FOR EACH ROW EXECUTE FUNCTION enqueue_attachment_object_deletion();
