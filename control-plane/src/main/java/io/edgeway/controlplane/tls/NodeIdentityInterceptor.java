package io.edgeway.controlplane.tls;

import static java.util.Objects.requireNonNull;

import io.edgeway.controlplane.discovery.PeerIdentity;
import io.edgeway.proto.v1.NodeEnrollmentGrpc;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Makes the verified client certificate the caller's identity, for every call on the gRPC port except Join
 * (which a new proxy makes before it has a certificate, and which checks a join token instead). The TLS layer
 * already verified the chain against this control plane's CA, its only trust anchor; the signature is checked
 * again here so that no TLS setting can ever widen who gets in.
 */
public final class NodeIdentityInterceptor implements ServerInterceptor {
    private static final String JOIN = NodeEnrollmentGrpc.getJoinMethod().getFullMethodName();

    private final CertificateAuthority ca;
    private final Revocations revocations;

    public NodeIdentityInterceptor(CertificateAuthority ca, Revocations revocations) {
        this.ca = requireNonNull(ca, "ca");
        this.revocations = requireNonNull(revocations, "revocations");
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        if (JOIN.equals(call.getMethodDescriptor().getFullMethodName())) {
            return next.startCall(call, headers);
        }
        SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        X509Certificate leaf;
        try {
            Certificate[] peer = session == null ? null : session.getPeerCertificates();
            if (peer == null || peer.length == 0 || !(peer[0] instanceof X509Certificate x)) {
                return refuse(call, Status.UNAUTHENTICATED, "no client certificate");
            }
            leaf = x;
        } catch (SSLPeerUnverifiedException e) {
            return refuse(call, Status.UNAUTHENTICATED, "no client certificate (a proxy joins with EDGEWAY_JOIN_TOKEN first)");
        }
        try {
            leaf.verify(ca.certificate().getPublicKey());
            leaf.checkValidity(); // a connection can outlive its certificate; a new call on it cannot
        } catch (GeneralSecurityException e) {
            return refuse(call, Status.UNAUTHENTICATED, "client certificate not valid for this control plane: " + e.getMessage());
        }
        String nodeId = nodeIdOf(leaf);
        if (nodeId == null) {
            return refuse(call, Status.PERMISSION_DENIED, "client certificate names no node (expected a SAN URI "
                    + CertificateAuthority.NODE_URI_PREFIX + "<id>)");
        }
        String serial = leaf.getSerialNumber().toString(16);
        if (revocations.isRevoked(serial)) {
            return refuse(call, Status.PERMISSION_DENIED, "node " + nodeId + " was revoked; it must join again with a join token");
        }
        PeerIdentity identity = new PeerIdentity(nodeId, serial, leaf.getNotAfter().toInstant());
        Context context = Context.current().withValue(PeerIdentity.CURRENT, identity);
        return Contexts.interceptCall(context, call, headers, next);
    }

    /** The node id a certificate of ours names in its SAN URI; null if it names none. */
    public static String nodeIdOf(X509Certificate c) {
        try {
            Collection<List<?>> sans = c.getSubjectAlternativeNames();
            if (sans == null) {
                return null;
            }
            for (List<?> san : sans) {
                if (Integer.valueOf(6).equals(san.get(0)) && san.get(1) instanceof String uri
                        && uri.startsWith(CertificateAuthority.NODE_URI_PREFIX)) {
                    String id = uri.substring(CertificateAuthority.NODE_URI_PREFIX.length());
                    return NodeIds.valid(id) ? id : null;
                }
            }
            return null;
        } catch (CertificateParsingException e) {
            return null;
        }
    }

    private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, Status status, String why) {
        call.close(status.withDescription(why), new Metadata());
        return new ServerCall.Listener<>() {};
    }
}
