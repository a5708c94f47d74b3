package io.edgeway.controlplane.model;

import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/** Shared rules for the fields every entity has. */
final class Names {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/=-]{0,63}");

    private Names() {}

    static void checkName(ValidationException.Collector v, String name) {
        if (name == null) {
            v.check(false, "name", "name: missing (expected: a name like shop-api)");
            return;
        }
        v.check(NAME.matcher(name).matches(), "name",
                "name: " + name + " (expected: 1-128 of A-Z a-z 0-9 . _ -, starting with a letter or digit)");
        // A name that parses as a UUID would make /{id-or-name} ambiguous.
        v.check(!looksLikeUuid(name), "name", "name: " + name + " (expected: not a UUID)");
    }

    static void checkTags(ValidationException.Collector v, List<String> tags) {
        for (int i = 0; i < tags.size(); i++) {
            String t = tags.get(i);
            v.check(t != null && TAG.matcher(t).matches(), "tags[" + i + "]",
                    "tags[" + i + "]: " + t + " (expected: 1-64 of A-Z a-z 0-9 . _ : / = -)");
        }
    }

    static boolean looksLikeUuid(String s) {
        if (s.length() != 36) {
            return false;
        }
        try {
            UUID.fromString(s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
