package io.edgeway.controlplane.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.controlplane.ControlPlane;
import io.edgeway.controlplane.Http;
import io.edgeway.controlplane.TestDatabase;
import io.edgeway.controlplane.tls.AdminTls;
import io.edgeway.controlplane.tls.CertificateAuthority;
import io.edgeway.dataplane.control.Pems;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code edgeway ctl} against an admin API served over HTTPS with a certificate from a private CA: trusted
 * with --cacert or EDGEWAY_ADMIN_CA_FILE (the flag first), refused without it or with another CA, and
 * still refused when the CA is right but the name in the URL is not the certificate's.
 */
class CtlPrivateCaTest {
    private record Run(int exit, String out, String err) {}

    @Test
    void ctlTrustsThePrivateCaItIsGivenAndNoOther(@TempDir Path dir) throws Exception {
        CertificateAuthority issuer = CertificateAuthority.generate("private admin CA");
        CertificateAuthority.ServerIdentity server = issuer.issueServer(List.of("localhost"));
        Path cert = dir.resolve("admin.pem");
        Path key = dir.resolve("admin-key.pem");
        Files.writeString(cert, Pems.pem(server.certificate()) + Pems.pem(issuer.certificate()));
        Files.writeString(key, Pems.pem(server.key()));
        Path ca = dir.resolve("ca.pem");
        Files.writeString(ca, Pems.pem(issuer.certificate()));
        Path otherCa = dir.resolve("other-ca.pem");
        Files.writeString(otherCa, Pems.pem(CertificateAuthority.generate("someone else's CA").certificate()));
        Path notPem = dir.resolve("not.pem");
        Files.writeString(notPem, "hello");

        try (ControlPlane cp = ControlPlane.start(TestDatabase.create(getClass()).settings().withDataDir(dir.resolve("cp"))
                .withAdminTls(AdminTls.fromEnv(Map.of("EDGEWAY_ADMIN_TLS_CERT_FILE", cert.toString(),
                        "EDGEWAY_ADMIN_TLS_KEY_FILE", key.toString()))), Map.of())) {
            String https = "https://localhost:" + cp.adminPort();
            Map<String, String> env = Map.of("EDGEWAY_ADMIN_URL", https, "EDGEWAY_ADMIN_TOKEN", Http.ADMIN_TOKEN);

            Run flag = ctl(env, "--cacert", ca.toString(), "get", "nodes");
            assertThat(flag.exit()).as(flag.err()).isZero();
            assertThat(flag.out()).startsWith("ID").contains("CONNECTED");
            Run fromEnv = ctl(with(env, "EDGEWAY_ADMIN_CA_FILE", ca.toString()), "get", "routes");
            assertThat(fromEnv.exit()).as(fromEnv.err()).isZero();
            // the flag wins over the environment, as --server and --token do
            Run flagWins = ctl(with(env, "EDGEWAY_ADMIN_CA_FILE", otherCa.toString()), "--cacert", ca.toString(), "get", "routes");
            assertThat(flagWins.exit()).as(flagWins.err()).isZero();

            Run noCa = ctl(env, "get", "routes");
            assertThat(noCa.exit()).isEqualTo(1);
            assertThat(noCa.err()).contains("--cacert");
            Run wrongCa = ctl(env, "--cacert", otherCa.toString(), "get", "routes");
            assertThat(wrongCa.exit()).isEqualTo(1);
            assertThat(wrongCa.err()).contains("TLS with the admin API");
            // The right CA does not excuse a name the certificate does not carry.
            Run wrongName = ctl(with(env, "EDGEWAY_ADMIN_URL", "https://127.0.0.1:" + cp.adminPort()), "--cacert", ca.toString(), "get", "routes");
            assertThat(wrongName.exit()).isEqualTo(1);
            assertThat(wrongName.err()).contains("TLS with the admin API");

            Run missing = ctl(env, "--cacert", dir.resolve("absent.pem").toString(), "get", "routes");
            assertThat(missing.exit()).isEqualTo(1);
            assertThat(missing.err()).contains("--cacert: cannot read");
            Run garbage = ctl(env, "--cacert", notPem.toString(), "get", "routes");
            assertThat(garbage.exit()).isEqualTo(1);
            assertThat(garbage.err()).contains("is not a PEM certificate file");
        }
    }

    private static Map<String, String> with(Map<String, String> env, String name, String value) {
        Map<String, String> out = new HashMap<>(env);
        out.put(name, value);
        return out;
    }

    private static Run ctl(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = EdgewayCtl.commandLine(env);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }
}
