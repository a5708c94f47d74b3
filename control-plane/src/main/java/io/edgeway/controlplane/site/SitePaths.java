package io.edgeway.controlplane.site;

import java.nio.charset.StandardCharsets;

/**
 * The one rule for a file's path in a deployment, checked where a manifest arrives: relative, "/"-separated,
 * no empty, "." or ".." segment, no backslash, no control character, no "%" (a proxy decodes the request
 * path once; a stored "%2e%2e" would be a second, ambiguous spelling), at most 1024 bytes of UTF-8. A path
 * that passes can be joined under a site's directory on any proxy without leaving it.
 */
public final class SitePaths {
    public static final int MAX_BYTES = 1024;

    private SitePaths() {}

    /** Why {@code path} is no file path of a site, or null when it is one. */
    public static String problem(String path) {
        if (path == null || path.isEmpty()) {
            return "empty (expected: a relative path like assets/app.js)";
        }
        if (path.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            return "longer than " + MAX_BYTES + " bytes";
        }
        if (path.startsWith("/")) {
            return "absolute (expected: relative to the site's root, no leading /)";
        }
        for (int i = 0; i < path.length(); i++) {
            char ch = path.charAt(i);
            if (ch < 0x20 || ch == 0x7f || (ch >= 0x80 && ch < 0xa0)) {
                return "control character at " + i;
            }
            if (ch == '\\') {
                return "backslash at " + i + " (expected: / between segments)";
            }
            if (ch == '%') {
                return "% at " + i + " (expected: the decoded path, no percent-encoding)";
            }
            if (Character.isHighSurrogate(ch) && i + 1 < path.length() && Character.isLowSurrogate(path.charAt(i + 1))) {
                i++; // a well-formed pair: one character outside the BMP
            } else if (Character.isSurrogate(ch)) {
                return "unpaired surrogate at " + i;
            }
        }
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty()) {
                return "empty segment (expected: no //, no trailing /)";
            }
            if (segment.equals(".") || segment.equals("..")) {
                return "segment " + segment + " (expected: no . or .. segments)";
            }
        }
        return null;
    }
}
