-- The change feed is written by the statements that change things, through these triggers, so no code
-- path can forget a row and every write still costs one round trip. A row goes to one scope: a note's
-- notebook (read by its members, however many) or, for a loose note, its owner; membership changes go
-- to the member. What goes with a notebook or an account that is being deleted is not reported item by
-- item: the deletion's own rows (each member's `purged` notebook) say it.
CREATE FUNCTION record_change(scope_notebook uuid, scope_user uuid, kind text, entity uuid, note uuid, action text, version integer)
RETURNS void LANGUAGE sql AS $$
  INSERT INTO changes (notebook_id, user_id, kind, entity_id, note_id, action, version)
  VALUES (scope_notebook, CASE WHEN scope_notebook IS NULL THEN scope_user END, kind, entity, note, action, version)
$$;
--> statement-breakpoint
CREATE FUNCTION feed_note_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM record_change(NEW.notebook_id, NEW.owner_id, 'note', NEW.id, NULL, 'created', NEW.version);
  ELSIF TG_OP = 'DELETE' THEN
    IF (OLD.notebook_id IS NOT NULL AND EXISTS (SELECT 1 FROM notebooks WHERE id = OLD.notebook_id))
      OR (OLD.notebook_id IS NULL AND EXISTS (SELECT 1 FROM users WHERE id = OLD.owner_id)) THEN
      PERFORM record_change(OLD.notebook_id, OLD.owner_id, 'note', OLD.id, NULL, 'purged', OLD.version);
    END IF;
  ELSIF NEW.notebook_id IS DISTINCT FROM OLD.notebook_id
    OR (NEW.notebook_id IS NULL AND NEW.owner_id <> OLD.owner_id) THEN
    -- A move: gone from where it was (its readers there may not follow it), there where it went.
    PERFORM record_change(OLD.notebook_id, OLD.owner_id, 'note', OLD.id, NULL, 'removed', NEW.version);
    PERFORM record_change(NEW.notebook_id, NEW.owner_id, 'note', NEW.id, NULL, 'added', NEW.version);
  ELSIF NEW.trashed_at IS DISTINCT FROM OLD.trashed_at THEN
    PERFORM record_change(NEW.notebook_id, NEW.owner_id, 'note', NEW.id, NULL,
      CASE WHEN NEW.trashed_at IS NULL THEN 'restored' ELSE 'trashed' END, NEW.version);
  ELSIF NEW.version <> OLD.version OR NEW.owner_id <> OLD.owner_id THEN
    -- A new owner without a new version: a deleted account's notes handed to the notebook's owner.
    -- Vote totals change the row without either: not a change a reader has to fetch.
    PERFORM record_change(NEW.notebook_id, NEW.owner_id, 'note', NEW.id, NULL, 'updated', NEW.version);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER notes_feed AFTER INSERT OR UPDATE OR DELETE ON notes
FOR EACH ROW EXECUTE FUNCTION feed_note_change();
--> statement-breakpoint
CREATE FUNCTION feed_notebook_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM record_change(NEW.id, NULL, 'notebook', NEW.id, NULL, 'created', NEW.version);
  ELSIF NEW.version <> OLD.version THEN
    PERFORM record_change(NEW.id, NULL, 'notebook', NEW.id, NULL, 'updated', NEW.version);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER notebooks_feed AFTER INSERT OR UPDATE ON notebooks
FOR EACH ROW EXECUTE FUNCTION feed_notebook_change();
--> statement-breakpoint
CREATE FUNCTION feed_membership_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM record_change(NULL, NEW.user_id, 'notebook', NEW.notebook_id, NULL, 'added', NULL);
  ELSIF TG_OP = 'UPDATE' THEN
    -- A new role changes the `role` of every note in the notebook as the member reads them: for the
    -- member, the notebook comes anew, and they list its notes again.
    IF NEW.role <> OLD.role THEN
      PERFORM record_change(NULL, NEW.user_id, 'notebook', NEW.notebook_id, NULL, 'added', NULL);
    END IF;
  ELSIF EXISTS (SELECT 1 FROM users WHERE id = OLD.user_id) THEN
    -- Removed or left: the notebook and its notes are unreadable; deleted (by cascade): gone for good.
    PERFORM record_change(NULL, OLD.user_id, 'notebook', OLD.notebook_id, NULL,
      CASE WHEN EXISTS (SELECT 1 FROM notebooks WHERE id = OLD.notebook_id) THEN 'removed' ELSE 'purged' END, NULL);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER notebook_members_feed AFTER INSERT OR UPDATE OF role OR DELETE ON notebook_members
FOR EACH ROW EXECUTE FUNCTION feed_membership_change();
--> statement-breakpoint
CREATE FUNCTION feed_attachment_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  note record;
BEGIN
  SELECT notebook_id, owner_id INTO note FROM notes WHERE id = COALESCE(NEW.note_id, OLD.note_id);
  -- Deleted with its note: the note's own row says so.
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  PERFORM record_change(note.notebook_id, note.owner_id, 'attachment', COALESCE(NEW.id, OLD.id),
    COALESCE(NEW.note_id, OLD.note_id),
    CASE TG_OP WHEN 'INSERT' THEN 'created' WHEN 'UPDATE' THEN 'updated' ELSE 'purged' END, NULL);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER attachments_feed AFTER INSERT OR UPDATE OF object_key, filename, content_type OR DELETE ON attachments
FOR EACH ROW EXECUTE FUNCTION feed_attachment_change();
