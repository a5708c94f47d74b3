package io.edgeway.controlplane;

import static io.edgeway.controlplane.SiteFixture.sha256;
import static io.edgeway.controlplane.SiteFixture.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgeway.controlplane.Http.Response;
import io.edgeway.proto.v1.SiteDeployment;
import io.edgeway.proto.v1.Snapshot;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A site's active deployment in the snapshot a (simulated) proxy receives over the real gRPC stream, switched
 * by activation and rollback, each a revision in the log; route.site through the declarative document.
 */
class SiteSnapshotTest extends RunningControlPlane {

    /** The first snapshot of at least {@code version}, acking every one on the way. */
    private static Snapshot until(TestNode node, long version) {
        while (true) {
            Snapshot s = node.next();
            node.ack(s);
            if (s.getVersion() >= version) {
                return s;
            }
        }
    }

    private static Map<String, String> paths(SiteDeployment d) {
        Map<String, String> m = new LinkedHashMap<>();
        d.getFilesList().forEach(f -> m.put(f.getPath(), f.getSha256()));
        return m;
    }

    @Test
    void rollbackSwitchesTheSnapshotsManifestAndTheRevisionLogHasIt() throws Exception {
        Map<String, byte[]> v1 = new LinkedHashMap<>();
        v1.put("index.html", text("<script src=/assets/index-1.js></script>"));
        v1.put("assets/index-1.js", text("console.log('one')"));
        Map<String, byte[]> v2 = new LinkedHashMap<>();
        v2.put("index.html", text("<script src=/assets/index-2.js></script>"));
        v2.put("assets/index-2.js", text("console.log('two')"));
        String first = SiteFixture.deploy(http, "shop", v1);
        Response route = http.post("/api/v1/routes",
                "{\"name\":\"app\",\"hosts\":[\"shop.test\"],\"paths\":[\"/\"],\"site\":{\"name\":\"shop\",\"spa\":true}}");
        assertThat(route.status()).as(route.body()).isEqualTo(201);

        try (TestNode node = new TestNode(cp.grpcPort())) {
            node.hello("site-node", 0);
            Snapshot s1 = until(node, route.revisionNumber());
            assertThat(s1.getSitesList()).hasSize(1);
            assertThat(s1.getSites(0).getDeploymentId()).isEqualTo(first);
            assertThat(paths(s1.getSites(0))).containsEntry("assets/index-1.js", sha256(v1.get("assets/index-1.js")));
            var appRoute = s1.getRoutesList().stream().filter(r -> r.getName().equals("app")).findFirst().orElseThrow();
            assertThat(appRoute.getSite().getName()).isEqualTo("shop");
            assertThat(appRoute.getSite().getSpa()).isTrue();
            assertThat(appRoute.getUpstream()).isEmpty();

            String second = SiteFixture.deploy(http, "shop", v2);
            Snapshot s2 = until(node, db.revision());
            assertThat(s2.getSites(0).getDeploymentId()).isEqualTo(second);
            assertThat(paths(s2.getSites(0))).containsOnlyKeys("index.html", "assets/index-2.js");

            JsonNode diff = http.get("/api/v1/sites/shop/diff?from=" + first + "&to=" + second).json();
            assertThat(diff.get("added")).extracting(JsonNode::asText).containsExactly("assets/index-2.js");
            assertThat(diff.get("removed")).extracting(JsonNode::asText).containsExactly("assets/index-1.js");
            assertThat(diff.get("changed")).extracting(JsonNode::asText).containsExactly("index.html");

            Response back = http.post("/api/v1/sites/shop/rollback", "");
            assertThat(back.status()).as(back.body()).isEqualTo(200);
            assertThat(back.json().get("active_deployment").asText()).isEqualTo(first);
            Snapshot s3 = until(node, back.revisionNumber());
            assertThat(s3.getVersion()).isEqualTo(back.revisionNumber());
            assertThat(s3.getSites(0).getDeploymentId()).isEqualTo(first);
            assertThat(paths(s3.getSites(0))).isEqualTo(paths(s1.getSites(0)));

            JsonNode entry = http.get("/api/v1/revisions/" + back.revisionNumber()).json().get("entries").get(0);
            assertThat(entry.get("kind").asText()).isEqualTo("site");
            assertThat(entry.get("name").asText()).isEqualTo("shop");
            assertThat(entry.get("before").get("active_deployment").asText()).isEqualTo(second);
            assertThat(entry.get("after").get("active_deployment").asText()).isEqualTo(first);

            // activating what is active commits nothing; rolling back again returns to the newer one
            long now = db.revision();
            assertThat(http.post("/api/v1/sites/shop/deployments/" + first + "/activate", "").revisionNumber()).isEqualTo(now);
            assertThat(http.post("/api/v1/sites/shop/rollback", "").json().get("active_deployment").asText()).isEqualTo(second);
            Response to = http.post("/api/v1/sites/shop/rollback", "{\"to\":\"" + first + "\"}");
            assertThat(to.json().get("active_deployment").asText()).isEqualTo(first);
        }
        // the config history still replays: a rollback of the config keeps the site's active deployment
        assertThat(http.get("/api/v1/revisions").status()).isEqualTo(200);
        List<String> deployments = http.get("/api/v1/sites/shop/deployments").json().findValuesAsText("id");
        assertThat(deployments).hasSize(2);
    }

    @Test
    void aSiteRouteAppliesAndExportsThroughTheDeclarativeDocument() {
        SiteFixture.deploy(http, "docs", Map.of("index.html", text("<h1>docs</h1>")));
        String yaml = """
                routes:
                  - name: docs
                    hosts: [docs.test]
                    paths: [/]
                    site: {name: docs, spa: false}
                """;
        Response applied = http.send("POST", "/api/v1/config", "application/yaml", yaml);
        assertThat(applied.status()).as(applied.body()).isEqualTo(200);
        JsonNode exported = http.get("/api/v1/config").json().get("routes").get(0);
        assertThat(exported.get("site").get("name").asText()).isEqualTo("docs");
        assertThat(exported.has("upstream")).isFalse();
        long revision = db.revision();
        assertThat(http.send("POST", "/api/v1/config", "application/yaml", yaml).revisionNumber()).isEqualTo(revision);

        Response unknown = http.send("POST", "/api/v1/config", "application/yaml", yaml.replace("name: docs, spa", "name: nodocs, spa"));
        assertThat(unknown.status()).as(unknown.body()).isEqualTo(422);
        assertThat(unknown.body()).contains("nodocs");
        http.post("/api/v1/config", "{}");
    }
}
