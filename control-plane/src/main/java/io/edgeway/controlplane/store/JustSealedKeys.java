package io.edgeway.controlplane.store;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Certificate keys this process sealed lately, by their sealed bytes, so the next snapshot build takes each
 * plaintext from here instead of opening its seal again (issue 14: a config of 10,000 new certificates had the
 * build decrypt 10,000 keys the API had in hand a moment before, in code still cold in a fresh control plane).
 *
 * <p>Never stale: sealed bytes hold a fresh random nonce, so equal sealed bytes were made by one seal of one
 * plaintext under this process's master key; a replaced, re-sealed or rolled-back key has other bytes and is
 * simply opened. Short-lived: an entry is dropped when a build takes it, or by the second {@link #sweep()} after it was
 * added (a write that failed, a key the build never reads), so the plaintext stays in memory no longer than the
 * snapshot's own copy. Holds copies: callers wipe their arrays. Never printed (no toString of its contents).
 */
final class JustSealedKeys {
    private Map<Sealed, byte[]> young = new HashMap<>();
    private Map<Sealed, byte[]> old = new HashMap<>();

    /** Content equality of sealed bytes, as a map key. */
    private record Sealed(byte[] bytes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Sealed s && Arrays.equals(bytes, s.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "Sealed[" + bytes.length + " bytes]";
        }
    }

    synchronized void remember(byte[] sealed, byte[] plaintext) {
        young.put(new Sealed(sealed.clone()), plaintext.clone());
    }

    /** The plaintext sealed as {@code sealed}, forgotten here as it is handed out; null when not remembered. */
    synchronized byte[] take(byte[] sealed) {
        if (young.isEmpty() && old.isEmpty()) {
            return null; // the common build: nothing written since, no key to hash
        }
        Sealed key = new Sealed(sealed);
        byte[] plaintext = young.remove(key);
        return plaintext != null ? plaintext : old.remove(key);
    }

    /**
     * Ages the entries: those left from before the previous sweep are dropped, wiped. Two generations, not one,
     * so a key sealed while an older revision's build runs survives that build's sweep until its own build.
     */
    synchronized void sweep() {
        old.values().forEach(p -> Arrays.fill(p, (byte) 0));
        old = young;
        young = new HashMap<>();
    }

    synchronized int size() {
        return young.size() + old.size();
    }
}
