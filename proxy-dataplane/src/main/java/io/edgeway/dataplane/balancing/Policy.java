package io.edgeway.dataplane.balancing;

/** How an upstream spreads requests over its available targets. */
public enum Policy {
    ROUND_ROBIN,
    WEIGHTED_ROUND_ROBIN,
    LEAST_REQUEST,
    CONSISTENT_HASH
}
