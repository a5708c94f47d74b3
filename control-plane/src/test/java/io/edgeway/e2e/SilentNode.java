package io.edgeway.e2e;

import io.edgeway.proto.v1.ConfigDiscoveryGrpc;
import io.edgeway.proto.v1.ControlMessage;
import io.edgeway.proto.v1.Hello;
import io.edgeway.proto.v1.NodeMessage;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.TimeUnit;

/** A node that connects, says hello, and never acks a snapshot: a proxy stuck applying, as seen by its replica. */
final class SilentNode implements AutoCloseable {
    private final ManagedChannel channel;

    SilentNode(int grpcPort, String id) {
        channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
        StreamObserver<NodeMessage> out = ConfigDiscoveryGrpc.newStub(channel).stream(new StreamObserver<ControlMessage>() {
            @Override
            public void onNext(ControlMessage m) {
                // read and never answered
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
            }
        });
        out.onNext(NodeMessage.newBuilder().setHello(Hello.newBuilder().setNodeId(id)).build());
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow();
        channel.awaitTermination(5, TimeUnit.SECONDS);
    }
}
