package io.edgeway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.dataplane.limits.LimitSettings;
import io.edgeway.dataplane.listener.ClientLimits;
import io.edgeway.dataplane.listener.TrustedProxies;
import io.edgeway.dataplane.tls.DefaultCertificate;
import io.edgeway.dataplane.tls.TlsSettings;
import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.RouteRateLimit;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Upstream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PROXY protocol v1 and v2 on the plain and TLS listeners. 127.0.0.1 is the trusted balancer; 127.0.0.2
 * (also loopback on Linux) is an untrusted peer. Every attack ends in a closed connection with no answer.
 */
class ProxyProtocolIntegrationTest {
    private static final byte[] V2_SIG = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    private static final String GET = "GET / HTTP/1.1\r\nHost: t.test\r\nConnection: close\r\n\r\n";

    @TempDir
    static Path dataDir;
    static TestControlPlane cp;
    static TestBackend backend;
    static DataPlane dp;

    @BeforeAll
    static void start() throws Exception {
        cp = new TestControlPlane(0);
        backend = new TestBackend("t");
        ClientLimits client = ClientLimits.DEFAULTS.withTimeouts(500, 60_000, 60_000);
        dp = DataPlane.start(Settings.forTest(cp.port(), dataDir).withClient(client)
                .withTls(new TlsSettings(0, DefaultCertificate.from(Map.of("EDGEWAY_TLS_SELF_SIGNED", "true"))))
                .withLimits(LimitSettings.DEFAULTS.withProxyProtocolFrom(TrustedProxies.parse("127.0.0.1/32"))));
        cp.pushAndAwait(Snapshot.newBuilder().setVersion(1).setNonce("n1")
                .addUpstreams(Upstream.newBuilder().setName("t").addTargets(OneRouteProxy.loopback(backend.port())))
                .addRoutes(Route.newBuilder().setName("t").addHosts("t.test").setUpstream("t"))
                .addRoutes(Route.newBuilder().setName("limited").addHosts("limited.test").setUpstream("t")
                        .setRateLimit(RouteRateLimit.newBuilder().setRequests(1).setPerMs(3_600_000).setBurst(1)
                                .setBy("client_ip")))
                .build(), dp);
    }

    @AfterAll
    static void stop() throws Exception {
        OneRouteProxy.closeAll(dp, backend, cp);
    }

    @Test
    void v1FromTheTrustedBalancerBecomesTheForwardedClientAddress() throws Exception {
        String answer = send("127.0.0.1", ascii("PROXY TCP4 203.0.113.7 127.0.0.1 40000 80\r\n" + GET));
        assertThat(answer).startsWith("HTTP/1.1 200");
        assertThat(backend.lastHeaders.get("x-forwarded-for")).isEqualTo("203.0.113.7");
    }

    @Test
    void v2Tcp4AndTcp6FromTheTrustedBalancerBecomeTheForwardedClientAddress() throws Exception {
        assertThat(send("127.0.0.1", concat(v2(0x21, 0x11, addresses4("198.51.100.9", "127.0.0.1"), 0), ascii(GET))))
                .startsWith("HTTP/1.1 200");
        assertThat(backend.lastHeaders.get("x-forwarded-for")).isEqualTo("198.51.100.9");
        assertThat(send("127.0.0.1", concat(v2(0x21, 0x21, addresses6("2001:db8::5", "::1"), 0), ascii(GET))))
                .startsWith("HTTP/1.1 200");
        assertThat(backend.lastHeaders.get("x-forwarded-for")).isEqualTo("2001:db8:0:0:0:0:0:5");
    }

    @Test
    void v2TlvsAreSkipped() throws Exception {
        byte[] tlvs = {0x04, 0x00, 0x03, 'a', 'b', 'c'}; // a NOOP TLV
        assertThat(send("127.0.0.1", concat(v2(0x21, 0x11, concat(addresses4("192.0.2.44", "127.0.0.1"), tlvs), 0),
                ascii(GET)))).startsWith("HTTP/1.1 200");
        assertThat(backend.lastHeaders.get("x-forwarded-for")).isEqualTo("192.0.2.44");
    }

    @Test
    void v2LocalKeepsTheBalancersOwnAddress() throws Exception {
        assertThat(send("127.0.0.1", concat(v2(0x20, 0x00, new byte[0], 0), ascii(GET)))).startsWith("HTTP/1.1 200");
        assertThat(backend.lastHeaders.get("x-forwarded-for")).isEqualTo("127.0.0.1");
    }

    @Test
    void theHeaderAddressIsTheRateLimitKey() throws Exception {
        String limited = "GET / HTTP/1.1\r\nHost: limited.test\r\nConnection: close\r\n\r\n";
        assertThat(send("127.0.0.1", ascii("PROXY TCP4 10.1.1.1 127.0.0.1 1 80\r\n" + limited))).startsWith("HTTP/1.1 200");
        assertThat(send("127.0.0.1", ascii("PROXY TCP4 10.1.1.1 127.0.0.1 2 80\r\n" + limited))).startsWith("HTTP/1.1 429");
        assertThat(send("127.0.0.1", ascii("PROXY TCP4 10.1.1.2 127.0.0.1 3 80\r\n" + limited))).startsWith("HTTP/1.1 200");
    }

    @Test
    void aTrustedPeerWithoutAHeaderIsClosedUnanswered() throws Exception {
        assertThat(send("127.0.0.1", ascii(GET))).isEmpty();
    }

    @Test
    void aHeaderFromAnUntrustedPeerIsRefusedButItsPlainRequestsAreServed() throws Exception {
        assertThat(send("127.0.0.2", ascii("PROXY TCP4 203.0.113.7 127.0.0.1 40000 80\r\n" + GET))).isEmpty();
        assertThat(send("127.0.0.2", concat(v2(0x21, 0x11, addresses4("198.51.100.9", "127.0.0.1"), 0), ascii(GET))))
                .isEmpty();
        assertThat(send("127.0.0.2", ascii(GET))).startsWith("HTTP/1.1 200");
        assertThat(backend.lastHeaders.get("x-forwarded-for")).isEqualTo("127.0.0.2");
    }

    @Test
    void malformedHeadersCloseTheConnection() throws Exception {
        String[] bad = {
            "PROXY TCP4 999.1.1.1 127.0.0.1 1 80\r\n",          // not an IPv4 address
            "PROXY TCP4 203.0.113.7 127.0.0.1 70000 80\r\n",    // port out of range
            "PROXY TCP6 203.0.113.7 ::1 1 80\r\n",              // family and address disagree
            "PROXY TCP4 203.0.113.7 127.0.0.1 1 80\n",          // bare LF
            "PROXY TCP4 " + "1".repeat(200) + "\r\n",           // longer than v1's 107 bytes
        };
        for (String header : bad) {
            assertThat(send("127.0.0.1", ascii(header + GET))).as(header).isEmpty();
        }
    }

    @Test
    void truncatedAndOversizedHeadersCloseTheConnection() throws Exception {
        // truncated: the header stops half way and the balancer waits; the header timeout closes it
        assertThat(send("127.0.0.1", ascii("PROXY TCP4 203.0.113.7"))).isEmpty();
        byte[] v2 = v2(0x21, 0x11, addresses4("198.51.100.9", "127.0.0.1"), 0);
        assertThat(send("127.0.0.1", java.util.Arrays.copyOf(v2, 20))).isEmpty();
        // a v2 length of 65535 (TLVs far over the proxy's cap): refused without waiting for the bytes
        assertThat(send("127.0.0.1", concat(v2(0x21, 0x11, addresses4("198.51.100.9", "127.0.0.1"), 65535 - 12),
                ascii(GET)))).isEmpty();
        // a v2 length shorter than the addresses it announces
        byte[] shortLen = v2(0x21, 0x11, addresses4("198.51.100.9", "127.0.0.1"), 0);
        shortLen[15] = 4;
        assertThat(send("127.0.0.1", concat(shortLen, ascii(GET)))).isEmpty();
    }

    @Test
    void theTlsListenerTakesTheHeaderBeforeTheHandshake() throws Exception {
        SSLContext trustAll = SSLContext.getInstance("TLS");
        trustAll.init(null, new TrustManager[] {new X509TrustManager() {
            public void checkClientTrusted(X509Certificate[] c, String a) { }
            public void checkServerTrusted(X509Certificate[] c, String a) { }
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        try (Socket raw = new Socket()) {
            raw.bind(new InetSocketAddress("127.0.0.1", 0));
            raw.connect(new InetSocketAddress("127.0.0.1", dp.tlsPort()));
            raw.setSoTimeout(10_000);
            raw.getOutputStream().write(ascii("PROXY TCP4 203.0.113.99 127.0.0.1 40000 443\r\n"));
            try (SSLSocket tls = (SSLSocket) trustAll.getSocketFactory().createSocket(raw, "localhost", dp.tlsPort(), true)) {
                tls.getOutputStream().write(ascii(GET));
                String answer = new String(tls.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                assertThat(answer).startsWith("HTTP/1.1 200");
            }
        }
        assertThat(backend.lastHeaders.get("x-forwarded-for")).isEqualTo("203.0.113.99");
    }

    /** Sends {@code bytes} from {@code fromIp} to the plain listener; everything answered until the close. */
    static String send(String fromIp, byte[] bytes) throws Exception {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(fromIp), 0));
            s.connect(new InetSocketAddress("127.0.0.1", dp.proxyPort()));
            s.setSoTimeout(10_000);
            try {
                s.getOutputStream().write(bytes);
            } catch (java.io.IOException closed) {
                // the proxy may close before it has read everything
            }
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            try {
                in.transferTo(got);
            } catch (java.net.SocketException reset) {
                // a reset is a close
            }
            return got.toString(StandardCharsets.ISO_8859_1);
        }
    }

    /** A v2 header: version/command byte, family/protocol byte, the address block, and {@code extraLength} more announced. */
    static byte[] v2(int verCmd, int famProto, byte[] block, int extraLength) {
        ByteBuffer b = ByteBuffer.allocate(16 + block.length);
        b.put(V2_SIG).put((byte) verCmd).put((byte) famProto).putShort((short) (block.length + extraLength)).put(block);
        return b.array();
    }

    static byte[] addresses4(String src, String dst) throws Exception {
        return ByteBuffer.allocate(12).put(InetAddress.getByName(src).getAddress())
                .put(InetAddress.getByName(dst).getAddress()).putShort((short) 40000).putShort((short) 80).array();
    }

    static byte[] addresses6(String src, String dst) throws Exception {
        return ByteBuffer.allocate(36).put(InetAddress.getByName(src).getAddress())
                .put(InetAddress.getByName(dst).getAddress()).putShort((short) 40000).putShort((short) 80).array();
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
