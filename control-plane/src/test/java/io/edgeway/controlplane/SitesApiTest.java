package io.edgeway.controlplane;

import static io.edgeway.controlplane.SiteFixture.sha256;
import static io.edgeway.controlplane.SiteFixture.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgeway.controlplane.Http.Response;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/** /api/v1/sites on a real control plane and PostgreSQL: dedup, verification, paths, activation, limits. */
class SitesApiTest extends RunningControlPlane {
    private static final int MAX_FILE = 2 * 1024 * 1024;

    @Override
    protected Map<String, String> env() {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("EDGEWAY_SITE_MAX_FILE_SIZE", "2MiB");
        env.put("EDGEWAY_SITE_MAX_FILES", "50");
        return env;
    }

    private static Map<String, byte[]> files(String... pathsAndContents) {
        Map<String, byte[]> m = new LinkedHashMap<>();
        for (int i = 0; i < pathsAndContents.length; i += 2) {
            m.put(pathsAndContents[i], text(pathsAndContents[i + 1]));
        }
        return m;
    }

    @Test
    void aSecondDeployWithOneChangedFileUploadsOneBlobAndTheDatabaseHoldsOneRowPerContent() {
        Map<String, byte[]> v1 = files("index.html", "<p>v1</p>", "assets/app.js", "console.log(1)",
                "assets/same.css", "body{}", "copy/same.css", "body{}");
        JsonNode first = SiteFixture.create(http, "dedup", v1);
        assertThat(first.get("missing")).hasSize(3); // two paths share one content
        assertThat(SiteFixture.uploadMissing(http, first, v1)).isEqualTo(3);

        Map<String, byte[]> v2 = new LinkedHashMap<>(v1);
        v2.put("index.html", text("<p>v2</p>"));
        JsonNode second = SiteFixture.create(http, "dedup", v2);
        assertThat(second.get("missing")).hasSize(1);
        assertThat(second.get("missing").get(0).asText()).isEqualTo(sha256(v2.get("index.html")));
        assertThat(SiteFixture.uploadMissing(http, second, v2)).isEqualTo(1);

        // uploading a blob again is harmless and stores nothing new
        Response again = http.sendBytes("PUT", "/api/v1/sites/blobs/" + sha256(v1.get("index.html")),
                "application/octet-stream", v1.get("index.html"));
        assertThat(again.status()).isEqualTo(200);
        List<String> hashes = new ArrayList<>();
        v1.values().forEach(c -> hashes.add("'" + sha256(c) + "'"));
        hashes.add("'" + sha256(v2.get("index.html")) + "'");
        assertThat(db.queryText("SELECT count(*) FROM site_blobs WHERE sha256 IN (" + String.join(",", hashes) + ")"))
                .isEqualTo("4");

        // a hash names one content: listing a stored one with another size would mislead every proxy
        Response lying = http.post("/api/v1/sites/dedup/deployments", "{\"files\":[{\"path\":\"a.js\",\"sha256\":\""
                + sha256(v1.get("index.html")) + "\",\"size\":" + (v1.get("index.html").length + 1) + "}]}");
        assertThat(lying.status()).as(lying.body()).isEqualTo(422);
        assertThat(lying.json().get("errors").get(0).get("field").asText()).isEqualTo("files[0].size");
    }

    @Test
    void anUploadThatDoesNotHashToItsNameIs422AndNothingIsKept() {
        Map<String, byte[]> v = files("index.html", "<p>real</p>");
        JsonNode created = SiteFixture.create(http, "mismatch", v);
        String hash = created.get("missing").get(0).asText();
        long before = db.count("site_blobs");
        Response r = http.sendBytes("PUT", "/api/v1/sites/blobs/" + hash, "application/octet-stream", text("<p>evil</p>"));
        assertThat(r.status()).as(r.body()).isEqualTo(422);
        assertThat(r.json().get("detail").asText()).contains(sha256(text("<p>evil</p>")));
        assertThat(db.count("site_blobs")).isEqualTo(before);
        // a body that hashes right but that no manifest lists is refused too: no storing arbitrary content
        byte[] stray = text("not in any manifest");
        Response strayAnswer = http.sendBytes("PUT", "/api/v1/sites/blobs/" + sha256(stray), "application/octet-stream", stray);
        assertThat(strayAnswer.status()).as(strayAnswer.body()).isEqualTo(422);
        assertThat(db.count("site_blobs")).isEqualTo(before);
    }

    @Test
    void pathsThatCouldLeaveTheSiteOrBeSpelledTwoWaysAre422NamingThePath() {
        for (String bad : List.of("../x", "%2e%2e/x", "a//b", "/etc/passwd", "a\\b", "a/./b", "a/", "", "a\u0000b",
                "assets/../../x", "x".repeat(1025))) {
            Response r = http.post("/api/v1/sites/paths/deployments",
                    SiteFixture.manifest(files("ok.txt", "fine", bad, "bad")));
            assertThat(r.status()).as(bad + ": " + r.body()).isEqualTo(422);
            JsonNode error = r.json().get("errors").get(0);
            assertThat(error.get("field").asText()).isEqualTo("files[1].path");
            assertThat(error.get("message").asText()).contains(bad.length() > 100 ? "longer than 1024" : bad);
        }
        assertThat(http.get("/api/v1/sites/paths").status()).isEqualTo(404); // nothing was created
    }

    @Test
    void activatingBeforeEveryBlobIsUploadedIs409NamingTheMissingOnes() {
        Map<String, byte[]> v = files("index.html", "<p>a</p>", "b.js", "let b", "c.css", "c{}");
        JsonNode created = SiteFixture.create(http, "partial", v);
        http.sendBytes("PUT", "/api/v1/sites/blobs/" + sha256(v.get("index.html")), "application/octet-stream", v.get("index.html"));
        Response r = http.post("/api/v1/sites/partial/deployments/" + created.get("id").asText() + "/activate", "");
        assertThat(r.status()).as(r.body()).isEqualTo(409);
        List<String> named = new ArrayList<>();
        r.json().get("errors").forEach(e -> named.add(e.get("message").asText().split(":")[0]));
        assertThat(named).containsExactlyInAnyOrder(sha256(v.get("b.js")), sha256(v.get("c.css")));
        assertThat(http.get("/api/v1/sites/partial").json().get("active_deployment").isNull()).isTrue();
    }

    @Test
    void textFilesGetGzipAndBrotliVariantsStoredAsBlobsAndImagesDoNot() throws Exception {
        String html = "<html><body>" + "<p>hello static world</p>".repeat(400) + "</body></html>";
        Map<String, byte[]> v = new LinkedHashMap<>();
        v.put("index.html", text(html));
        byte[] png = new byte[4096];
        new java.util.Random(7).nextBytes(png);
        v.put("logo.png", png);
        String id = SiteFixture.deploy(http, "variants", v);
        JsonNode files = http.get("/api/v1/sites/variants/deployments/" + id).json().get("files");
        JsonNode index = files.get(0).get("path").asText().equals("index.html") ? files.get(0) : files.get(1);
        JsonNode logo = index == files.get(0) ? files.get(1) : files.get(0);
        assertThat(index.get("content_type").asText()).isEqualTo("text/html; charset=utf-8");
        assertThat(logo.get("content_type").asText()).isEqualTo("image/png");
        assertThat(logo.has("gzip_sha256")).isFalse();
        assertThat(index.get("gzip_size").asLong()).isLessThan(html.length() / 10);
        assertThat(index.get("br_size").asLong()).isLessThan(html.length() / 10);
        String gz = db.queryText("SELECT encode(content, 'base64') FROM site_blobs WHERE sha256 = '"
                + index.get("gzip_sha256").asText() + "'").replace("\n", "");
        byte[] unzipped = new GZIPInputStream(new ByteArrayInputStream(java.util.Base64.getDecoder().decode(gz))).readAllBytes();
        assertThat(new String(unzipped, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(html);
    }

    @Test
    void aBlobMayBeAsLargeAsTheFileLimitAndNoLarger() {
        byte[] big = new byte[MAX_FILE];
        new java.util.Random(1).nextBytes(big);
        byte[] tooBig = new byte[MAX_FILE + 1];
        Map<String, byte[]> v = new LinkedHashMap<>();
        v.put("video.mp4", big);
        JsonNode created = SiteFixture.create(http, "large", v);
        assertThat(SiteFixture.uploadMissing(http, created, v)).isEqualTo(1); // 2 MiB: over the 1 MiB entity cap
        Response r = http.sendBytes("PUT", "/api/v1/sites/blobs/" + sha256(tooBig), "application/octet-stream", tooBig);
        assertThat(r.status()).isEqualTo(413);
        Response manifest = http.post("/api/v1/sites/large/deployments",
                "{\"files\":[{\"path\":\"a.bin\",\"sha256\":\"" + sha256(tooBig) + "\",\"size\":" + tooBig.length + "}]}");
        assertThat(manifest.status()).isEqualTo(422);
        assertThat(manifest.json().get("errors").get(0).get("field").asText()).isEqualTo("files[0].size");
        Map<String, byte[]> many = new LinkedHashMap<>();
        for (int i = 0; i < 51; i++) {
            many.put("f" + i + ".txt", text("file " + i));
        }
        assertThat(http.post("/api/v1/sites/large/deployments", SiteFixture.manifest(many)).status()).isEqualTo(422);
    }

    @Test
    void aRouteNamingAnUnknownSiteIs422AndASiteARouteServesCannotBeDeleted() {
        Response unknown = http.post("/api/v1/routes", "{\"name\":\"app-unknown\",\"paths\":[\"/\"],\"site\":{\"name\":\"nosuch\"}}");
        assertThat(unknown.status()).as(unknown.body()).isEqualTo(422);
        assertThat(unknown.json().get("errors").get(0).get("field").asText()).isEqualTo("site.name");
        Response both = http.post("/api/v1/routes", "{\"name\":\"app-both\",\"upstream\":\"u\",\"site\":{\"name\":\"nosuch\"}}");
        assertThat(both.status()).as(both.body()).isEqualTo(422);

        SiteFixture.deploy(http, "served", files("index.html", "<p>x</p>"));
        Response route = http.post("/api/v1/routes", "{\"name\":\"app-served\",\"hosts\":[\"served.test\"],\"paths\":[\"/\"],"
                + "\"site\":{\"name\":\"served\",\"spa\":true}}");
        assertThat(route.status()).as(route.body()).isEqualTo(201);
        assertThat(route.json().get("site").get("spa").asBoolean()).isTrue();
        Response delete = http.delete("/api/v1/sites/served");
        assertThat(delete.status()).as(delete.body()).isEqualTo(409);
        assertThat(delete.json().get("detail").asText()).contains("app-served");
        assertThat(http.delete("/api/v1/routes/app-served").status()).isEqualTo(204);
        assertThat(http.delete("/api/v1/sites/served").status()).isEqualTo(204);
        assertThat(http.get("/api/v1/sites/served").status()).isEqualTo(404);
    }

    /**
     * A site that exists but has no active deployment: every proxy would refuse a snapshot routing to it, so the
     * pre-commit check (which now compiles the sites' deployments, not a state without them) refuses the write.
     */
    @Test
    void aRouteNamingASiteWithNoActiveDeploymentIs422UntilOneIsActivated() {
        Map<String, byte[]> v = files("index.html", "<p>soon</p>");
        JsonNode created = SiteFixture.create(http, "unreleased", v);
        SiteFixture.uploadMissing(http, created, v);
        String route = "{\"name\":\"app-unreleased\",\"hosts\":[\"unreleased.test\"],\"paths\":[\"/\"],"
                + "\"site\":{\"name\":\"unreleased\"}}";
        Response early = http.post("/api/v1/routes", route);
        assertThat(early.status()).as(early.body()).isEqualTo(422);
        assertThat(early.json().get("errors").get(0).get("field").asText()).isEqualTo("site.name");
        assertThat(early.json().get("errors").get(0).get("message").asText()).contains("deployment", "the proxies would reject");
        Response plan = http.send("POST", "/api/v1/config?dry_run=true", "application/yaml",
                "routes:\n  - {name: app-unreleased, hosts: [unreleased.test], paths: [/], site: {name: unreleased}}\n");
        assertThat(plan.json().get("problems").toString()).contains("routes[0].site.name");

        Response activated = http.post("/api/v1/sites/unreleased/deployments/" + created.get("id").asText() + "/activate", "");
        assertThat(activated.status()).as(activated.body()).isEqualTo(200);
        Response later = http.post("/api/v1/routes", route);
        assertThat(later.status()).as(later.body()).isEqualTo(201);
        assertThat(http.delete("/api/v1/routes/app-unreleased").status()).isEqualTo(204);
    }
}
