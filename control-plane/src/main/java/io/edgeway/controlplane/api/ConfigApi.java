package io.edgeway.controlplane.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.edgeway.controlplane.discovery.SnapshotCheck;
import io.edgeway.controlplane.model.Config;
import io.edgeway.controlplane.model.FieldError;
import io.edgeway.controlplane.model.ValidationException;
import io.edgeway.controlplane.store.ConfigStore;
import io.edgeway.controlplane.store.ConfigStore.Change;
import io.edgeway.controlplane.store.ConfigStore.Plan;
import io.edgeway.controlplane.store.MasterKey;
import io.edgeway.controlplane.store.Written;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.ContentTooLargeResponse;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** GET and POST /api/v1/config: the whole config as one document, applied all or nothing. */
final class ConfigApi {
    private final ConfigStore store;
    private final MasterKey masterKey;

    ConfigApi(ConfigStore store, MasterKey masterKey) {
        this.store = requireNonNull(store, "store");
        this.masterKey = requireNonNull(masterKey, "masterKey");
    }

    /** The current state as a document; YAML when asked for by Accept or {@code ?format=yaml}. */
    void export(Context ctx) {
        Written<Config> current = store.current();
        ctx.header(AdminApi.REVISION_HEADER, Long.toString(current.revision()));
        Map<String, Object> doc = ConfigDocument.render(current.value());
        if ("yaml".equals(ctx.queryParam("format")) || ConfigDocument.isYaml(ctx.header("Accept"))) {
            try {
                ctx.contentType("application/yaml").result(ConfigDocument.YAML.writeValueAsString(doc));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("config not serializable as YAML", e);
            }
        } else {
            ctx.json(doc);
        }
    }

    /**
     * The document, up to {@link AdminApi#CONFIG_DOCUMENT_MAX_BYTES} whether its length was declared or it came
     * chunked: read here, not by {@code ctx.bodyAsBytes()}, whose limit (1 MiB) is every other endpoint's.
     */
    private static byte[] documentBytes(Context ctx) {
        long limit = AdminApi.CONFIG_DOCUMENT_MAX_BYTES;
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] body = in.readNBytes((int) limit + 1);
            if (body.length > limit) {
                throw new ContentTooLargeResponse("body of more than " + limit + " bytes (expected: at most " + limit + ")");
            }
            return body;
        } catch (IOException e) {
            throw new BadRequestResponse("body: could not be read (" + e.getMessage() + ")");
        }
    }

    /** Applies a document, or with {@code ?dry_run=true} only says what applying would do and why it could not. */
    void apply(Context ctx) {
        boolean dryRun = dryRun(ctx.queryParam("dry_run"));
        ConfigDocument.Parsed parsed = ConfigDocument.parse(ConfigDocument.read(ctx.header("Content-Type"), documentBytes(ctx)));
        if (parsed.config() == null) {
            if (dryRun) {
                ctx.header(AdminApi.REVISION_HEADER, Long.toString(store.current().revision()));
                ctx.json(planJson(Plan.NONE, parsed.problems()));
                return;
            }
            throw new ValidationException(parsed.problems());
        }
        Map<String, byte[]> sealed = new HashMap<>();
        try {
            if (dryRun) {
                Written<Plan> plan = store.plan(parsed.config(), parsed.keys().keySet());
                List<FieldError> problems = new ArrayList<>(SnapshotCheck.problems(parsed.config(), plan.revision() + 1,
                        store.activeDeployments(parsed.config())));
                problems.addAll(plan.value().problems());
                ctx.header(AdminApi.REVISION_HEADER, Long.toString(plan.revision()));
                ctx.json(planJson(plan.value(), problems));
                return;
            }
            // sealed at the edge: past this point only ciphertext travels, and the plaintext is wiped
            parsed.keys().forEach((name, key) -> sealed.put(name, masterKey.encrypt(key)));
        } finally {
            parsed.keys().values().forEach(k -> Arrays.fill(k, (byte) 0));
        }
        answer(ctx, commit(store, parsed.config(), sealed), Map.of());
    }

    /**
     * Writes {@code config} unless a proxy would reject it. The check runs before the write transaction;
     * its version is only a placeholder, since the rules do not depend on it. {@code sealedKeys}: the
     * certificates' private keys the caller has, by name, encrypted; others keep their stored key.
     */
    static Written<Plan> commit(ConfigStore store, Config config, Map<String, byte[]> sealedKeys) {
        List<FieldError> problems = SnapshotCheck.problems(config, Long.MAX_VALUE, store.activeDeployments(config));
        if (!problems.isEmpty()) {
            throw new ValidationException(problems);
        }
        return store.apply(config, sealedKeys);
    }

    static void answer(Context ctx, Written<Plan> written, Map<String, Object> extra) {
        ctx.header(AdminApi.REVISION_HEADER, Long.toString(written.revision()));
        Map<String, Object> body = new LinkedHashMap<>(extra);
        body.put("revision", written.revision());
        body.putAll(planJson(written.value(), List.of()));
        ctx.json(body);
    }

    static Map<String, Object> planJson(Plan plan, List<FieldError> problems) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("created", changes(plan.created(), false));
        m.put("updated", changes(plan.updated(), true));
        m.put("deleted", changes(plan.deleted(), false));
        m.put("unchanged", changes(plan.unchanged(), false));
        m.put("problems", problems.stream().map(p -> Map.of("field", p.field(), "message", p.message())).toList());
        return m;
    }

    private static List<Map<String, Object>> changes(List<Change> changes, boolean withFields) {
        return changes.stream().map(c -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kind", c.kind());
            m.put("name", c.name());
            if (withFields) {
                m.put("fields", c.fields());
            }
            return (Map<String, Object>) m;
        }).toList();
    }

    static boolean dryRun(String value) {
        if (value == null || value.equals("false")) {
            return false;
        }
        if (value.equals("true") || value.isEmpty()) {
            return true;
        }
        String detail = "dry_run: " + value + " (expected: true or false)";
        throw ApiException.malformed(detail, List.of(new FieldError("dry_run", detail)));
    }
}
