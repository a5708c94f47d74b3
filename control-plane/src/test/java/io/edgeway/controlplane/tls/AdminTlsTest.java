package io.edgeway.controlplane.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edgeway.controlplane.ControlPlane;
import io.edgeway.controlplane.TestDatabase;
import io.edgeway.dataplane.control.KeyMaterial;
import io.edgeway.dataplane.control.Pems;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin API over HTTPS when EDGEWAY_ADMIN_TLS_CERT_FILE / _KEY_FILE are given: a real Jetty TLS connector. */
class AdminTlsTest {
    @Test
    void theAdminApiServesHttpsOnlyWithTheGivenCertificate(@TempDir Path dir) throws Exception {
        CertificateAuthority issuer = CertificateAuthority.generate("admin test CA");
        CertificateAuthority.ServerIdentity server = issuer.issueServer(List.of("localhost", "127.0.0.1"));
        Path cert = dir.resolve("admin.pem");
        Path key = dir.resolve("admin-key.pem");
        Files.writeString(cert, Pems.pem(server.certificate()) + Pems.pem(issuer.certificate()));
        Files.writeString(key, Pems.pem(server.key()));
        try (ControlPlane cp = ControlPlane.start(TestDatabase.create(getClass()).settings().withDataDir(dir)
                .withAdminTls(AdminTls.fromEnv(Map.of("EDGEWAY_ADMIN_TLS_CERT_FILE", cert.toString(),
                        "EDGEWAY_ADMIN_TLS_KEY_FILE", key.toString()))), Map.of())) {
            SSLContext trusting = SSLContext.getInstance("TLS");
            trusting.init(null, KeyMaterial.trustManagers(issuer.certificate()), null);
            HttpClient https = HttpClient.newBuilder().sslContext(trusting).build();
            HttpResponse<String> ok = https.send(HttpRequest.newBuilder(URI.create("https://localhost:" + cp.adminPort() + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ok.statusCode()).isEqualTo(200);

            // A client that does not trust that certificate is refused in the handshake, and plain HTTP gets nothing.
            HttpClient defaults = HttpClient.newHttpClient();
            assertThatThrownBy(() -> defaults.send(HttpRequest.newBuilder(URI.create("https://localhost:" + cp.adminPort() + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString())).isInstanceOf(SSLHandshakeException.class);
            assertThatThrownBy(() -> {
                HttpResponse<String> plain = defaults.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cp.adminPort() + "/healthz")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(plain.statusCode()).isNotEqualTo(200);
                throw new IOException("answered " + plain.statusCode());
            }).isInstanceOf(IOException.class);
        }
    }
}
