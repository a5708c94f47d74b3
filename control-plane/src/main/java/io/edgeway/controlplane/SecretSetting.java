package io.edgeway.controlplane;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A secret setting given inline ({@code NAME}) or as a file ({@code NAME_FILE}), the way systemd credentials
 * ({@code LoadCredential=}, {@code $CREDENTIALS_DIRECTORY}) and container secrets hand them over: a value in a
 * file stays out of {@code /proc/PID/environ}, unit files and user data. One trailing newline (what
 * {@code echo} and most secret stores add) is dropped; anything else in the file is the value.
 */
final class SecretSetting {
    /** Anything larger is not a password or a token: a wrong path (a log, a device) should not be read whole. */
    static final int MAX_BYTES = 64 * 1024;

    private SecretSetting() {}

    /** The value of {@code name} or of the file {@code name_FILE} names; null when neither is set; both is an error. */
    static String read(Map<String, String> env, String name) {
        String inline = blankToNull(env.get(name));
        String file = blankToNull(env.get(name + "_FILE"));
        if (inline != null && file != null) {
            // never echo either value: the inline one is a secret
            throw new IllegalArgumentException(name + " and " + name + "_FILE: set one, not both");
        }
        if (file == null) {
            return inline;
        }
        Path path = Path.of(file);
        try {
            if (Files.size(path) > MAX_BYTES) {
                throw new IllegalArgumentException(name + "_FILE: " + file + " is larger than " + MAX_BYTES + " bytes");
            }
            String value = Files.readString(path, StandardCharsets.UTF_8);
            value = value.endsWith("\r\n") ? value.substring(0, value.length() - 2)
                    : value.endsWith("\n") ? value.substring(0, value.length() - 1) : value;
            if (value.isBlank()) {
                throw new IllegalArgumentException(name + "_FILE: " + file + " is empty");
            }
            return value;
        } catch (IOException e) {
            throw new IllegalArgumentException(name + "_FILE: " + file + ": cannot read (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
