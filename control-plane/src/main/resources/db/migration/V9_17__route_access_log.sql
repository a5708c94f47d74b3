-- A route's access log policy (issue 16): off, or the share of its requests the proxies log.
ALTER TABLE routes ADD COLUMN access_log_enabled boolean          NOT NULL DEFAULT true;
ALTER TABLE routes ADD COLUMN access_log_sample  double precision NOT NULL DEFAULT 1;
