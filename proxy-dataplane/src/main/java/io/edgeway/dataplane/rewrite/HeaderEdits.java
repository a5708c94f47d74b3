package io.edgeway.dataplane.rewrite;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.List;

/**
 * A route's set/add/remove of headers on one direction, compiled once per snapshot into AsciiStrings so that
 * applying it copies references. Order: remove, then set (replacing every value), then add.
 */
public record HeaderEdits(List<AsciiString> remove, List<AsciiString[]> set, List<AsciiString[]> add) {

    public HeaderEdits {
        remove = List.copyOf(remove);
        set = List.copyOf(set);
        add = List.copyOf(add);
    }

    public void apply(HttpHeaders h) {
        for (int i = 0; i < remove.size(); i++) {
            h.remove(remove.get(i));
        }
        for (int i = 0; i < set.size(); i++) {
            AsciiString[] nv = set.get(i);
            h.set(nv[0], nv[1]);
        }
        for (int i = 0; i < add.size(); i++) {
            AsciiString[] nv = add.get(i);
            h.add(nv[0], nv[1]);
        }
    }
}
