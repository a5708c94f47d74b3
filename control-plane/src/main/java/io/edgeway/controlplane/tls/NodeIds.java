package io.edgeway.controlplane.tls;

import java.util.regex.Pattern;

/** What a node id may be: it goes into a certificate's URI and the admin API's paths, so no escaping is ever needed. */
final class NodeIds {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private NodeIds() {}

    static boolean valid(String id) {
        return id != null && ID.matcher(id).matches();
    }
}
