package io.edgeway.controlplane.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgeway.controlplane.ControlPlane;
import io.edgeway.controlplane.Http;
import io.edgeway.controlplane.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** {@code edgeway ctl site ...} in-process against a real control plane: a build directory deployed end to end. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SiteCtlTest {
    private TestDatabase db;
    private ControlPlane cp;
    private Http http;

    record Run(int exit, String out, String err) {}

    @BeforeAll
    void start() throws Exception {
        db = TestDatabase.create(getClass());
        cp = ControlPlane.start(db.settings(), Map.of());
        http = new Http(cp.adminPort());
    }

    @AfterAll
    void stop() {
        cp.close();
    }

    private Run ctl(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = EdgewayCtl.commandLine(Map.of("EDGEWAY_ADMIN_URL", "http://127.0.0.1:" + cp.adminPort(),
                "EDGEWAY_ADMIN_TOKEN", Http.ADMIN_TOKEN));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return new Run(cl.execute(args), out.toString(), err.toString());
    }

    @Test
    void deployUploadsOnlyChangedFilesActivatesListsAndRollsBack(@TempDir Path tmp) throws Exception {
        Path dist = tmp.resolve("dist");
        Files.createDirectories(dist.resolve("assets"));
        Files.writeString(dist.resolve("index.html"), "<script src=/assets/index-a.js></script>");
        Files.writeString(dist.resolve("assets/index-a.js"), "console.log('a')");
        Files.writeString(dist.resolve("assets/style.css"), "body{margin:0}");

        Run first = ctl("site", "deploy", "--name", "shop", dist.toString(), "--activate");
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.out()).contains("3 files, uploaded 3");
        String firstId = http.get("/api/v1/sites/shop").json().get("active_deployment").asText();
        JsonNode manifest = http.get("/api/v1/sites/shop/deployments/" + firstId).json();
        assertThat(manifest.findValuesAsText("path")).containsExactlyInAnyOrder("index.html", "assets/index-a.js", "assets/style.css");

        Files.writeString(dist.resolve("index.html"), "<script src=/assets/index-a.js></script><!-- v2 -->");
        Run second = ctl("site", "deploy", "--name", "shop", dist.toString(), "--activate");
        assertThat(second.exit()).as(second.err()).isZero();
        assertThat(second.out()).contains("3 files, uploaded 1");
        String secondId = http.get("/api/v1/sites/shop").json().get("active_deployment").asText();
        assertThat(secondId).isNotEqualTo(firstId);

        Run list = ctl("site", "list");
        assertThat(list.out()).contains("\"shop\"").contains(secondId);
        Run deployments = ctl("site", "deployments", "shop");
        assertThat(deployments.out()).contains(firstId).contains(secondId);
        Run rollback = ctl("site", "rollback", "shop");
        assertThat(rollback.exit()).as(rollback.err()).isZero();
        assertThat(http.get("/api/v1/sites/shop").json().get("active_deployment").asText()).isEqualTo(firstId);
        Run to = ctl("site", "rollback", "shop", "--to", secondId);
        assertThat(to.exit()).as(to.err()).isZero();
        assertThat(http.get("/api/v1/sites/shop").json().get("active_deployment").asText()).isEqualTo(secondId);
    }

    @Test
    void aSymlinkLeadingOutOfTheDirectoryStopsTheDeployBeforeAnythingIsSent(@TempDir Path tmp) throws Exception {
        Path secret = tmp.resolve("secret.txt");
        Files.writeString(secret, "do not publish");
        Path dist = tmp.resolve("dist");
        Files.createDirectories(dist);
        Files.writeString(dist.resolve("index.html"), "<p>hi</p>");
        Files.createSymbolicLink(dist.resolve("leak.txt"), secret);
        Run run = ctl("site", "deploy", "--name", "leaky", dist.toString());
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("leak.txt").contains("symbolic link leading out");
        assertThat(http.get("/api/v1/sites/leaky").status()).isEqualTo(404);

        // a link that stays inside is just another name for a file there
        Files.delete(dist.resolve("leak.txt"));
        Files.createSymbolicLink(dist.resolve("home.html"), dist.resolve("index.html"));
        Run inside = ctl("site", "deploy", "--name", "leaky", dist.toString());
        assertThat(inside.exit()).as(inside.err()).isZero();
        assertThat(inside.out()).contains("2 files, uploaded 1");
    }
}
