package io.edgeway.dataplane;

import static io.edgeway.dataplane.StreamHarness.freePort;
import static io.edgeway.dataplane.StreamHarness.tcp;
import static io.edgeway.dataplane.StreamHarness.upstream;
import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.dataplane.l4.StreamSettings;
import io.edgeway.proto.v1.Snapshot;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS passthrough: two TLS targets behind one stream port, told apart by the ClientHello's server name (the
 * proxy never terminates TLS: the client sees each target's own certificate), and hostile first bytes closed.
 */
class StreamSniPassthroughTest {
    @TempDir
    static Path dataDir;
    static StreamHarness h;
    static TlsBackend alpha;
    static TlsBackend beta;
    static int port;
    static int withDefault; // a second port: alpha by name, everything else to beta (the route without snis)

    @BeforeAll
    static void start() throws Exception {
        // hello timeout 1 s; idle timeout 2 s: the target keeps the connection open after its answer, and the
        // proxy's idle close is what ends each s_client -ign_eof
        StreamSettings s = StreamHarness.settings();
        h = new StreamHarness(dataDir, new StreamSettings(s.connectTimeout(), Duration.ofSeconds(2), s.helloTimeout(),
                s.udpIdleTimeout(), s.udpMaxSessions(), s.drainTimeout()));
        alpha = new TlsBackend("alpha.test");
        beta = new TlsBackend("beta.test", "x.beta.test");
        port = freePort();
        withDefault = freePort();
        h.apply(Snapshot.newBuilder().addUpstreams(upstream("alpha", alpha.port())).addUpstreams(upstream("beta", beta.port()))
                .addStreamRoutes(tcp("to-alpha", port, "alpha", "alpha.test"))
                .addStreamRoutes(tcp("to-beta", port, "beta", "*.beta.test"))
                .addStreamRoutes(tcp("named-alpha", withDefault, "alpha", "alpha.test"))
                .addStreamRoutes(tcp("default-beta", withDefault, "beta")));
    }

    @AfterAll
    static void stop() throws Exception {
        if (h != null) {
            h.close();
        }
        alpha.close();
        beta.close();
    }

    static TlsTestSupport.Run openssl(String serverName) throws Exception {
        return openssl(port, serverName);
    }

    static TlsTestSupport.Run openssl(int to, String serverName) throws Exception {
        String request = "GET /who HTTP/1.1\r\nHost: " + serverName + "\r\nConnection: close\r\n\r\n";
        return TlsTestSupport.sClientWithInput(request, to, "-servername", serverName, "-ign_eof", "-alpn", "http/1.1");
    }

    @Test
    void opensslReachesTheTargetItsServerNameNames() throws Exception {
        TlsTestSupport.Run a = openssl("alpha.test");
        assertThat(a.output()).contains("CN = alpha.test").contains("tls alpn=http/1.1 sni=alpha.test GET /who");
        TlsTestSupport.Run b = openssl("x.beta.test"); // by the wildcard route
        assertThat(b.output()).contains("CN = beta.test").contains("sni=x.beta.test GET /who");
        assertThat(alpha.requests).noneMatch(r -> r.contains("beta"));
        assertThat(beta.requests).noneMatch(r -> r.contains("alpha"));
        // on a port with a route without snis, that route takes every other name
        assertThat(openssl(withDefault, "alpha.test").output()).contains("CN = alpha.test");
        assertThat(openssl(withDefault, "gamma.test").output()).contains("CN = beta.test").contains("sni=gamma.test GET /who");
    }

    @Test
    void aServerNameNoRouteTakesIsClosedWhenThePortHasNoDefault() throws Exception {
        TlsTestSupport.Run r = openssl("gamma.test");
        assertThat(r.output()).doesNotContain("CN = ").doesNotContain("GET /who");
        assertThat(alpha.requests).noneMatch(x -> x.contains("gamma"));
        assertThat(beta.requests).noneMatch(x -> x.contains("gamma"));
    }

    static boolean closedByProxy(byte[] firstBytes, boolean thenWait) throws IOException {
        return closedByProxy(port, firstBytes);
    }

    static boolean closedByProxy(int to, byte[] firstBytes) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), to)) {
            s.setSoTimeout(15_000);
            OutputStream out = s.getOutputStream();
            try {
                out.write(firstBytes);
                out.flush();
            } catch (SocketException e) {
                return true; // reset while we wrote: closed
            }
            InputStream in = s.getInputStream();
            try {
                return in.read() == -1;
            } catch (SocketException e) {
                return true; // reset: closed
            }
        }
    }

    @Test
    void plainHttpOnAPortRoutedBySniIsClosedNotForwarded() throws Exception {
        byte[] http = "GET /who HTTP/1.1\r\nHost: alpha.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(closedByProxy(http, false)).isTrue();
        assertThat(alpha.raw.toString()).doesNotContain("Host: alpha.test");
        assertThat(beta.raw.toString()).doesNotContain("Host: alpha.test");
    }

    @Test
    void aHelloLongerThan16KibIsClosed() throws Exception {
        // a handshake record that announces a ClientHello of 20,000 bytes, then fills it: never forwarded
        byte[] big = new byte[20_000];
        big[0] = 22; big[1] = 3; big[2] = 1; big[3] = (byte) (16_000 >> 8); big[4] = (byte) (16_000 & 0xff);
        big[5] = 1; big[6] = 0; big[7] = (byte) (19_000 >> 8); big[8] = (byte) (19_000 & 0xff);
        int alphaBefore = alpha.raw.length();
        int betaBefore = beta.raw.length();
        assertThat(closedByProxy(big, false)).isTrue();
        assertThat(alpha.raw.length()).isEqualTo(alphaBefore);
        assertThat(beta.raw.length()).isEqualTo(betaBefore);
    }

    @Test
    void aHelloThatNeverCompletesIsClosedAfterTheHelloTimeout() throws Exception {
        byte[] partial = {22, 3, 1, 0, (byte) 200, 1, 0, 0, (byte) 196}; // announces 200 bytes, sends 4
        assertThat(closedByProxy(partial, true)).isTrue();
    }

    @Test
    void aMalformedServerNameIsClosed() throws Exception {
        // a ClientHello whose server_name list claims more bytes than the extension holds
        byte[] body = {
            3, 3, /* random */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, /* session id */ 0, 2, 0x13, 0x01, /* suites */ 1, 0, /* compression */
            0, 9, /* extensions */ 0, 0, 0, 5, /* server_name, len 5 */ 0, 40, 0, 0, 30 /* list claims 40 */
        };
        byte[] hs = new byte[4 + body.length];
        hs[0] = 1; hs[3] = (byte) body.length;
        System.arraycopy(body, 0, hs, 4, body.length);
        byte[] record = new byte[5 + hs.length];
        record[0] = 22; record[1] = 3; record[2] = 1; record[4] = (byte) hs.length;
        System.arraycopy(hs, 0, record, 5, hs.length);
        int betaBefore = beta.raw.length();
        // on the port with a default route: a hello whose name cannot be read is refused, not sent to the default
        assertThat(closedByProxy(withDefault, record)).isTrue();
        assertThat(beta.raw.length()).isEqualTo(betaBefore);
    }
}
