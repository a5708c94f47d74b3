package io.edgeway.controlplane.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeway.controlplane.model.Certificate;
import io.edgeway.controlplane.model.Route;
import io.edgeway.controlplane.model.Stored;
import io.edgeway.controlplane.model.StreamRoute;
import io.edgeway.controlplane.model.Upstream;
import io.edgeway.controlplane.store.CertificateStore;
import io.edgeway.controlplane.store.EntityJson;
import io.edgeway.controlplane.store.RouteStore;
import io.edgeway.controlplane.store.StreamRouteStore;
import io.edgeway.controlplane.store.UpstreamStore;
import io.edgeway.controlplane.store.Written;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * One entity kind as the admin API's PUT and PATCH see it, as data: how to read it, how to write it from a
 * request body, its name and its JSON view. {@link AdminApi} has one PUT and one PATCH over these.
 *
 * @param get  the stored entity a path key (id or name) names; 404 when none
 * @param put  validates {@code body} ({@code defaultName} when it has no name) and writes it under {@code key}
 * @param name the entity's name
 * @param view the entity as the API shows it
 * @param etag the ETag of that view ({@link Answers#configTag} unless the view shows live state)
 */
record EntityApi<T>(Function<String, Stored<T>> get, Put<T> put, Function<T, String> name,
                    Function<Stored<T>, Map<String, Object>> view,
                    BiFunction<Stored<T>, Map<String, Object>, String> etag) {

    /** Reads the body and writes it, with If-Match ({@code ifMatch}, null when absent). */
    @FunctionalInterface
    interface Put<T> {
        Written<Stored<T>> apply(String key, ObjectNode body, String defaultName, String ifMatch);
    }

    EntityApi {
        requireNonNull(get, "get");
        requireNonNull(put, "put");
        requireNonNull(name, "name");
        requireNonNull(view, "view");
        requireNonNull(etag, "etag");
    }

    static EntityApi<Upstream> of(UpstreamStore upstreams) {
        return new EntityApi<>(upstreams::get,
                (key, body, name, ifMatch) -> upstreams.put(key, RequestJson.upstream(body, name), ifMatch),
                Upstream::name, EntityJson::upstream, Answers.configTag());
    }

    static EntityApi<Route> of(RouteStore routes) {
        return new EntityApi<>(routes::get,
                (key, body, name, ifMatch) -> routes.put(key, RequestJson.route(body, name), ifMatch),
                Route::name, EntityJson::route, Answers.configTag());
    }

    static EntityApi<Certificate> of(CertificateStore certificates, CertificateView view) {
        return new EntityApi<>(certificates::get, (key, body, name, ifMatch) -> {
            RequestJson.CertificateInput in = RequestJson.certificate(body, name);
            return certificates.put(key, in.certificate(), in.privateKey(), ifMatch);
        }, Certificate::name, view::apply, view::etag);
    }

    static EntityApi<StreamRoute> of(StreamRouteStore streamRoutes) {
        return new EntityApi<>(streamRoutes::get,
                (key, body, name, ifMatch) -> streamRoutes.put(key, RequestJson.streamRoute(body, name), ifMatch),
                StreamRoute::name, EntityJson::streamRoute, Answers.configTag());
    }
}
