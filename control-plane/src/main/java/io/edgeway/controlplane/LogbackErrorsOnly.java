package io.edgeway.controlplane;

import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.status.StatusListener;

/**
 * Logback's own status messages, errors only, on stderr; named in {@code logback.xml}. The proxy's jar is on
 * this class path too (its snapshot compiler judges every config), and with it a second {@code logback.xml}.
 * Ours comes first and is the one used, but without a listener logback answers the duplicate's warning by
 * printing its whole status report, some 25 lines, at every start. Logback's own listeners print every level.
 */
public final class LogbackErrorsOnly implements StatusListener {
    @Override
    public void addStatusEvent(Status status) {
        if (status.getLevel() >= Status.ERROR) {
            System.err.println("logback: " + status);
        }
    }
}
