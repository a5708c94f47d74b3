package io.edgeway.controlplane.tls;

import io.edgeway.dataplane.control.KeyMaterial;
import io.edgeway.proto.v1.ConfigDiscoveryGrpc;
import io.edgeway.proto.v1.ControlMessage;
import io.edgeway.proto.v1.Hello;
import io.edgeway.proto.v1.NodeMessage;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.StreamObserver;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A raw config-stream client on loopback with chosen TLS credentials: what the stream answers to one Hello. */
final class StreamProbe {
    private StreamProbe() {}

    static ChannelCredentials tls(X509Certificate trustedCa, PrivateKey key, X509Certificate cert) throws Exception {
        TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder().trustManager(KeyMaterial.trustManagers(trustedCa));
        if (key != null) {
            b.keyManager(KeyMaterial.keyManagers(key, cert));
        }
        return b.build();
    }

    /** OK when a snapshot arrived; otherwise the status the stream ended with. */
    static Status hello(int port, ChannelCredentials credentials, String nodeId) throws Exception {
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", port, credentials).build();
        try {
            CompletableFuture<Status> result = new CompletableFuture<>();
            StreamObserver<NodeMessage> out = ConfigDiscoveryGrpc.newStub(channel).stream(new StreamObserver<>() {
                @Override
                public void onNext(ControlMessage m) {
                    result.complete(Status.OK);
                }

                @Override
                public void onError(Throwable t) {
                    result.complete(Status.fromThrowable(t));
                }

                @Override
                public void onCompleted() {
                    result.complete(Status.UNKNOWN.withDescription("completed without a snapshot"));
                }
            });
            out.onNext(NodeMessage.newBuilder().setHello(Hello.newBuilder().setNodeId(nodeId)).build());
            return result.get(20, TimeUnit.SECONDS);
        } finally {
            channel.shutdownNow();
        }
    }
}
