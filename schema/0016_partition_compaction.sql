-- Sealed partitions whose indexes were rebuilt once they could no longer change. A partition's
-- (stream, route, fetched_at) index grows by inserts in the middle of its key ranges, each page
-- split leaving two half-full pages: rebuilt when the partition seals, it is a fifth to a third smaller
-- (docs/event-log.md, "Compacting sealed partitions"). `memberaudit log compact` and the workers'
-- background service do it, with REINDEX CONCURRENTLY, so appends and reads go on meanwhile.
CREATE TABLE eventlog.compacted_partitions (
    partition_name text PRIMARY KEY,
    compacted_at timestamptz NOT NULL DEFAULT now(),
    index_bytes_before bigint NOT NULL CHECK (index_bytes_before >= 0),
    index_bytes_after bigint NOT NULL CHECK (index_bytes_after >= 0)
);
