package io.edgeway.controlplane.tls;

import com.google.protobuf.ByteString;
import io.edgeway.dataplane.control.KeyMaterial;
import io.edgeway.dataplane.control.Pems;
import io.edgeway.proto.v1.JoinRequest;
import io.edgeway.proto.v1.NodeCredentials;
import io.edgeway.proto.v1.NodeEnrollmentGrpc;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** A test's own Join call (what a proxy does), trusting the CA the test read from the control plane's data dir. */
final class Enroll {
    record Issued(PrivateKey key, X509Certificate certificate) {}

    private Enroll() {}

    static Issued join(int port, X509Certificate ca, String token, String nodeId) throws Exception {
        KeyPair pair = Pems.newEcKey();
        byte[] csr = new JcaPKCS10CertificationRequestBuilder(new X500Principal("CN=" + nodeId), pair.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())).getEncoded();
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", port,
                TlsChannelCredentials.newBuilder().trustManager(KeyMaterial.trustManagers(ca)).build()).build();
        try {
            NodeCredentials c = NodeEnrollmentGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                    .join(JoinRequest.newBuilder().setToken(token).setNodeId(nodeId).setCsrDer(ByteString.copyFrom(csr)).build());
            return new Issued(pair.getPrivate(), Pems.certificates(c.getCertificatePem()).get(0));
        } finally {
            channel.shutdownNow();
        }
    }
}
