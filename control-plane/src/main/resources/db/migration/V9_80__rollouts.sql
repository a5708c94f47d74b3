-- Canary rollouts of config (issue 22). A row is written in the same transaction as the revision it stages,
-- so every replica that builds that revision already sees the rollout and holds the other nodes back.
CREATE TABLE rollouts (
    id                 bigserial PRIMARY KEY,
    revision           bigint           NOT NULL,
    previous_revision  bigint           NOT NULL,
    state              text             NOT NULL CHECK (state IN ('canary', 'paused', 'promoted', 'rolled_back', 'aborted')),
    selector           text             NOT NULL,
    bake_ms            bigint           NOT NULL CHECK (bake_ms > 0),
    max_error_ratio    double precision NOT NULL CHECK (max_error_ratio >= 0 AND max_error_ratio <= 1),
    min_requests       bigint           NOT NULL CHECK (min_requests >= 1),
    started            timestamptz      NOT NULL DEFAULT now(),
    bake_until         timestamptz,
    reason             text,
    restored_revision  bigint,
    ended              timestamptz,
    actor              text             NOT NULL
);

-- At most one open rollout, enforced by the database rather than by a check that two replicas could race.
CREATE UNIQUE INDEX rollouts_one_open ON rollouts ((true)) WHERE state IN ('canary', 'paused');
