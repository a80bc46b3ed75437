-- Shulian city hub, schema version 5.3: less work per stored event (issue 16 acceptance: the hub's
-- CPU per shipped event on the gateways' cores). Runs unchanged on H2 and PostgreSQL.
--
-- hub_events loses its secondary index on event_time: every stored event was two B-tree inserts (the
-- key and the index) and two undo-log entries. The console's queries by event time find the events
-- through the batches instead: each hub_event_batches row now carries the earliest and latest
-- event_time of the events it stored (first_time, last_time; the same clamped values as the events'
-- column), indexed by last_time, so "events since T" reads the key ranges of the batches whose
-- last_time is at or after T and keeps the events of those ranges whose own event_time is.
-- Existing batches get their times from their stored events (a batch whose events retention already
-- deleted gets its receive time: it holds none to find).

ALTER TABLE hub_event_batches ADD COLUMN first_time TIMESTAMP WITH TIME ZONE;
ALTER TABLE hub_event_batches ADD COLUMN last_time TIMESTAMP WITH TIME ZONE;
UPDATE hub_event_batches SET
  first_time = COALESCE((SELECT MIN(e.event_time) FROM hub_events e
      WHERE e.event_key >= hub_event_batches.log_no * 1099511627776 + hub_event_batches.first_seq
        AND e.event_key < hub_event_batches.log_no * 1099511627776 + hub_event_batches.end_seq), received_at),
  last_time = COALESCE((SELECT MAX(e.event_time) FROM hub_events e
      WHERE e.event_key >= hub_event_batches.log_no * 1099511627776 + hub_event_batches.first_seq
        AND e.event_key < hub_event_batches.log_no * 1099511627776 + hub_event_batches.end_seq), received_at);
ALTER TABLE hub_event_batches ALTER COLUMN first_time SET NOT NULL;
ALTER TABLE hub_event_batches ALTER COLUMN last_time SET NOT NULL;
CREATE INDEX ix_hub_event_batches_last_time ON hub_event_batches (last_time);
DROP INDEX ix_hub_events_time;
