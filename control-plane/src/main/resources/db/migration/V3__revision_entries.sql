-- A declarative apply changes many entities in one revision, so a revision now has several log entries,
-- ordered by seq. Existing revisions have exactly one entry each: seq 0.
ALTER TABLE revisions DROP CONSTRAINT revisions_pkey;
ALTER TABLE revisions ADD COLUMN seq integer NOT NULL DEFAULT 0;
ALTER TABLE revisions ADD PRIMARY KEY (revision, seq);
