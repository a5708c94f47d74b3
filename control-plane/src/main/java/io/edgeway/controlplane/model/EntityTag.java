package io.edgeway.controlplane.model;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * The two meanings an entity's ETag has, kept apart. A GET's ETag validates the representation, which for a
 * managed certificate includes where the ACME client stands (status, last error, next attempt): not config,
 * written without a revision. A write's If-Match means "the config version I edited", so a status change by
 * the ACME worker must not turn an admin's write into a 412.
 *
 * <p>Such an ETag is the config ETag's revision with a digest of the live fields after a dot:
 * {@code "42.1c291ca3"}. {@link #configPart} takes the digest off again for If-Match.
 */
public final class EntityTag {
    private EntityTag() {}

    /** {@code configEtag} ({@code "42"}) with a digest of {@code liveFields} appended inside the quotes. */
    public static String withLiveState(String configEtag, Object... liveFields) {
        CRC32 crc = new CRC32();
        for (Object f : liveFields) {
            crc.update(String.valueOf(f).getBytes(StandardCharsets.UTF_8));
            crc.update(0); // a separator, so ("ab", "c") and ("a", "bc") differ
        }
        return configEtag.substring(0, configEtag.length() - 1) + "." + String.format("%08x", crc.getValue()) + "\"";
    }

    /**
     * The config ETag an entity tag stands for: {@code "42"} for {@code "42.1c291ca3"}; any other value
     * (including {@code *}, a weak tag, or garbage) is returned as given, to be compared as it is.
     */
    public static String configPart(String tag) {
        int dot = tag.indexOf('.');
        if (tag.length() < 4 || tag.charAt(0) != '"' || tag.charAt(tag.length() - 1) != '"' || dot < 2) {
            return tag;
        }
        for (int i = 1; i < dot; i++) {
            if (!Character.isDigit(tag.charAt(i))) {
                return tag;
            }
        }
        return tag.substring(0, dot) + "\"";
    }
}
