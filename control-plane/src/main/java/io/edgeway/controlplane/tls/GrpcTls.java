package io.edgeway.controlplane.tls;

import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.edgeway.dataplane.control.KeyMaterial;
import java.security.GeneralSecurityException;
import java.util.List;

/** The gRPC port's TLS: the server certificate from our CA, and our CA as the only anchor for client certificates. */
public final class GrpcTls {
    private GrpcTls() {}

    /**
     * Client certificates are OPTIONAL at the TLS layer only because Join must work before a proxy has one:
     * a presented certificate is still verified against our CA in the handshake, and {@link NodeIdentityInterceptor}
     * refuses every other call that comes without one. TLS 1.2+ only (grpc-java's defaults).
     */
    public static ServerCredentials credentials(CertificateAuthority ca, List<String> names) {
        CertificateAuthority.ServerIdentity server = ca.issueServer(names);
        try {
            return TlsServerCredentials.newBuilder()
                    .keyManager(KeyMaterial.keyManagers(server.key(), server.certificate(), server.ca()))
                    .trustManager(KeyMaterial.trustManagers(ca.certificate()))
                    .clientAuth(TlsServerCredentials.ClientAuth.OPTIONAL)
                    .build();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("gRPC TLS", e);
        }
    }
}
