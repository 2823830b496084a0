-- A note's upvotes and downvotes follow every change to its votes in the same transaction, whatever made
-- it: a vote set, changed or taken back, or deleted by cascade with its voter's account. Each change
-- updates the note's row, which serialises concurrent votes on one note, so the totals stay exact. A
-- note deleted in the same statement has no row left to update, which is what it should be.
CREATE FUNCTION count_note_votes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  up integer := 0;
  down integer := 0;
  note uuid;
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    up := up + (NEW.value = 1)::int;
    down := down + (NEW.value = -1)::int;
    note := NEW.note_id;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    up := up - (OLD.value = 1)::int;
    down := down - (OLD.value = -1)::int;
    note := OLD.note_id;
  END IF;
  IF up <> 0 OR down <> 0 THEN
    UPDATE notes SET upvotes = upvotes + up, downvotes = downvotes + down WHERE id = note;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER votes_count
AFTER INSERT OR UPDATE OF value OR DELETE ON votes
FOR EACH ROW EXECUTE FUNCTION count_note_votes();
