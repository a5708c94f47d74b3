package io.edgeway.dataplane.trace;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Trace ids kept as numbers and written as hex by hand (no String.format on the loop): checked against the plain
 * formatters of the JDK (String.format, HexFormat) for any value, and the W3C shape of what the proxy sends.
 */
class TraceIdsTest {
    private static final Pattern W3C = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})");

    static TraceIds ids(long high, long low, long span, int flags) {
        TraceIds ids = new TraceIds();
        ids.traceHigh = high;
        ids.traceLow = low;
        ids.spanId = span;
        ids.flags = flags;
        return ids;
    }

    static String written(TraceIds ids, boolean traceparent, boolean requestId) {
        ByteBuf buf = Unpooled.buffer();
        try {
            buf.writeByte('x'); // not at index 0: the lines are appended to a head already begun
            ids.writeHeaders(buf, traceparent, requestId);
            return buf.toString(1, buf.readableBytes() - 1, StandardCharsets.US_ASCII);
        } finally {
            buf.release();
        }
    }

    @Property(tries = 1000)
    void hexIsStringFormatsLowerCaseSixteenDigits(@ForAll long v) {
        assertThat(TraceIds.hex(v)).isEqualTo(String.format("%016x", v));
    }

    @Property(tries = 1000)
    void parsingHexGivesBackTheValueHexFormatReads(@ForAll long v, @ForAll @IntRange(min = 1, max = 16) int digits) {
        String text = "--" + String.format("%016x", v).substring(16 - digits) + "--";
        long expected = HexFormat.fromHexDigitsToLong(text, 2, 2 + digits);
        assertThat(TraceIds.parseHex(text, 2, digits)).isEqualTo(expected);
    }

    @Property(tries = 1000)
    void theHeaderLinesAreTheIdsInHex(@ForAll long high, @ForAll long low, @ForAll long span,
                                       @ForAll @IntRange(min = 0, max = 255) int flags) {
        TraceIds ids = ids(high, low, span, flags);
        String traceparent = String.format("00-%016x%016x-%016x-%02x", high, low, span, flags);
        String requestId = String.format("%016x%016x", high, low);
        assertThat(written(ids, true, false)).isEqualTo("traceparent: " + traceparent + "\r\n");
        assertThat(written(ids, false, true)).isEqualTo("x-request-id: " + requestId + "\r\n");
        assertThat(written(ids, true, true))
                .isEqualTo("traceparent: " + traceparent + "\r\nx-request-id: " + requestId + "\r\n");
        assertThat(ids.traceparent().toString()).isEqualTo(traceparent);
        assertThat(ids.traceId().toString()).isEqualTo(requestId);
    }

    /** A client's valid traceparent is read into the numbers it spells, and sent on with only the span id new. */
    @Property(tries = 1000)
    void aClientsTraceparentIsReadBackExactly(@ForAll long high, @ForAll long low, @ForAll long parent,
                                              @ForAll @IntRange(min = 0, max = 255) int flags) {
        String sent = String.format("00-%016x%016x-%016x-%02x", high, low, parent, flags);
        HttpHeaders h = new DefaultHttpHeaders().add(TraceContext.TRACEPARENT, sent);
        TraceIds ids = new TraceIds();
        TraceContext.toTarget(h, 0, ids);
        if (!TraceContext.valid(sent)) { // an all-zero id: a new trace instead
            assertThat(ids.traceHigh() == high && ids.traceLow() == low && ids.parentSpanId() == parent).isFalse();
            return;
        }
        assertThat(new long[] {ids.traceHigh(), ids.traceLow(), ids.parentSpanId()}).containsExactly(high, low, parent);
        assertThat(ids.flags()).isEqualTo(flags);
        assertThat(ids.spanId()).isNotZero();
        assertThat(h.contains(TraceContext.TRACEPARENT)).as("the client's is not forwarded as it came").isFalse();
    }

    @Test
    void aStartedTraceIsValidW3cAndNewEachTime() {
        TraceIds ids = new TraceIds();
        String previous = null;
        for (int i = 0; i < 10_000; i++) {
            HttpHeaders h = new DefaultHttpHeaders().add(TraceContext.TRACESTATE, "vendor=1");
            TraceContext.toTarget(h, 0, ids);
            String line = written(ids, true, false);
            Matcher m = W3C.matcher(line.substring("traceparent: ".length(), line.length() - 2));
            assertThat(m.matches()).as(line).isTrue();
            assertThat(m.group(1)).isNotEqualTo("0".repeat(32)).isNotEqualTo(previous);
            assertThat(m.group(2)).isNotEqualTo("0".repeat(16));
            assertThat(m.group(3)).as("unsampled: span export is off").isEqualTo("00");
            assertThat(ids.parentSpanId()).isZero();
            assertThat(h.contains(TraceContext.TRACESTATE)).as("no tracestate without its traceparent").isFalse();
            previous = m.group(1);
        }
    }

    @Test
    void aRequestIdIsKeptOnlyWhenThereIsOneValidOne() {
        assertThat(TraceContext.keptRequestId(new DefaultHttpHeaders())).isNull();
        HttpHeaders kept = new DefaultHttpHeaders().add(TraceContext.REQUEST_ID, "order-7f3a:retry=2");
        assertThat(TraceContext.keptRequestId(kept)).hasToString("order-7f3a:retry=2");
        assertThat(kept.get(TraceContext.REQUEST_ID)).isEqualTo("order-7f3a:retry=2");
        for (HttpHeaders bad : new HttpHeaders[] {
                new DefaultHttpHeaders().add(TraceContext.REQUEST_ID, "has space"),
                new DefaultHttpHeaders().add(TraceContext.REQUEST_ID, "a").add(TraceContext.REQUEST_ID, "b")}) {
            assertThat(TraceContext.keptRequestId(bad)).isNull();
            assertThat(bad.contains(TraceContext.REQUEST_ID)).as("removed: the trace id goes instead").isFalse();
        }
    }
}
