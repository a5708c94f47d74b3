package io.edgeway.dataplane;

import static io.edgeway.dataplane.CacheTarget.ok;
import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.proto.v1.RouteCache;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hits written as pre-encoded bytes keep HTTP/1.1 framing exact: pipelined GET, HEAD and GET hits on one
 * connection come back as three answers, in order, the HEAD one without a body, and nothing after the last.
 */
class CacheHitBytesTest {
    @TempDir
    Path data;

    /** One answer parsed off the connection: its head lines (lower-case) and body. */
    record Parsed(String statusLine, List<String> fields, String body) {
        String field(String name) {
            return fields.stream().filter(f -> f.startsWith(name + ":")).map(f -> f.substring(name.length() + 1).trim())
                    .findFirst().orElse(null);
        }
    }

    @Test
    void pipelinedGetHeadGetHitsAreFramedExactly() throws Exception {
        String body = "0123456789abcdef".repeat(1024); // 16 KiB: sent as the stored buffer, not copied into the head
        try (CacheTarget target = new CacheTarget();
                CachingProxy proxy = CachingProxy.start(data, target.port(), RouteCache.newBuilder().setEnabled(true))) {
            target.on("/doc", (r, n) -> ok(body, "Cache-Control: max-age=600", "X-Origin: kept"));
            assertThat(proxy.get("/doc").cacheStatus()).isEqualTo("edgeway; fwd=uri-miss; stored");

            String host = "Host: " + CachingProxy.HOST + "\r\n";
            String requests = "GET /doc HTTP/1.1\r\n" + host + "\r\n" + "HEAD /doc HTTP/1.1\r\n" + host + "\r\n"
                    + "GET /doc HTTP/1.1\r\n" + host + "Connection: close\r\n\r\n";
            byte[] all;
            try (Socket s = new Socket("127.0.0.1", proxy.port())) {
                s.setSoTimeout(15_000);
                s.getOutputStream().write(requests.getBytes(StandardCharsets.US_ASCII));
                InputStream in = s.getInputStream();
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                in.transferTo(out); // until the proxy closes, after the third answer
                all = out.toByteArray();
            }
            String text = new String(all, StandardCharsets.ISO_8859_1);
            List<Parsed> answers = new ArrayList<>();
            int at = 0;
            for (boolean head : new boolean[] {false, true, false}) {
                int end = text.indexOf("\r\n\r\n", at);
                assertThat(end).as("answer %d has a complete head", answers.size() + 1).isPositive();
                String[] lines = text.substring(at, end).split("\r\n");
                List<String> fields = new ArrayList<>();
                for (int i = 1; i < lines.length; i++) {
                    fields.add(lines[i].toLowerCase(Locale.ROOT));
                }
                Parsed p = new Parsed(lines[0], fields, "");
                int length = Integer.parseInt(p.field("content-length"));
                int bodyStart = end + 4;
                int bodyEnd = head ? bodyStart : bodyStart + length;
                answers.add(new Parsed(lines[0], fields, text.substring(bodyStart, Math.min(bodyEnd, text.length()))));
                at = bodyEnd;
            }
            assertThat(at).as("nothing after the third answer").isEqualTo(text.length());
            for (Parsed a : answers) {
                assertThat(a.statusLine()).isEqualTo("HTTP/1.1 200 OK");
                assertThat(a.field("cache-status")).isEqualTo("edgeway; hit");
                assertThat(a.field("x-origin")).isEqualTo("kept");
                assertThat(a.field("content-length")).isEqualTo(String.valueOf(body.length()));
                assertThat(a.fields().stream().filter(f -> f.startsWith("content-length:"))).hasSize(1);
                assertThat(a.field("age")).matches("[0-9]+");
            }
            assertThat(answers.get(0).body()).isEqualTo(body);
            assertThat(answers.get(1).body()).isEmpty();
            assertThat(answers.get(2).body()).isEqualTo(body);
            assertThat(answers.get(2).field("connection")).isEqualTo("close");
            assertThat(target.count("/doc")).isEqualTo(1);
        }
    }
}
