package io.edgeway.dataplane;

import com.google.protobuf.ByteString;
import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.RouteSite;
import io.edgeway.proto.v1.SiteDeployment;
import io.edgeway.proto.v1.SiteFile;
import io.edgeway.proto.v1.Snapshot;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/** A site deployment made in a test as the control plane makes one: content-addressed blobs and a manifest. */
final class SiteFixture {
    /** The blobs of this deployment by hash, for the test control plane to serve. */
    final Map<String, byte[]> blobs = new LinkedHashMap<>();
    /** The files by manifest path, as they were given (identity bytes). */
    final Map<String, byte[]> files = new LinkedHashMap<>();
    private final SiteDeployment.Builder deployment;

    SiteFixture(String site, String deploymentId, long createdAtMs) {
        deployment = SiteDeployment.newBuilder().setSite(site).setDeploymentId(deploymentId).setCreatedAtMs(createdAtMs);
    }

    /** The committed Vite build ("dist" or "dist-v2") under test resources. */
    static Path viteBuild(String name) {
        try {
            return Path.of(SiteFixture.class.getResource("/sites/react-app/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every regular file under {@code root}, by its relative path. */
    SiteFixture dir(Path root) {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.filter(Files::isRegularFile).sorted().toList()) {
                file(root.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    SiteFixture file(String path, byte[] data) {
        return add(path, data, null, null);
    }

    /** With a real gzip variant and {@code br} as the brotli variant (opaque bytes to the proxy, which never decodes). */
    SiteFixture fileWithVariants(String path, byte[] data, byte[] br) {
        return add(path, data, gzip(data), br);
    }

    private SiteFixture add(String path, byte[] data, byte[] gz, byte[] br) {
        files.put(path, data);
        SiteFile.Builder f = SiteFile.newBuilder().setPath(path).setSha256(put(data)).setSize(data.length)
                .setContentType(contentType(path));
        if (gz != null) {
            f.setGzipSha256(put(gz)).setGzipSize(gz.length);
        }
        if (br != null) {
            f.setBrSha256(put(br)).setBrSize(br.length);
        }
        deployment.addFiles(f);
        return this;
    }

    private String put(byte[] data) {
        String sha = sha256(data);
        blobs.put(sha, data);
        return sha;
    }

    SiteDeployment build() {
        return deployment.build();
    }

    /** A snapshot with these deployments and one route per host serving the first site. */
    static Snapshot snapshot(long version, String host, boolean spa, SiteDeployment... sites) {
        return Snapshot.newBuilder().setVersion(version).setNonce("n" + version).addAllSites(List.of(sites))
                .addRoutes(Route.newBuilder().setName("app").addHosts(host).addPaths("/")
                        .setSite(RouteSite.newBuilder().setName(sites[0].getSite()).setSpa(spa)))
                .build();
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static String contentType(String path) {
        String ext = path.substring(path.lastIndexOf('.') + 1);
        return switch (ext) {
            case "html" -> "text/html; charset=utf-8";
            case "js" -> "text/javascript; charset=utf-8";
            case "css" -> "text/css; charset=utf-8";
            case "txt" -> "text/plain; charset=utf-8";
            case "svg" -> "image/svg+xml";
            default -> "application/octet-stream";
        };
    }

    static ByteString bytes(byte[] b) {
        return ByteString.copyFrom(b);
    }
}
