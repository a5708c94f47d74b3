-- A route's HTTPS policy (issue 14): redirect plain HTTP to https://, and the HSTS header sent over TLS.
ALTER TABLE routes ADD COLUMN https_redirect          boolean NOT NULL DEFAULT false;
ALTER TABLE routes ADD COLUMN hsts_max_age_s          bigint  NOT NULL DEFAULT 0;
ALTER TABLE routes ADD COLUMN hsts_include_subdomains boolean NOT NULL DEFAULT false;
