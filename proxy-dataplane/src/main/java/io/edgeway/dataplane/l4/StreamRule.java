package io.edgeway.dataplane.l4;

import static java.util.Objects.requireNonNull;

import io.edgeway.dataplane.balancing.TargetGroup;
import java.util.List;

/** One compiled stream route: where its traffic goes and where it is counted. */
record StreamRule(String name, ListenKey listen, List<String> snis, TargetGroup upstream, StreamMeter meter) {
    StreamRule {
        requireNonNull(name, "name");
        requireNonNull(listen, "listen");
        snis = List.copyOf(snis);
        requireNonNull(upstream, "upstream");
        requireNonNull(meter, "meter");
    }
}
