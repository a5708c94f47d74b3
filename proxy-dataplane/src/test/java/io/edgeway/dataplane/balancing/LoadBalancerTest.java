package io.edgeway.dataplane.balancing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class LoadBalancerTest {
    static final HttpHeaders NO_HEADERS = EmptyHttpHeaders.INSTANCE;

    static List<Endpoint> targets(int... weights) {
        List<Endpoint> out = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            out.add(Endpoint.of("10.0.0." + (i + 1), 8080, weights[i]));
        }
        return out;
    }

    static Map<String, Integer> counts(LoadBalancer lb, int picks) {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < picks; i++) {
            counts.merge(lb.pick(NO_HEADERS, "127.0.0.1").toString(), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void weightedRoundRobinHonoursWeightsExactlyOverOneCycle() {
        Map<String, Integer> c = counts(LoadBalancer.weightedRoundRobin(targets(1, 2, 3)), 6_000);
        assertThat(c).containsEntry("10.0.0.1:8080", 1_000).containsEntry("10.0.0.2:8080", 2_000)
                .containsEntry("10.0.0.3:8080", 3_000);
    }

    @Test
    void weightedRoundRobinInterleavesLikeNginx() {
        LoadBalancer lb = LoadBalancer.weightedRoundRobin(targets(5, 1, 1));
        String seq = IntStream.range(0, 7).mapToObj(i -> lb.pick(NO_HEADERS, "").host().substring(7))
                .collect(Collectors.joining(","));
        assertThat(seq).isEqualTo("1,1,2,1,3,1,1"); // nginx's smooth order for 5:1:1: a a b a c a a
    }

    @Test
    void leastRequestNeverPicksTheBusiestOfTwoChoices() {
        List<Endpoint> ts = targets(1, 1, 1);
        for (int i = 0; i < 10; i++) {
            ts.get(0).state().begin(); // ten requests in flight on the first target
        }
        Map<String, Integer> c = counts(LoadBalancer.leastRequest(ts), 3_000);
        assertThat(c).doesNotContainKey("10.0.0.1:8080");
        assertThat(c.get("10.0.0.2:8080") / 3_000.0).isCloseTo(0.5, within(0.05));
    }

    @Test
    void leastRequestSpreadsBetweenEquallyLoadedTargets() {
        List<Endpoint> ts = targets(1, 1);
        TargetGroup u = new TargetGroup("u", ts, Policy.LEAST_REQUEST, null, 0, HealthPolicy.NONE, null);
        // Picks that are never released: P2C keeps the two outstanding counts within one of each other.
        for (int i = 0; i < 1_000; i++) {
            u.pick(NO_HEADERS, "");
        }
        assertThat(Math.abs(ts.get(0).state().outstanding() - ts.get(1).state().outstanding())).isLessThanOrEqualTo(1);
    }

    /**
     * Removing one of ten targets moves exactly the keys it owned and no other. How many that is depends on
     * its share of the ring (10 % +- ring imbalance), so per removal we allow 88 %; averaged over removing
     * each of the ten in turn the kept fraction is 1 - mean(share) = 90 %.
     */
    @Test
    void consistentHashMovesOnlyTheRemovedTargetsKeys() {
        List<Endpoint> ten = targets(1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        HashKey key = HashKey.header("X-User");
        LoadBalancer before = LoadBalancer.consistentHash(ten, key);
        int keys = 10_000;
        List<HttpHeaders> requests = IntStream.range(0, keys)
                .mapToObj(i -> (HttpHeaders) new DefaultHttpHeaders().set("X-User", "user-" + i)).toList();
        double keptSum = 0;
        for (Endpoint removed : ten) {
            List<Endpoint> nine = new ArrayList<>(ten);
            nine.remove(removed);
            LoadBalancer after = LoadBalancer.consistentHash(nine, key);
            int stayed = 0;
            for (HttpHeaders h : requests) {
                Endpoint t0 = before.pick(h, "");
                Endpoint t1 = after.pick(h, "");
                if (t0 != removed) {
                    assertThat(t1).as("a key not on the removed target never moves").isSameAs(t0);
                    stayed++;
                }
            }
            assertThat(stayed / (double) keys).as("kept after removing " + removed).isGreaterThanOrEqualTo(0.88);
            keptSum += stayed / (double) keys;
        }
        assertThat(keptSum / ten.size()).isGreaterThanOrEqualTo(0.8999);
    }

    @Test
    void consistentHashAddingATargetMovesAboutOneNthOfTheKeys() {
        List<Endpoint> ten = targets(1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        List<Endpoint> eleven = new ArrayList<>(ten);
        eleven.add(Endpoint.of("10.0.0.99", 8080, 1));
        LoadBalancer before = LoadBalancer.consistentHash(ten, HashKey.clientIp());
        LoadBalancer after = LoadBalancer.consistentHash(eleven, HashKey.clientIp());
        int moved = 0;
        for (int i = 0; i < 10_000; i++) {
            String ip = "192.0." + (i / 256) + "." + (i % 256);
            Endpoint t1 = after.pick(NO_HEADERS, ip);
            if (t1 != before.pick(NO_HEADERS, ip)) {
                assertThat(t1.host()).as("keys only move to the new target").isEqualTo("10.0.0.99");
                moved++;
            }
        }
        assertThat(moved / 10_000.0).isCloseTo(1 / 11.0, within(0.02));
    }

    @Test
    void consistentHashIsStickyPerKeyAndSpreadsKeylessRequests() {
        List<Endpoint> ts = targets(1, 1, 1);
        LoadBalancer lb = LoadBalancer.consistentHash(ts, HashKey.cookie("session"));
        HttpHeaders h = new DefaultHttpHeaders().set("Cookie", "theme=dark; session=abc123; x=1");
        Endpoint first = lb.pick(h, "");
        for (int i = 0; i < 100; i++) {
            assertThat(lb.pick(h, "")).isSameAs(first);
        }
        HttpHeaders same = new DefaultHttpHeaders().set("Cookie", "session=abc123");
        assertThat(lb.pick(same, "")).isSameAs(first);
        assertThat(counts(lb, 300)).hasSize(3).allSatisfy((t, n) -> assertThat(n).isEqualTo(100));
        LoadBalancer byIp = LoadBalancer.consistentHash(ts, HashKey.clientIp());
        assertThat(byIp.pick(NO_HEADERS, "192.0.2.7")).isSameAs(byIp.pick(NO_HEADERS, "192.0.2.7"));
    }

    @Test
    void cookieHashFindsTheNamedCookieOnly() {
        HashKey k = HashKey.cookie("session");
        long h = k.hash(new DefaultHttpHeaders().set("Cookie", "session=abc"), "");
        assertThat(k.hash(new DefaultHttpHeaders().set("Cookie", "a=b; session=abc"), "")).isEqualTo(h);
        assertThat(k.hash(new DefaultHttpHeaders().set("Cookie", "xsession=abc; sessionx=abc"), ""))
                .isEqualTo(HashKey.NONE);
        assertThat(k.hash(new DefaultHttpHeaders(), "")).isEqualTo(HashKey.NONE);
    }

    @Test
    void passiveEjectionSkipsTheTargetAndAllEjectedFailsOpen() {
        List<Endpoint> ts = targets(1, 1);
        HealthPolicy health = new HealthPolicy(null, new HealthPolicy.Passive(3, 60_000));
        TargetGroup u = new TargetGroup("u", ts, Policy.ROUND_ROBIN, null, 0, health, null);
        ts.get(0).onFailure();
        ts.get(0).onFailure();
        assertThat(ts.get(0).state().ejected()).isFalse();
        ts.get(0).onFailure();
        assertThat(ts.get(0).state().ejected()).isTrue();
        for (int i = 0; i < 10; i++) {
            assertThat(u.pick(NO_HEADERS, "")).isSameAs(ts.get(1));
        }
        assertThat(u.failOpenTotal()).isZero();
        for (int i = 0; i < 3; i++) {
            ts.get(1).onFailure();
        }
        assertThat(u.failingOpen()).isTrue();
        Map<String, Integer> c = new HashMap<>();
        for (int i = 0; i < 10; i++) {
            c.merge(u.pick(NO_HEADERS, "").toString(), 1, Integer::sum);
        }
        assertThat(c).containsEntry("10.0.0.1:8080", 5).containsEntry("10.0.0.2:8080", 5);
        assertThat(u.failOpenTotal()).isEqualTo(10);
    }

    @Test
    void aSuccessResetsTheConsecutiveFailureCount() {
        List<Endpoint> ts = targets(1, 1);
        TargetGroup u = new TargetGroup("u", ts, Policy.ROUND_ROBIN, null, 0,
                new HealthPolicy(null, new HealthPolicy.Passive(2, 60_000)), null);
        ts.get(0).onFailure();
        ts.get(0).onSuccess();
        ts.get(0).onFailure();
        assertThat(ts.get(0).state().ejected()).isFalse();
        assertThat(u.failingOpen()).isFalse();
    }

    @Test
    void slowStartGivesANewTargetAFractionOfItsWeight() {
        List<Endpoint> old = targets(1, 1);
        TargetGroup first = new TargetGroup("u", old, Policy.ROUND_ROBIN, null, 60_000, HealthPolicy.NONE, null);
        // Pretend the first two have been there for the whole window; the third is new.
        long now = System.nanoTime();
        List<Endpoint> next = new ArrayList<>();
        next.add(Endpoint.of("10.0.0.1", 8080, 1, old.get(0)));
        next.add(Endpoint.of("10.0.0.2", 8080, 1, old.get(1)));
        next.add(Endpoint.of("10.0.0.9", 8080, 1));
        old.forEach(t -> t.state().activeHealthy(false, now));
        old.forEach(t -> t.state().activeHealthy(true, now - 61_000_000_000L));
        TargetGroup u = new TargetGroup("u", next, Policy.ROUND_ROBIN, null, 60_000, HealthPolicy.NONE, first);
        Map<String, Integer> c = new HashMap<>();
        for (int i = 0; i < 2_100; i++) {
            c.merge(u.pick(NO_HEADERS, "").toString(), 1, Integer::sum);
        }
        // Step 1 of 10 against two targets at full weight: 1/21 of the picks.
        assertThat(c.get("10.0.0.9:8080")).isEqualTo(100);
        assertThat(c.get("10.0.0.1:8080")).isEqualTo(1_000);
    }
}
