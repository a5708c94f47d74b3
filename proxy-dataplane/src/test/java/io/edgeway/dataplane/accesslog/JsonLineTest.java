package io.edgeway.dataplane.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeway.dataplane.balancing.Endpoint;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** The JSON line writer: whatever a client put in a field, the line is one line of JSON giving it back exactly. */
class JsonLineTest {
    static final ObjectMapper json = new ObjectMapper();

    static AccessRecord record(String path, String host) {
        AccessRecord r = new AccessRecord();
        r.timeMillis = 1_765_000_000_007L;
        r.uri = path;
        r.host = host;
        r.method = "GET";
        r.status = 0;
        r.totalNanos = 1_234_567_891L;
        r.connectNanos = -1;
        r.firstByteNanos = 999;
        r.traced = true; // 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
        r.traceHigh = 0x4bf92f3577b34da6L;
        r.traceLow = 0xa3ce929d0e0e4736L;
        r.spanId = 0x00f067aa0ba902b7L;
        r.traceFlags = 1;
        r.configVersion = -3;
        return r;
    }

    /** The record formatted: checked to be one line of printable ASCII, then parsed as JSON. */
    static JsonNode oneAsciiLine(AccessRecord r) throws Exception {
        JsonLine line = new JsonLine();
        line.format(r);
        String text = new String(line.buf, 0, line.len, StandardCharsets.US_ASCII);
        assertThat(text.indexOf('\n')).isEqualTo(text.length() - 1);
        for (int i = 0; i < line.len; i++) {
            assertThat(line.buf[i]).isBetween((byte) 0x0a, (byte) 0x7e);
        }
        return json.readTree(text);
    }

    @Property(tries = 300)
    void anyTextComesBackExactlyOnOneAsciiLine(@ForAll String path, @ForAll String host) throws Exception {
        JsonLine line = new JsonLine();
        line.format(record(path, host));
        String text = new String(line.buf, 0, line.len, StandardCharsets.US_ASCII);
        assertThat(text.indexOf('\n')).isEqualTo(text.length() - 1);
        for (int i = 0; i < line.len; i++) {
            assertThat(line.buf[i]).isBetween((byte) 0x0a, (byte) 0x7e);
        }
        JsonNode n = json.readTree(text);
        assertThat(n.get("path").asText()).isEqualTo(path);
        assertThat(n.get("host").asText()).isEqualTo(host);
    }

    @Test
    void numbersTimesAndTheAbsentAsJsonSays() throws Exception {
        JsonLine line = new JsonLine();
        line.format(record("/", "h"));
        JsonNode n = json.readTree(new String(line.buf, 0, line.len, StandardCharsets.US_ASCII));
        assertThat(Instant.parse(n.get("time").asText())).isEqualTo(Instant.ofEpochMilli(1_765_000_000_007L));
        assertThat(n.get("status").asInt()).as("no answer sent: nginx's 499").isEqualTo(499);
        assertThat(n.get("duration_s").decimalValue()).isEqualByComparingTo("1.234567");
        assertThat(n.get("upstream_connect_s").isNull()).isTrue();
        assertThat(n.get("upstream_first_byte_s").decimalValue()).isEqualByComparingTo("0.000000");
        assertThat(n.get("trace_id").asText()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(n.get("config_version").asLong()).isEqualTo(-3);
        assertThat(n.get("route").isNull()).isTrue();
    }

    /**
     * Durations are seconds with exactly six fraction digits, the microseconds truncated: the digits come out in
     * their order, with their leading zeros, for any duration (the fraction is written from the right).
     */
    @Property(tries = 300)
    void aDurationIsItsMicrosecondsAsSecondsWithSixDigits(@ForAll @LongRange(min = 0, max = 100_000_000_000_000L) long nanos)
            throws Exception {
        AccessRecord r = record("/", "h");
        r.totalNanos = nanos;
        JsonLine line = new JsonLine();
        line.format(r);
        String text = new String(line.buf, 0, line.len, StandardCharsets.US_ASCII);
        String expected = BigDecimal.valueOf(nanos / 1_000, 6).toPlainString();
        assertThat(text).contains("\"duration_s\":" + expected + ",");
    }

    /** A target is written from the Endpoint's host and port (no String made for it), as "host:port" in one field. */
    @Test
    void anEndpointTargetIsHostColonPortAndTheLineGoesOn() throws Exception {
        AccessRecord r = record("/", "h");
        r.target = Endpoint.of("127.0.0.1", 8443, 1);
        r.attempts = 2;
        JsonLine line = new JsonLine();
        line.format(r);
        JsonNode n = json.readTree(new String(line.buf, 0, line.len, StandardCharsets.US_ASCII));
        assertThat(n.get("target").asText()).isEqualTo("127.0.0.1:8443");
        assertThat(n.get("attempts").asInt()).isEqualTo(2);
        r.target = null;
        line.format(r);
        assertThat(json.readTree(new String(line.buf, 0, line.len, StandardCharsets.US_ASCII)).get("target").isNull())
                .isTrue();
    }

    /** A line longer than the buffer grows it (a long path) and stays whole. */
    @Test
    void aLongLineGrowsTheBuffer() throws Exception {
        String path = "/" + "\u00e9".repeat(3000);
        JsonLine line = new JsonLine();
        line.format(record(path, "h"));
        assertThat(json.readTree(new String(line.buf, 0, line.len, StandardCharsets.US_ASCII)).get("path").asText())
                .isEqualTo(path);
    }

    /**
     * A request id made from the trace id is the trace id's 32 hex digits, formatted by the writer from the two
     * longs the loop copied: for any ids, leading zeros and the sign bit included, against String.format.
     */
    @Property(tries = 500)
    void aRequestIdMadeFromTheTraceIsTheTraceIdInHex(@ForAll long high, @ForAll long low) throws Exception {
        AccessRecord r = record("/", "h");
        r.traceHigh = high;
        r.traceLow = low;
        r.requestIdFromTrace = true;
        JsonNode n = oneAsciiLine(r);
        String expected = String.format("%016x%016x", high, low);
        assertThat(n.get("request_id").asText()).isEqualTo(expected);
        assertThat(n.get("trace_id").asText()).isEqualTo(expected);
    }

    @Test
    void anUntracedRequestHasNoTraceId() throws Exception {
        AccessRecord r = record("/", "h");
        r.traced = false;
        r.requestId = "order-7";
        JsonNode n = oneAsciiLine(r);
        assertThat(n.get("trace_id").isNull()).isTrue();
        assertThat(n.get("request_id").asText()).isEqualTo("order-7");
    }

    /**
     * A request id or gRPC status held as Netty's AsciiString (a slice of a larger array, as the header parser hands
     * one) or as another CharSequence takes its own copy loop: any bytes, quotes, backslashes, controls and
     * 0x80-0xff included, come back exactly (each byte is the character 0-255, as Netty decodes headers).
     */
    @Property(tries = 300)
    void anAsciiStringOrOtherCharSequenceComesBackExactly(@ForAll byte[] bytes) throws Exception {
        byte[] padded = new byte[bytes.length + 4];
        System.arraycopy(bytes, 0, padded, 2, bytes.length);
        io.netty.util.AsciiString value = new io.netty.util.AsciiString(padded, 2, bytes.length, false);
        String expected = value.toString();
        for (CharSequence id : new CharSequence[] {value, new StringBuilder(expected)}) {
            AccessRecord r = record("/", "h");
            r.requestId = id;
            r.grpcStatus = id;
            JsonNode n = oneAsciiLine(r);
            assertThat(n.get("request_id").asText()).as(id.getClass().getSimpleName()).isEqualTo(expected);
            assertThat(n.get("grpc_status").asText()).isEqualTo(expected);
        }
    }

    /** Whole numbers come back exactly for any long, the extremes and their neighbours included (jqwik tries the edges). */
    @Property(tries = 300)
    void aNumberIsItsDecimalDigits(@ForAll long v) throws Exception {
        AccessRecord r = record("/", "h");
        r.configVersion = v;
        r.bytesOut = v;
        JsonNode n = oneAsciiLine(r);
        assertThat(n.get("config_version").asLong()).isEqualTo(v);
        assertThat(n.get("bytes_out").asText()).isEqualTo(Long.toString(v));
    }
}
