package io.edgeway.controlplane.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edgeway.controlplane.ControlPlane;
import io.edgeway.controlplane.Http;
import io.edgeway.controlplane.SiteFixture;
import io.edgeway.controlplane.TestDatabase;
import io.edgeway.dataplane.control.Pems;
import io.edgeway.proto.v1.BlobChunk;
import io.edgeway.proto.v1.ConfigDiscoveryGrpc;
import io.edgeway.proto.v1.FetchBlobRequest;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** FetchBlob over the real mTLS control channel: the exact bytes in chunks to a node, nothing to anyone else. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FetchBlobTest {
    private Path tmp;
    private TestDatabase db;
    private ControlPlane cp;
    private Http http;
    private X509Certificate ca;
    private final byte[] video = new byte[(5 << 19) + 123]; // 2.5 MiB and a bit: three chunks
    private final byte[] page = SiteFixture.text("<p>hello</p>");

    @BeforeAll
    void start() throws Exception {
        tmp = Files.createTempDirectory("fetch-blob-test");
        db = TestDatabase.create(getClass());
        io.edgeway.controlplane.Settings base = db.settings();
        cp = ControlPlane.start(new io.edgeway.controlplane.Settings(base.dbUrl(), base.dbUser(), base.dbPassword(),
                tmp.resolve("cp"), "127.0.0.1", 0, "127.0.0.1", 0, base.adminToken(), GrpcSecurity.DEFAULTS, null), Map.of());
        http = new Http(cp.adminPort());
        ca = Pems.certificates(Files.readString(tmp.resolve("cp/ca/ca.pem"))).get(0);
        new Random(17).nextBytes(video);
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("index.html", page);
        files.put("media/intro.mp4", video);
        SiteFixture.deploy(http, "media", files);
    }

    @AfterAll
    void stop() {
        cp.close();
    }

    private Enroll.Issued node(String id) throws Exception {
        Http.Response token = http.post("/api/v1/join-tokens", "{\"name\":\"t-" + id + "\",\"ttl\":\"1h\"}");
        assertThat(token.status()).as(token.body()).isEqualTo(201);
        return Enroll.join(cp.grpcPort(), ca, token.json().get("token").asText(), id);
    }

    /** The blob's bytes as FetchBlob streams them; every chunk at most 1 MiB. */
    private byte[] fetch(ChannelCredentials credentials, String sha256, int[] chunks) {
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", cp.grpcPort(), credentials).build();
        try {
            Iterator<BlobChunk> it = ConfigDiscoveryGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .fetchBlob(FetchBlobRequest.newBuilder().setSha256(sha256).build());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            while (it.hasNext()) {
                BlobChunk c = it.next();
                assertThat(c.getData().size()).isLessThanOrEqualTo(1 << 20);
                c.getData().writeTo(out);
                chunks[0]++;
            }
            return out.toByteArray();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void aNodeGetsTheExactBytesInChunksOfAtMostOneMebibyte() throws Exception {
        Enroll.Issued n = node("blob-node");
        ChannelCredentials creds = StreamProbe.tls(ca, n.key(), n.certificate());
        int[] chunks = {0};
        assertThat(fetch(creds, SiteFixture.sha256(video), chunks)).isEqualTo(video);
        assertThat(chunks[0]).isEqualTo(3);
        int[] one = {0};
        assertThat(fetch(creds, SiteFixture.sha256(page), one)).isEqualTo(page);
    }

    @Test
    void anUnknownHashIsNotFoundAndAMalformedOneIsInvalid() throws Exception {
        Enroll.Issued n = node("blob-node-2");
        ChannelCredentials creds = StreamProbe.tls(ca, n.key(), n.certificate());
        String unknown = SiteFixture.sha256(SiteFixture.text("never deployed"));
        assertThatThrownBy(() -> fetch(creds, unknown, new int[1])).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
        assertThatThrownBy(() -> fetch(creds, "../../etc/passwd", new int[1])).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    }

    @Test
    void aClientWithoutANodeCertificateGetsNothing() throws Exception {
        ChannelCredentials noCert = StreamProbe.tls(ca, null, null);
        assertThatThrownBy(() -> fetch(noCert, SiteFixture.sha256(page), new int[1])).isInstanceOfSatisfying(
                StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
    }
}
