package io.edgeway.controlplane.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.edgeway.controlplane.Http;
import io.edgeway.controlplane.ControlPlane;
import io.edgeway.controlplane.TestCerts;
import io.edgeway.controlplane.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The CLI in-process against a real control plane on loopback: the file workflow end to end. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EdgewayCtlTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private TestDatabase db;
    private ControlPlane cp;
    private String server;

    /** One run: exit code and what it printed. */
    record Run(int exit, String out, String err) {}

    @BeforeAll
    void start() throws Exception {
        db = TestDatabase.create(getClass());
        cp = ControlPlane.start(db.settings(), TestCerts.env());
        server = "http://127.0.0.1:" + cp.adminPort();
    }

    @AfterAll
    void stop() {
        cp.close();
    }

    private Run ctl(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = EdgewayCtl.commandLine(env);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private Run ctl(String... args) {
        return ctl(Map.of("EDGEWAY_ADMIN_URL", server, "EDGEWAY_ADMIN_TOKEN", Http.ADMIN_TOKEN), args);
    }

    @Test
    void applyDiffChangeApplyExportRoundTrips(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("edgeway.yaml");
        Files.writeString(file, example());

        Run apply = ctl("apply", "-f", file.toString());
        assertThat(apply.exit()).as(apply.err()).isZero();
        assertThat(apply.out()).contains("+ upstream shop-api", "+ route website", "applied as revision " + db.revision());

        Run same = ctl("diff", "-f", file.toString());
        assertThat(same.exit()).as(same.out() + same.err()).isZero();
        assertThat(same.out()).contains("0 to create, 0 to update, 0 to delete, 6 unchanged");

        Files.writeString(file, example().replace("port: 80\n", "port: 8081\n").replace("paths: [/]", "paths: [/, /docs]"));
        long before = db.revision();
        Run differs = ctl("diff", "-f", file.toString());
        assertThat(differs.exit()).as(differs.err()).isEqualTo(2);
        assertThat(differs.out()).contains("~ upstream static-site (targets)", "~ route website (paths)");
        assertThat(db.revision()).isEqualTo(before); // diff never writes

        assertThat(ctl("apply", "-f", file.toString()).exit()).isZero();
        assertThat(db.revision()).isEqualTo(before + 1);
        assertThat(ctl("diff", "-f", file.toString()).exit()).isZero();

        Path exported = dir.resolve("exported.yaml");
        assertThat(ctl("export", "-o", exported.toString()).exit()).isZero();
        assertThat(YAML.readTree(exported.toFile())).isEqualTo(YAML.readTree(file.toFile()));
        Run stdout = ctl("export");
        assertThat(YAML.readTree(stdout.out())).isEqualTo(YAML.readTree(file.toFile()));

        Run routes = ctl("get", "routes");
        assertThat(routes.exit()).isZero();
        assertThat(routes.out().lines().toList().get(0)).startsWith("NAME").contains("UPSTREAM");
        assertThat(routes.out()).contains("website", "www.example.com", "/,/docs", "static-site");
        assertThat(ctl("get", "upstreams").out()).contains("10.0.1.10:8080*3,10.0.1.11:8080");
        assertThat(ctl("get", "nodes").out()).startsWith("ID");
    }

    @Test
    void certificatesAndStreamRoutesRoundTripAndTheKeyNeverComesBack(@TempDir Path dir) throws Exception {
        TestCerts certs = new TestCerts();
        TestCerts.Pair shop = certs.ec("shop", "shop.example.com");
        Path file = dir.resolve("edgeway.yaml");
        Files.writeString(file, withCertificate(shop, "shop.example.com", true));

        Run apply = ctl("apply", "-f", file.toString());
        assertThat(apply.exit()).as(apply.err()).isZero();
        assertThat(apply.out()).contains("+ certificate shop", "applied as revision");
        Run same = ctl("diff", "-f", file.toString());
        assertThat(same.exit()).as(same.out() + same.err()).isZero();

        Files.writeString(file, withCertificate(shop, "shop.example.com, www.example.com", true).replace("listen_port: 5432", "listen_port: 6432"));
        long before = db.revision();
        Run differs = ctl("diff", "-f", file.toString());
        assertThat(differs.exit()).as(differs.err()).isEqualTo(2);
        assertThat(differs.out()).contains("~ certificate shop (snis)", "~ stream_route warehouse-db (listen_port)");
        assertThat(db.revision()).isEqualTo(before);
        assertThat(ctl("apply", "-f", file.toString()).exit()).isZero();
        assertThat(db.revision()).isEqualTo(before + 1);
        assertThat(ctl("diff", "-f", file.toString()).exit()).isZero();

        // the export is the file without the key, and applies back as no change
        Path exported = dir.resolve("exported.yaml");
        assertThat(ctl("export", "-o", exported.toString()).exit()).isZero();
        String yaml = Files.readString(exported);
        TestCerts.assertNoKeyIn(yaml, shop);
        JsonNode expected = YAML.readTree(file.toFile());
        ((com.fasterxml.jackson.databind.node.ObjectNode) expected.get("certificates").get(0)).remove("key");
        assertThat(YAML.readTree(yaml)).isEqualTo(expected);
        Run reapplied = ctl("apply", "-f", exported.toString());
        assertThat(reapplied.out()).contains("nothing to apply; revision " + (before + 1));

        // a certificate whose key the control plane never held cannot leave it out
        TestCerts.Pair renewed = certs.ec("renewed", "shop.example.com");
        Files.writeString(file, withCertificate(renewed, "shop.example.com", false));
        Run invalid = ctl("validate", "-f", file.toString());
        assertThat(invalid.exit()).isEqualTo(1);
        assertThat(invalid.err()).contains("certificates[0].key");
        assertThat(ctl("diff", "-f", file.toString()).exit()).isEqualTo(1);
        assertThat(db.revision()).isEqualTo(before + 1);
    }

    @Test
    void upstreamTlsRoundTripsThroughApplyDiffAndExport(@TempDir Path dir) throws Exception {
        TestCerts.Pair ca = new TestCerts().ec("target-ca", "static.internal");
        Path file = dir.resolve("edgeway.yaml");
        String tls = "    tls:\n      sni: static.example.com\n      verify: true\n      ca: |\n"
                + indent(ca.cert()).replace("      ", "        ");
        Files.writeString(file, example().replace("  - name: static-site\n", "  - name: static-site\n" + tls));
        Run apply = ctl("apply", "-f", file.toString());
        assertThat(apply.exit()).as(apply.err()).isZero();
        assertThat(ctl("diff", "-f", file.toString()).exit()).isZero();

        Path exported = dir.resolve("exported.yaml");
        assertThat(ctl("export", "-o", exported.toString()).exit()).isZero();
        assertThat(YAML.readTree(exported.toFile())).isEqualTo(YAML.readTree(file.toFile()));
        assertThat(YAML.readTree(exported.toFile()).get("upstreams").get(1).get("tls").get("ca").asText())
                .isEqualTo(ca.cert());
        long rev = db.revision();
        assertThat(ctl("apply", "-f", exported.toString()).out()).contains("nothing to apply; revision " + rev);

        Files.writeString(file, Files.readString(file).replace("verify: true", "verify: false"));
        Run differs = ctl("diff", "-f", file.toString());
        assertThat(differs.exit()).as(differs.err()).isEqualTo(2);
        assertThat(differs.out()).contains("~ upstream static-site (tls)");
        Files.writeString(file, Files.readString(file).replace("        MII", "        XII")); // DER no more
        Run invalid = ctl("validate", "-f", file.toString());
        assertThat(invalid.exit()).isEqualTo(1);
        assertThat(invalid.err()).contains("upstreams[1].tls.ca");
        assertThat(db.revision()).isEqualTo(rev);
    }

    /** The example file with one certificate (PEM as literal blocks) instead of none. */
    private static String withCertificate(TestCerts.Pair pair, String snis, boolean withKey) throws IOException {
        String cert = "certificates:\n  - name: shop\n    snis: [" + snis + "]\n    cert: |\n" + indent(pair.cert())
                + (withKey ? "    key: |\n" + indent(pair.key()) : "");
        return example().replace("certificates: []\n", cert);
    }

    private static String indent(String pem) {
        return pem.lines().map(l -> "      " + l + "\n").collect(java.util.stream.Collectors.joining());
    }

    @Test
    void validateAndDiffReportEveryProblemAndExitOne(@TempDir Path dir) throws Exception {
        Path good = dir.resolve("good.yaml");
        Files.writeString(good, example());
        Run ok = ctl("validate", "-f", good.toString());
        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("is valid");

        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, """
                {"upstreams":[{"name":"a","targets":[{"host":"127.0.0.1","port":1}]}],
                 "routes":[{"name":"r","upstream":"nope"}]}""");
        long rev = db.revision();
        Run invalid = ctl("validate", "-f", bad.toString());
        assertThat(invalid.exit()).isEqualTo(1);
        assertThat(invalid.err()).contains("routes[0].upstream");
        assertThat(ctl("diff", "-f", bad.toString()).exit()).isEqualTo(1);
        Run refused = ctl("apply", "-f", bad.toString());
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("422", "routes[0].upstream");
        assertThat(db.revision()).isEqualTo(rev);

        assertThat(ctl("apply", "-f", dir.resolve("missing.yaml").toString()).exit()).isEqualTo(1);
        assertThat(ctl("apply").exit()).isEqualTo(1); // usage error: 1, never diff's 2
        Run unreachable = ctl(Map.of(), "--server", "http://127.0.0.1:1", "export");
        assertThat(unreachable.exit()).isEqualTo(1);
        assertThat(unreachable.err()).contains("cannot reach the admin API at http://127.0.0.1:1");
    }

    @Test
    void tokenCreateMakesATokenTheRealApiAcceptsWithItsRole() throws Exception {
        Run created = ctl("token", "create", "--name", "ci-reader", "--role", "read-only");
        assertThat(created.exit()).as(created.err()).isZero();
        JsonNode printed = new ObjectMapper().readTree(created.out());
        assertThat(printed.get("name").asText()).isEqualTo("ci-reader");
        assertThat(printed.get("role").asText()).isEqualTo("read-only");
        String secret = printed.get("token").asText();

        // The secret it printed is one the control plane accepts, with the role asked for: reads, not writes.
        Http reader = new Http(cp.adminPort(), secret);
        assertThat(reader.get("/api/v1/upstreams").status()).isEqualTo(200);
        assertThat(reader.post("/api/v1/upstreams", "{\"name\":\"nope\",\"targets\":[]}").status()).isEqualTo(403);
        assertThat(new Http(cp.adminPort()).get("/api/v1/tokens").body()).contains("\"ci-reader\"").doesNotContain(secret);
    }

    @Test
    void everyCallCarriesTheTokenAndTheFlagWinsOverTheEnvironment() {
        // A wrong token in the environment with the right one as a flag succeeds; the reverse is refused (401).
        assertThat(ctl(Map.of("EDGEWAY_ADMIN_URL", server, "EDGEWAY_ADMIN_TOKEN", "ew_wrong-token-0123456789"),
                "--token", Http.ADMIN_TOKEN, "token", "create", "--name", "from-flag").exit()).isZero();
        Run refused = ctl(Map.of("EDGEWAY_ADMIN_URL", server, "EDGEWAY_ADMIN_TOKEN", Http.ADMIN_TOKEN),
                "--token", "ew_wrong-token-0123456789", "token", "create", "--name", "from-env");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("401");
        Run noToken = ctl(Map.of("EDGEWAY_ADMIN_URL", server), "get", "routes");
        assertThat(noToken.exit()).isEqualTo(1);
        assertThat(noToken.err()).contains("401");
        String tokens = new Http(cp.adminPort()).get("/api/v1/tokens").body();
        assertThat(tokens).contains("\"from-flag\"").doesNotContain("\"from-env\"");
    }

    @Test
    void joinTokenCreateListDeleteShowsTheSecretOnlyOnCreate() throws Exception {
        Run created = ctl("join-token", "create", "--name", "asg-web", "--ttl", "24h");
        assertThat(created.exit()).as(created.err()).isZero();
        String token = new ObjectMapper().readTree(created.out()).get("token").asText();
        assertThat(token).startsWith("ewj1.");
        String secret = token.split("\\.")[2];

        Run listed = ctl("join-token", "list");
        assertThat(listed.exit()).as(listed.err()).isZero();
        assertThat(listed.out()).contains("asg-web").doesNotContain(secret);

        assertThat(ctl("join-token", "delete", "asg-web").exit()).isZero();
        assertThat(ctl("join-token", "list").out()).doesNotContain("asg-web");
        Run again = ctl("join-token", "delete", "asg-web");
        assertThat(again.exit()).isNotZero();
        assertThat(again.err()).contains("404");
        Run badTtl = ctl("join-token", "create", "--name", "x", "--ttl", "forever");
        assertThat(badTtl.exit()).isNotZero();
        assertThat(badTtl.err()).contains("ttl: forever");
    }

    private static String example() throws IOException {
        try (InputStream in = EdgewayCtl.class.getResourceAsStream("example.yaml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
