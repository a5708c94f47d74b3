package io.edgeway.controlplane.store;

/**
 * The result of a committed write: the entity as stored (null after a delete), the revision the write
 * produced, and whether it created the entity (so PUT can answer 201 or 200).
 */
public record Written<T>(T value, long revision, boolean created) {}
