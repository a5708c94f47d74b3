package io.edgeway.controlplane.model;

import java.util.List;

/** A named group of targets that routes send traffic to. */
public record Upstream(String name, List<String> tags, List<Target> targets) {
    public Upstream {
        tags = tags == null ? List.of() : List.copyOf(tags);
        targets = targets == null ? List.of() : List.copyOf(targets);
        var v = new ValidationException.Collector();
        Names.checkName(v, name);
        Names.checkTags(v, tags);
        v.throwIfAny();
    }
}
