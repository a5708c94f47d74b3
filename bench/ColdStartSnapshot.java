import io.edgeway.dataplane.config.DiskCache;
import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Target;
import io.edgeway.proto.v1.Upstream;
import java.nio.file.Path;

/**
 * bench/cold-start.sh's config without a control plane: writes the proxy's disk cache (DATA_DIR/snapshot.bin)
 * with one route, any host, to 127.0.0.1:PORT. A proxy started on that data directory applies it before it binds,
 * so each cold round starts the proxy alone, as an autoscaling group's new node starts from its image.
 * Run: java -cp 'proxy-dataplane/target/*:proxy-dataplane/target/lib/*' bench/ColdStartSnapshot.java DATA_DIR PORT
 */
public class ColdStartSnapshot {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[1]);
        new DiskCache(Path.of(args[0])).store(Snapshot.newBuilder().setVersion(1).setNonce("bench")
                .addUpstreams(Upstream.newBuilder().setName("bench")
                        .addTargets(Target.newBuilder().setHost("127.0.0.1").setPort(port).setWeight(1)))
                .addRoutes(Route.newBuilder().setName("bench").addPaths("/").setUpstream("bench"))
                .build());
    }
}
