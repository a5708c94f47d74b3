package io.edgeway.controlplane.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.controlplane.model.Config;
import io.edgeway.controlplane.model.FieldError;
import io.edgeway.controlplane.model.Route;
import io.edgeway.controlplane.model.Target;
import io.edgeway.controlplane.model.Upstream;
import io.edgeway.dataplane.config.InvalidConfigException;
import io.edgeway.dataplane.config.RuntimeConfig;
import io.edgeway.proto.v1.Snapshot;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The dry run's proxy check against the proxy's real compiler (on the test classpath only): for configs the
 * admin model accepts, SnapshotCheck finds problems exactly when RuntimeConfig.from rejects the snapshot,
 * and as many.
 */
class SnapshotParityTest {
    static Stream<Arguments> configs() {
        Upstream shop = new Upstream("shop", List.of(), List.of(Target.of("127.0.0.1", 9001), new Target("::1", 9002, 0)));
        Upstream named = new Upstream("named", List.of("t"), List.of(Target.of("backend.internal", 443)));
        Upstream empty = new Upstream("empty", List.of(), List.of());
        return Stream.of(
                Arguments.of("empty config", new Config(List.of(), List.of())),
                Arguments.of("typical", new Config(List.of(shop, named), List.of(
                        route("a", List.of("shop.example.com", "*.example.org"), List.of("GET", "M-SEARCH"), "shop"),
                        route("b", List.of(), List.of(), "named")))),
                Arguments.of("upstream without targets", new Config(List.of(empty), List.of(route("a", List.of(), List.of(), "empty")))),
                Arguments.of("method with a dot", new Config(List.of(shop), List.of(route("a", List.of(), List.of("GET.X"), "shop")))),
                Arguments.of("method starting with _", new Config(List.of(shop), List.of(route("a", List.of(), List.of("_GET"), "shop")))),
                Arguments.of("two problems", new Config(List.of(shop, empty), List.of(route("a", List.of(), List.of("A~B"), "shop")))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void snapshotCheckAgreesWithTheProxyCompiler(String name, Config config) {
        Snapshot snapshot = SnapshotCheck.snapshot(config, 7);
        List<FieldError> ours = SnapshotCheck.problems(config, 7);
        int proxyErrors;
        try {
            RuntimeConfig.from(snapshot);
            proxyErrors = 0;
        } catch (InvalidConfigException e) {
            proxyErrors = e.errors().size();
        }
        assertThat(ours).as("%s: ours %s", name, ours).hasSize(proxyErrors);
    }

    private static Route route(String name, List<String> hosts, List<String> methods, String upstream) {
        return new Route(name, List.of(), hosts, List.of("/" + name), methods, upstream, null);
    }
}
