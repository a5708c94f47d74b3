package io.edgeway.dataplane.tls;

import io.edgeway.proto.v1.Certificate;
import io.edgeway.proto.v1.Snapshot;
import io.netty.handler.ssl.SslContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a handshake gets when no pushed certificate names its SNI (or it sent none):
 * <pre>
 * EDGEWAY_TLS_DEFAULT_CERTIFICATE   the name of a pushed certificate
 * EDGEWAY_TLS_SELF_SIGNED=true      else a self-signed localhost certificate the proxy makes at start
 *                                   (./edgeway up sets it, so curl -k https://localhost:8443/ works at once)
 * neither                           the handshake fails with unrecognized_name
 * </pre>
 */
public record DefaultCertificate(String name, SslContext generated) {
    public static final DefaultCertificate NONE = new DefaultCertificate(null, null);

    public static DefaultCertificate from(Map<String, String> env) {
        String name = env.get("EDGEWAY_TLS_DEFAULT_CERTIFICATE");
        name = name == null || name.isBlank() ? null : name.trim();
        String selfSigned = env.getOrDefault("EDGEWAY_TLS_SELF_SIGNED", "false").trim();
        if (!selfSigned.equals("true") && !selfSigned.equals("false")) {
            throw new IllegalArgumentException("EDGEWAY_TLS_SELF_SIGNED: " + selfSigned + " (expected: true or false)");
        }
        return new DefaultCertificate(name, selfSigned.equals("true") ? localhost() : null);
    }

    /** Compiled like a pushed certificate, so it follows the same policy (protocols, ciphers, ALPN). */
    static SslContext localhost() {
        SelfSigned.Pem pem = SelfSigned.create("EC", List.of("localhost"), Duration.ofDays(365));
        Snapshot s = Snapshot.newBuilder().addCertificates(Certificate.newBuilder().setName("self-signed-localhost")
                .setCertChainPem(pem.certChainPem()).setPrivateKeyPem(pem.privateKeyPem()).addSnis("localhost")).build();
        List<io.edgeway.dataplane.config.ConfigError> errors = new ArrayList<>();
        CertificateContext c = TlsCertificates.prepare(s, TlsCertificates.NONE, errors).build().named("self-signed-localhost");
        if (!errors.isEmpty() || c == null) {
            throw new IllegalStateException("self-signed certificate refused: " + errors);
        }
        try {
            return c.compileNow(TicketKeys.NONE);
        } catch (Exception e) {
            throw new IllegalStateException("self-signed certificate refused by the TLS engine", e);
        }
    }
}
