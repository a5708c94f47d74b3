package io.edgeway.controlplane.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The N% selector (issue 22): which nodes it picks, that the pick depends on the node id alone, and never none. */
class NodeSelectorPercentTest {
    private static final List<String> FLEET = IntStream.range(0, 1000).mapToObj(i -> "edge-" + i).toList();

    @Test
    void aPercentagePicksAboutThatShareOfAFleetByTheIdsHashAlone() {
        NodeSelector ten = NodeSelector.parse("10%");
        List<String> picked = FLEET.stream().filter(id -> ten.matches(id, Map.of())).toList();
        // CRC32 spreads 1,000 ids evenly enough: 10 % is 100, give or take a few tens.
        assertThat(picked.size()).isBetween(60, 140);
        assertThat(picked).allMatch(id -> NodeSelector.bucket(id) < 10);
        // labels play no part, and every replica (a new parse) picks the same nodes
        NodeSelector again = NodeSelector.parse("10%");
        assertThat(FLEET.stream().filter(id -> again.matches(id, Map.of("canary", "true"))).toList()).isEqualTo(picked);
        // a larger share keeps every node a smaller one picked: widening a rollout never swaps nodes out
        NodeSelector fifty = NodeSelector.parse("50%");
        assertThat(picked).allMatch(id -> fifty.matches(id, Map.of()));
        assertThat(FLEET.stream().filter(id -> NodeSelector.parse("100%").matches(id, Map.of()))).hasSize(FLEET.size());
    }

    @Test
    void whenTheHashPicksNoConnectedNodeTheFallbackIsTheLowestBucketAndOnlyIt() {
        List<String> unpicked = new ArrayList<>(FLEET.stream().filter(id -> NodeSelector.bucket(id) >= 5).limit(3).toList());
        NodeSelector five = NodeSelector.parse("5%");
        assertThat(unpicked).noneMatch(id -> five.matches(id, Map.of()));

        String fallback = five.fallback(unpicked);
        String lowest = unpicked.stream().min((x, y) -> Integer.compare(NodeSelector.bucket(x), NodeSelector.bucket(y)))
                .orElseThrow();
        assertThat(NodeSelector.bucket(fallback)).isEqualTo(NodeSelector.bucket(lowest));
        assertThat(five.fallback(reversed(unpicked))).as("the order of the fleet list").isEqualTo(fallback);
        NodeSelector withIt = five.withFallback(fallback);
        assertThat(unpicked.stream().filter(id -> withIt.matches(id, Map.of()))).containsExactly(fallback);
        assertThat(withIt.toString()).as("the stored text stays the operator's").isEqualTo("5%");
    }

    @Test
    void noFallbackWhenTheHashAlreadyPicksOneOrForLabels() {
        String inside = FLEET.stream().filter(id -> NodeSelector.bucket(id) < 5).findFirst().orElseThrow();
        String outside = FLEET.stream().filter(id -> NodeSelector.bucket(id) >= 5).findFirst().orElseThrow();
        assertThat(NodeSelector.parse("5%").fallback(List.of(outside, inside))).isNull();
        assertThat(NodeSelector.parse("canary=true").fallback(List.of(outside))).isNull();
        assertThat(NodeSelector.parse("5%").fallback(List.of())).isNull();
    }

    private static List<String> reversed(List<String> ids) {
        List<String> r = new ArrayList<>(ids);
        java.util.Collections.reverse(r);
        return r;
    }
}
