package io.edgeway.dataplane;

import static io.edgeway.dataplane.CacheTarget.ok;
import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.proto.v1.RouteCache;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cache hits are sent from one shared direct buffer: an entry evicted while a slow client is still being sent
 * it must stay intact until that write is done (its memory must not be freed or reused under the write).
 */
class CacheHitBufferTest {
    @TempDir
    Path dir;

    /** Text whose every position says where it is, so a hole or a reused region cannot look right. */
    private static String pattern(int size) {
        StringBuilder b = new StringBuilder(size);
        for (int i = 0; b.length() < size; i++) {
            b.append(String.format("%08x|", i));
        }
        return b.substring(0, size);
    }

    @Test
    void anEntryEvictedWhileASlowClientIsSentItArrivesWhole() throws Exception {
        // 12 MiB: more than the kernel's socket buffers can hold (tcp_wmem's 4 MiB maximum), so most of it is
        // still in the proxy's hands when the entry goes
        String body = pattern(12 << 20);
        RouteCache.Builder policy = RouteCache.newBuilder().setEnabled(true).setMaxObjectBytes(16 << 20);
        try (CacheTarget target = new CacheTarget(); CachingProxy proxy = CachingProxy.start(dir, target.port(), policy)) {
            target.on("/big", (r, n) -> ok(body, "Cache-Control: max-age=600"));
            target.on("/other", (r, n) -> ok(pattern(1 << 20), "Cache-Control: max-age=600"));
            assertThat(proxy.get("/big").cacheStatus()).isEqualTo("edgeway; fwd=uri-miss; stored");

            try (Socket slow = new Socket()) {
                slow.setReceiveBufferSize(4096); // before connect: the window stays small, the proxy's write waits
                slow.connect(new InetSocketAddress("127.0.0.1", proxy.port()));
                slow.setSoTimeout(15_000);
                slow.getOutputStream().write(("GET /big HTTP/1.1\r\nHost: " + CachingProxy.HOST
                        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                InputStream in = slow.getInputStream();
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                got.write(in.readNBytes(1024)); // the hit's write has begun and is far from done

                proxy.dp.responseCache().clear(); // the entry is evicted under the write...
                for (int i = 0; i < 3; i++) { // ...and other bodies are stored and collected meanwhile
                    proxy.get("/other?" + i);
                    System.gc();
                }
                in.transferTo(got);
                String answer = got.toString(StandardCharsets.US_ASCII);
                int end = answer.indexOf("\r\n\r\n");
                assertThat(answer.substring(0, end)).contains("cache-status: edgeway; hit");
                assertThat(answer.substring(end + 4)).isEqualTo(body);
            }
            assertThat(target.count("/big")).isEqualTo(1);
        }
    }
}
