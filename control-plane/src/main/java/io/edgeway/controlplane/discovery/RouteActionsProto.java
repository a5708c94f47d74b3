package io.edgeway.controlplane.discovery;

import io.edgeway.controlplane.model.Compression;
import io.edgeway.controlplane.model.HeaderActions;
import io.edgeway.controlplane.model.RouteActions;
import io.edgeway.proto.v1.HeaderValue;
import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.RouteCompression;
import io.edgeway.proto.v1.RouteRedirect;
import io.edgeway.proto.v1.RouteRewrite;

/** A route's actions in its snapshot message (Route fields 60-69); unused ones stay unset, so plain routes cost nothing. */
final class RouteActionsProto {
    private RouteActionsProto() {}

    static void apply(RouteActions a, Route.Builder route) {
        if (a.isNone()) {
            return;
        }
        if (a.redirect() != null) {
            route.setRedirect(RouteRedirect.newBuilder().setTo(a.redirect().to()).setStatus(a.redirect().status())
                    .setKeepPath(a.redirect().keepPath()));
        }
        if (a.rewrite() != null) {
            route.setRewrite(RouteRewrite.newBuilder().setPrefix(a.rewrite().prefix()).setReplace(a.rewrite().replace()));
        }
        if (!a.requestHeaders().isEmpty()) {
            route.setRequestHeaders(headers(a.requestHeaders()));
        }
        if (!a.responseHeaders().isEmpty()) {
            route.setResponseHeaders(headers(a.responseHeaders()));
        }
        Compression c = a.compression();
        if (c != null && c.enabled()) {
            route.setCompression(RouteCompression.newBuilder().addAllTypes(c.types()).setMinSize(c.minSize())
                    .setLevel(c.level()).addAllAlgorithms(c.algorithms()));
        }
    }

    private static io.edgeway.proto.v1.HeaderActions headers(HeaderActions h) {
        var b = io.edgeway.proto.v1.HeaderActions.newBuilder().addAllRemove(h.remove());
        h.set().forEach((n, v) -> b.addSet(HeaderValue.newBuilder().setName(n).setValue(v)));
        h.add().forEach((n, v) -> b.addAdd(HeaderValue.newBuilder().setName(n).setValue(v)));
        return b.build();
    }
}
