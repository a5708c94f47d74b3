-- issue 17: a route's response cache policy, the admin API's "cache" object; NULL: the route does not cache.
ALTER TABLE routes ADD COLUMN cache jsonb;
