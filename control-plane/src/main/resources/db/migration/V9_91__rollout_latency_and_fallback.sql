-- Canary rollouts, continued (issue 22).
-- max_p99_ratio: a route whose p99 on the canary nodes exceeds this many times the other nodes' p99 (or the
-- canaries' own before the rollout) rolls the rollout back. 2.0 for rollouts made before this column.
ALTER TABLE rollouts ADD COLUMN max_p99_ratio double precision NOT NULL DEFAULT 2.0
    CHECK (max_p99_ratio >= 1 AND max_p99_ratio <= 1000);
-- fallback_node: with an N% selector whose hash picks none of the connected nodes, the one node chosen at the
-- rollout's start instead, so a percentage always means at least one node; stored so every replica and every
-- reconnect agree on it.
ALTER TABLE rollouts ADD COLUMN fallback_node text;
