package io.edgeway.dataplane.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Target;
import io.edgeway.proto.v1.Timeouts;
import io.edgeway.proto.v1.Upstream;
import org.junit.jupiter.api.Test;

class RuntimeConfigTest {

    static Upstream upstream(String name, Target... targets) {
        return Upstream.newBuilder().setName(name).addAllTargets(java.util.List.of(targets)).build();
    }

    static Target target(String host, int port) {
        return Target.newBuilder().setHost(host).setPort(port).setWeight(1).build();
    }

    @Test
    void validSnapshot() throws Exception {
        Snapshot s = Snapshot.newBuilder().setVersion(7).setNonce("n")
                .addUpstreams(upstream("web", target("127.0.0.1", 8080), target("backend.internal", 8081)))
                .addRoutes(Route.newBuilder().setName("r").addHosts("*.Example.com").addPaths("/api")
                        .addMethods("GET").setUpstream("web")
                        .setTimeouts(Timeouts.newBuilder().setFirstByteMs(300)))
                .build();
        RuntimeConfig c = RuntimeConfig.from(s);
        assertThat(c.version()).isEqualTo(7);
        var route = c.routes().match("a.example.com", "/api/x", "GET");
        assertThat(route).isNotNull();
        assertThat(route.timeouts().firstByteMs()).isEqualTo(300);
        assertThat(route.timeouts().connectMs()).isEqualTo(5_000);
        assertThat(route.upstream().targets()).hasSize(2);
        assertThat(route.upstream().targets().get(0).address().isUnresolved()).isFalse();
        assertThat(route.upstream().targets().get(1).address().isUnresolved()).isTrue();
    }

    @Test
    void collectsEveryErrorAndNamesTheResource() {
        Snapshot s = Snapshot.newBuilder().setVersion(3)
                .addUpstreams(upstream("empty"))
                .addUpstreams(upstream("badport", target("127.0.0.1", 70000)))
                .addUpstreams(upstream("dup", target("127.0.0.1", 1)))
                .addUpstreams(upstream("dup", target("127.0.0.1", 2)))
                .addRoutes(Route.newBuilder().setName("orphan").setUpstream("missing"))
                .addRoutes(Route.newBuilder().setName("twice").setUpstream("dup"))
                .addRoutes(Route.newBuilder().setName("twice").setUpstream("dup").addPaths("nope"))
                .addRoutes(Route.newBuilder().setName("regex").setUpstream("dup").addPaths("~/ok$").addPaths("~/(")
                        .addPaths("~/((a{100}){100}){100}"))
                .build();
        assertThatThrownBy(() -> RuntimeConfig.from(s))
                .isInstanceOf(InvalidConfigException.class)
                .satisfies(e -> assertThat(((InvalidConfigException) e).errors()).containsExactlyInAnyOrder(
                        new ConfigError("upstream", "badport", "targets[0].port", "70000 (expected: 1-65535)"),
                        new ConfigError("upstream", "dup", "name", "duplicate upstream name"),
                        new ConfigError("route", "orphan", "upstream",
                                "'missing' (expected: the name of an upstream in this snapshot)"),
                        new ConfigError("route", "twice", "name", "duplicate route name"),
                        new ConfigError("route", "twice", "paths[0]",
                                "'nope' (expected: a prefix starting with / or a regex starting with ~)"),
                        new ConfigError("route", "regex", "paths[1]",
                                "'~/(': invalid regular expression: missing closing )"),
                        new ConfigError("route", "regex", "paths[2]",
                                "'~/((a{100}){100}){100}': nested repetition counts multiply to 1000000 (expected: at most 1000)")));
    }

    @Test
    void upstreamProtocolIsParsedAndAnUnknownOneRejected() throws Exception {
        RuntimeConfig c = RuntimeConfig.from(Snapshot.newBuilder().setVersion(1)
                .addUpstreams(upstream("h2", target("127.0.0.1", 1)).toBuilder()
                        .setProtocol(io.edgeway.proto.v1.UpstreamProtocol.H2C))
                .addUpstreams(upstream("h1", target("127.0.0.1", 2)))
                .build());
        assertThat(c.upstreams().get("h2").protocol()).isEqualTo(io.edgeway.dataplane.balancing.TargetGroup.Protocol.H2C);
        assertThat(c.upstreams().get("h1").protocol()).isEqualTo(io.edgeway.dataplane.balancing.TargetGroup.Protocol.HTTP1);
        // A protocol from a newer control plane is refused, not silently spoken as HTTP/1.1.
        Snapshot newer = Snapshot.newBuilder().setVersion(2)
                .addUpstreams(upstream("h3", target("127.0.0.1", 1)).toBuilder().setProtocolValue(3)).build();
        assertThatThrownBy(() -> RuntimeConfig.from(newer)).isInstanceOf(InvalidConfigException.class)
                .satisfies(e -> assertThat(((InvalidConfigException) e).errors()).containsExactly(
                        new ConfigError("upstream", "h3", "protocol", "3 (expected: a protocol this proxy knows)")));
    }

    @Test
    void acceptsAnUpstreamWithoutTargetsWhoseRequestsGet503() throws Exception {
        // Operators create an upstream first and add targets later (as in Kong); the balancer then has
        // nothing to pick and the request path answers 503, rather than every proxy nacking the config.
        RuntimeConfig config = RuntimeConfig.from(Snapshot.newBuilder().setVersion(1)
                .addUpstreams(upstream("empty"))
                .addRoutes(Route.newBuilder().setName("r").setUpstream("empty"))
                .build());
        assertThat(config.upstreams().get("empty").pick(new io.netty.handler.codec.http.DefaultHttpHeaders(), "127.0.0.1")).isNull();
    }

    @Test
    void rejectsBadHostsMethodsAndNegativeTimeouts() {
        Snapshot s = Snapshot.newBuilder().setVersion(1)
                .addUpstreams(upstream("u", target("bad host!", 80)))
                .addRoutes(Route.newBuilder().setName("r").setUpstream("u").addHosts("a.*.com")
                        .addMethods("get").setTimeouts(Timeouts.newBuilder().setConnectMs(-1)))
                .build();
        assertThatThrownBy(() -> RuntimeConfig.from(s)).isInstanceOf(InvalidConfigException.class)
                .satisfies(e -> assertThat(((InvalidConfigException) e).errors())
                        .extracting(ConfigError::field)
                        .containsExactlyInAnyOrder("targets[0].host", "hosts[0]", "methods[0]",
                                "timeouts.connect_ms"));
    }

    @Test
    void versionMustNotBeNegative() {
        assertThatThrownBy(() -> RuntimeConfig.from(Snapshot.newBuilder().setVersion(-1).build()))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("version");
    }

    @Test
    void anEmptyControlPlanesVersionZeroIsAConfigWithNoRoutes() throws Exception {
        RuntimeConfig c = RuntimeConfig.from(Snapshot.newBuilder().setVersion(0).build());

        assertThat(c).isNotSameAs(RuntimeConfig.NONE);
        assertThat(c.version()).isZero();
        assertThat(c.routes().match("any.example.com", "/", "GET")).isNull();
    }

    @Test
    void backoffGrowsToTheCapWithJitter() {
        assertThat(ConfigClient.backoffMillis(0, 0.5)).isEqualTo(100);
        assertThat(ConfigClient.backoffMillis(3, 0.5)).isEqualTo(800);
        assertThat(ConfigClient.backoffMillis(30, 0.5)).isEqualTo(10_000);
        assertThat(ConfigClient.backoffMillis(30, 0.999)).isLessThan(15_000).isGreaterThan(10_000);
        assertThat(ConfigClient.backoffMillis(0, 0.0)).isEqualTo(50);
    }
}
