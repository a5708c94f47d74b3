-- Issue 22: every snapshot build reads the routes written since the last one (WHERE revision > ?). Without an
-- index that is a scan of every route row per write; with one it reads the few rows the write touched.
CREATE INDEX IF NOT EXISTS routes_revision ON routes (revision);
