package io.edgeway.dataplane.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.LoggerContextVO;
import com.google.protobuf.DebugFormat;
import com.google.protobuf.MessageOrBuilder;
import java.util.List;
import java.util.Map;
import org.slf4j.Marker;
import org.slf4j.event.KeyValuePair;
import org.slf4j.helpers.MessageFormatter;

/**
 * Logback's JSON encoder, except that a protobuf message passed as a log argument ({@code log.info("{}",
 * snapshot)}) is rendered by {@link DebugFormat}, which prints fields marked {@code [debug_redact = true]}
 * (certificate private keys, session ticket keys) as {@code [REDACTED]}. protobuf-java's own {@code toString()}
 * is final and ignores that option (protocolbuffers/protobuf#13576), so without this a Snapshot logged whole
 * would put every private key in the log. Used by both sides' logback.xml.
 */
public final class RedactingJsonEncoder extends JsonEncoder {
    @Override
    public byte[] encode(ILoggingEvent event) {
        return super.encode(hasMessageArgument(event.getArgumentArray()) ? new Redacted(event) : event);
    }

    /** {@code arguments} with every protobuf message or builder replaced by its redacted text. */
    public static Object[] redact(Object[] arguments) {
        Object[] out = arguments.clone();
        for (int i = 0; i < out.length; i++) {
            if (out[i] instanceof MessageOrBuilder m) {
                out[i] = DebugFormat.singleLine().toString(m);
            }
        }
        return out;
    }

    private static boolean hasMessageArgument(Object[] arguments) {
        if (arguments != null) {
            for (Object a : arguments) {
                if (a instanceof MessageOrBuilder) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The event as it was, but for its arguments and the message formatted from them. */
    private static final class Redacted implements ILoggingEvent {
        private final ILoggingEvent e;
        private final Object[] arguments;
        private final String formatted;

        Redacted(ILoggingEvent e) {
            this.e = e;
            this.arguments = redact(e.getArgumentArray());
            this.formatted = MessageFormatter.basicArrayFormat(e.getMessage(), arguments);
        }

        @Override public String getThreadName() { return e.getThreadName(); }
        @Override public Level getLevel() { return e.getLevel(); }
        @Override public String getMessage() { return e.getMessage(); }
        @Override public Object[] getArgumentArray() { return arguments.clone(); }
        @Override public String getFormattedMessage() { return formatted; }
        @Override public String getLoggerName() { return e.getLoggerName(); }
        @Override public LoggerContextVO getLoggerContextVO() { return e.getLoggerContextVO(); }
        @Override public IThrowableProxy getThrowableProxy() { return e.getThrowableProxy(); }
        @Override public StackTraceElement[] getCallerData() { return e.getCallerData(); }
        @Override public boolean hasCallerData() { return e.hasCallerData(); }
        @Override public List<Marker> getMarkerList() { return e.getMarkerList(); }
        @Override public Map<String, String> getMDCPropertyMap() { return e.getMDCPropertyMap(); }
        @SuppressWarnings("deprecation")
        @Override public Map<String, String> getMdc() { return e.getMdc(); }
        @Override public long getTimeStamp() { return e.getTimeStamp(); }
        @Override public int getNanoseconds() { return e.getNanoseconds(); }
        @Override public long getSequenceNumber() { return e.getSequenceNumber(); }
        @Override public List<KeyValuePair> getKeyValuePairs() { return e.getKeyValuePairs(); }
        @Override public void prepareForDeferredProcessing() { e.prepareForDeferredProcessing(); }
    }
}
