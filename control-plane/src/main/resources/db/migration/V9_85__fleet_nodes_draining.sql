-- Issue 18: fleet-scoped rate limits are divided by the number of connected proxies that are not draining,
-- counted across every control-plane replica; each replica records its nodes' draining state here.
ALTER TABLE fleet_nodes ADD COLUMN draining boolean NOT NULL DEFAULT false;
