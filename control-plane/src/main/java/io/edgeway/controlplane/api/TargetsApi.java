package io.edgeway.controlplane.api;

import static java.util.Objects.requireNonNull;

import io.edgeway.controlplane.model.Stored;
import io.edgeway.controlplane.model.Target;
import io.edgeway.controlplane.model.Upstream;
import io.edgeway.controlplane.store.ConflictException;
import io.edgeway.controlplane.store.EntityJson;
import io.edgeway.controlplane.store.IdempotencyStore;
import io.edgeway.controlplane.store.NotFoundException;
import io.edgeway.controlplane.store.UpstreamStore;
import io.edgeway.controlplane.store.Written;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An upstream's targets as a subresource ({@code /api/v1/upstreams/{key}/targets[/{target}]}, target as
 * {@code host:port} or {@code [v6]:port}). Each write is an ordinary update of the upstream: it bumps the
 * revision, is logged, honours the upstream's If-Match, and answers with the upstream's new ETag.
 */
final class TargetsApi {
    private final UpstreamStore upstreams;

    TargetsApi(UpstreamStore upstreams) {
        this.upstreams = requireNonNull(upstreams, "upstreams");
    }

    void list(Context ctx) {
        Stored<Upstream> u = upstreams.get(ctx.pathParam("key"));
        ctx.header("ETag", u.etag());
        ctx.json(Page.of(ctx).slice(u.value().targets(), EntityJson::target));
    }

    IdempotencyStore.Saved add(Context ctx) {
        Target t = RequestJson.target(RequestJson.object(ctx.header("Content-Type"), ctx.body()), null, 0);
        Written<Stored<Upstream>> w = upstreams.changeTargets(ctx.pathParam("key"), ctx.header("If-Match"), (name, current) -> {
            if (indexOf(current, t.host(), t.port()) >= 0) {
                throw new ConflictException("port", "target: " + address(t.host(), t.port())
                        + " (expected: a host:port upstream " + name + " does not have yet)");
            }
            List<Target> next = new ArrayList<>(current);
            next.add(t);
            return next;
        });
        return answer(ctx, w, t, 201);
    }

    IdempotencyStore.Saved put(Context ctx) {
        String[] hostPort = parse(ctx.pathParam("target"));
        Target t = RequestJson.target(RequestJson.object(ctx.header("Content-Type"), ctx.body()), hostPort[0], Integer.parseInt(hostPort[1]));
        boolean[] created = {false};
        Written<Stored<Upstream>> w = upstreams.changeTargets(ctx.pathParam("key"), ctx.header("If-Match"), (name, current) -> {
            int i = indexOf(current, t.host(), t.port());
            List<Target> next = new ArrayList<>(current);
            created[0] = i < 0;
            if (i >= 0) {
                next.set(i, t);
            } else {
                next.add(t);
            }
            return next;
        });
        return answer(ctx, w, t, created[0] ? 201 : 200);
    }

    void delete(Context ctx) {
        String[] hostPort = parse(ctx.pathParam("target"));
        String host = hostPort[0];
        int port = Integer.parseInt(hostPort[1]);
        Written<Stored<Upstream>> w = upstreams.changeTargets(ctx.pathParam("key"), ctx.header("If-Match"), (name, current) -> {
            int i = indexOf(current, host, port);
            if (i < 0) {
                throw new NotFoundException("target", address(host, port) + " of upstream " + name);
            }
            List<Target> next = new ArrayList<>(current);
            next.remove(i);
            return next;
        });
        ctx.header(AdminApi.REVISION_HEADER, Long.toString(w.revision()));
        ctx.header("ETag", w.value().etag());
        ctx.status(204);
    }

    private static IdempotencyStore.Saved answer(Context ctx, Written<Stored<Upstream>> w, Target t, int status) {
        String body = AdminApi.json(EntityJson.target(t));
        ctx.header(AdminApi.REVISION_HEADER, Long.toString(w.revision()));
        ctx.header("ETag", w.value().etag());
        ctx.status(status).contentType("application/json").result(body);
        return new IdempotencyStore.Saved(status, body, w.revision());
    }

    private static int indexOf(List<Target> targets, String host, int port) {
        String h = host.toLowerCase(Locale.ROOT);
        for (int i = 0; i < targets.size(); i++) {
            if (targets.get(i).host().equals(h) && targets.get(i).port() == port) {
                return i;
            }
        }
        return -1;
    }

    /** {@code host:port} or {@code [v6]:port} into host and port; 400 naming {@code target} otherwise. */
    static String[] parse(String target) {
        int colon = target.lastIndexOf(':');
        String host = colon > 0 ? target.substring(0, colon) : "";
        String port = colon > 0 ? target.substring(colon + 1) : "";
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            host = "";
        }
        int p = -1;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            // reported below
        }
        if (host.isEmpty() || p < 1 || p > 65535) {
            throw ApiException.badParameter("target", "target: " + target + " (expected: host:port or [ipv6]:port, port 1-65535)");
        }
        return new String[] {host.toLowerCase(Locale.ROOT), Integer.toString(p)};
    }

    private static String address(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
