package io.edgeway.controlplane.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeway.controlplane.model.FieldError;
import io.edgeway.controlplane.site.Deployment;
import io.edgeway.controlplane.site.SiteActivation;
import io.edgeway.controlplane.site.SiteFile;
import io.edgeway.controlplane.site.SiteStore;
import io.edgeway.controlplane.site.SiteViews;
import io.edgeway.controlplane.store.Written;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.ContentTooLargeResponse;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * /api/v1/sites: deploy a static site in three steps (manifest, missing blobs, activate), list, diff, roll
 * back and delete. Only the HTTP shapes are here; the rules are in {@code io.edgeway.controlplane.site}.
 */
final class SitesApi {
    static final String BLOBS = "/api/v1/sites/blobs/";
    /** A manifest of 20,000 files with long paths is a few MB; more than this is no manifest. */
    static final long MANIFEST_MAX_BYTES = 16L * 1024 * 1024;
    private static final Set<String> MANIFEST_FILE = Set.of("path", "sha256", "size");

    private final SiteStore store;
    private final SiteActivation activation;
    private final SiteViews views;

    SitesApi(SiteStore store, SiteActivation activation, SiteViews views) {
        this.store = requireNonNull(store, "store");
        this.activation = requireNonNull(activation, "activation");
        this.views = requireNonNull(views, "views");
    }

    /** The body limit of a request to {@code path}: a blob may be as large as a file, a manifest a few MB. */
    long bodyLimit(String method, String path, long otherwise) {
        if (method.equals("PUT") && path.startsWith(BLOBS)) {
            return store.limits().maxFileBytes();
        }
        if (method.equals("POST") && path.startsWith("/api/v1/sites/") && path.endsWith("/deployments")) {
            return MANIFEST_MAX_BYTES;
        }
        return otherwise;
    }

    void list(Context ctx) {
        ctx.json(Map.of("data", views.sites()));
    }

    void get(Context ctx) {
        ctx.json(views.site(ctx.pathParam("name")));
    }

    void delete(Context ctx) {
        Written<Void> w = activation.delete(ctx.pathParam("name"));
        ctx.header(AdminApi.REVISION_HEADER, Long.toString(w.revision()));
        ctx.status(204);
    }

    /** 201 with the new deployment's id and the hashes to upload before it can be activated. */
    void createDeployment(Context ctx) {
        ObjectNode body = RequestJson.object(ctx.header("Content-Type"), body(ctx, MANIFEST_MAX_BYTES));
        SiteStore.Created created = store.createDeployment(ctx.pathParam("name"), files(body));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", created.deployment().id().toString());
        m.put("site", created.deployment().site());
        m.put("files", created.deployment().files().size());
        m.put("total_size", created.deployment().totalSize());
        m.put("missing", created.missing());
        ctx.status(201).json(m);
    }

    void deployments(Context ctx) {
        ctx.json(Map.of("data", views.deployments(ctx.pathParam("name"))));
    }

    void deployment(Context ctx) {
        ctx.json(SiteViews.manifest(store.deployment(ctx.pathParam("name"), ctx.pathParam("id"))));
    }

    void activate(Context ctx) {
        answer(ctx, activation.activate(ctx.pathParam("name"), ctx.pathParam("id")));
    }

    /** Body (optional): {@code {"to": "<deployment id>"}}; without it, the deployment active before the current one. */
    void rollback(Context ctx) {
        byte[] raw = body(ctx, AdminApi.ENTITY_BODY_MAX_BYTES);
        String to = null;
        if (raw.length > 0) {
            ObjectNode body = RequestJson.object(ctx.header("Content-Type"), raw);
            for (var it = body.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!f.equals("to")) {
                    throw ApiException.malformed(f + ": unknown field (expected one of: to)", List.of(new FieldError(f, f + ": unknown field")));
                }
            }
            to = Fields.text(body, "to");
        }
        answer(ctx, activation.rollback(ctx.pathParam("name"), to));
    }

    /** {@code ?from=ID&to=ID}; {@code to} defaults to the active deployment. */
    void diff(Context ctx) {
        String site = ctx.pathParam("name");
        String from = ctx.queryParam("from");
        if (from == null) {
            throw ApiException.badParameter("from", "from: missing (expected: a deployment id)");
        }
        String to = ctx.queryParam("to");
        Deployment a = store.deployment(site, from);
        Deployment b = store.deployment(site, to != null ? to : views.activeId(site));
        ctx.json(SiteViews.diff(a, b));
    }

    /** 201 when the blob is new, 200 when it was already stored (the upload was then unnecessary, not wrong). */
    void putBlob(Context ctx) {
        byte[] content = body(ctx, store.limits().maxFileBytes());
        boolean created = store.putBlob(ctx.pathParam("sha256"), content);
        ctx.status(created ? 201 : 200).json(Map.of("sha256", ctx.pathParam("sha256"), "size", content.length));
    }

    private static void answer(Context ctx, Written<Map<String, Object>> w) {
        ctx.header(AdminApi.REVISION_HEADER, Long.toString(w.revision()));
        ctx.json(w.value());
    }

    /** The manifest's files; shapes that are not a manifest are 400, the rules on paths and sizes 422 (the store's). */
    private static List<SiteFile> files(ObjectNode body) {
        List<FieldError> malformed = new ArrayList<>();
        body.fieldNames().forEachRemaining(f -> {
            if (!f.equals("files")) {
                malformed.add(new FieldError(f, f + ": unknown field (expected one of: files)"));
            }
        });
        JsonNode files = body.get("files");
        if (files == null || !files.isArray()) {
            malformed.add(new FieldError("files", "files: " + (files == null ? "missing" : files.getNodeType())
                    + " (expected: an array of {path, sha256, size})"));
        } else {
            for (int i = 0; i < files.size() && malformed.size() < 100; i++) {
                JsonNode f = files.get(i);
                String at = "files[" + i + "]";
                if (!f.isObject()) {
                    malformed.add(new FieldError(at, at + ": " + f.getNodeType() + " (expected: an object)"));
                    continue;
                }
                f.fieldNames().forEachRemaining(n -> {
                    if (!MANIFEST_FILE.contains(n)) {
                        malformed.add(new FieldError(at + "." + n, at + "." + n + ": unknown field (expected one of: path, sha256, size)"));
                    }
                });
                if (!f.path("path").isTextual()) {
                    malformed.add(new FieldError(at + ".path", at + ".path: " + f.get("path") + " (expected: a string)"));
                }
                if (!f.path("sha256").isTextual()) {
                    malformed.add(new FieldError(at + ".sha256", at + ".sha256: " + f.get("sha256") + " (expected: a string)"));
                }
                if (!f.path("size").canConvertToExactIntegral() || !f.path("size").canConvertToLong()) {
                    malformed.add(new FieldError(at + ".size", at + ".size: " + f.get("size") + " (expected: a whole number of bytes)"));
                }
            }
        }
        if (!malformed.isEmpty()) {
            throw ApiException.malformed(malformed.get(0).message()
                    + (malformed.size() > 1 ? " (and " + (malformed.size() - 1) + " more)" : ""), malformed);
        }
        List<SiteFile> out = new ArrayList<>(files.size());
        for (JsonNode f : files) {
            out.add(new SiteFile(f.get("path").textValue(), f.get("sha256").textValue(), f.get("size").longValue(),
                    io.edgeway.controlplane.site.MimeTypes.of(f.get("path").textValue()), null, 0, null, 0));
        }
        return out;
    }

    /** The body, read here up to {@code limit} whether its length was declared or it came chunked. */
    private static byte[] body(Context ctx, long limit) {
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            if (body.length > limit) {
                throw new ContentTooLargeResponse("body of more than " + limit + " bytes (expected: at most " + limit + ")");
            }
            return body;
        } catch (IOException e) {
            throw new BadRequestResponse("body: could not be read (" + e.getMessage() + ")");
        }
    }
}
