package io.edgeway.controlplane.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.edgeway.controlplane.model.Config;
import io.edgeway.controlplane.model.FieldError;
import io.edgeway.controlplane.model.Route;
import io.edgeway.controlplane.model.StreamRoute;
import io.edgeway.controlplane.model.Upstream;
import io.edgeway.controlplane.model.ValidationException;
import io.edgeway.controlplane.store.EntityJson;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The declarative document {@code {"upstreams", "routes", "certificates", "stream_routes"}} in JSON or YAML.
 * Each entity is read by the same code as the single-entity API; every problem of every entity is
 * collected under its document path (e.g. {@code routes[2].upstream}), so one answer lists all of them.
 * A certificate's {@code key} is optional here (see {@link io.edgeway.controlplane.store.ConfigStore}) and
 * is never written back: {@link #render} has no key to render.
 */
final class ConfigDocument {
    // literal blocks, so a PEM chain in an export reads as it does in a .pem file
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE))
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final List<String> KEYS = List.of("upstreams", "routes", "certificates", "stream_routes");

    /**
     * A parsed document: the config when it is valid, else every problem found. {@code keys} holds the
     * PKCS#8 private keys the document gave, by certificate name, for the caller to seal and then wipe.
     */
    record Parsed(Config config, Map<String, byte[]> keys, List<FieldError> problems) {}

    private ConfigDocument() {}

    static boolean isYaml(String mediaType) {
        String m = mediaType == null ? "" : mediaType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return m.equals("application/yaml") || m.equals("application/x-yaml") || m.equals("text/yaml") || m.endsWith("+yaml");
    }

    /** The body as a JSON tree; 415 unless JSON or YAML, 400 unless it parses as one object (or is not UTF-8). */
    static ObjectNode read(String contentType, byte[] body) {
        if (!isYaml(contentType)) {
            return RequestJson.object(contentType, body); // JSON, or the same 415 as everywhere else
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            String detail = "body: not valid UTF-8 (" + e.getMessage() + ")";
            throw ApiException.malformed(detail, List.of(new FieldError("body", detail)));
        }
        JsonNode node;
        try {
            node = YAML.readTree(text);
        } catch (JsonProcessingException e) {
            throw RequestJson.malformedBody("not valid YAML", e);
        }
        if (node == null || !node.isObject()) {
            String detail = "body: " + (node == null || node.isMissingNode() ? "empty" : node.getNodeType().name().toLowerCase(Locale.ROOT))
                    + " (expected: a mapping with upstreams, routes, certificates and stream_routes)";
            throw ApiException.malformed(detail, List.of(new FieldError("body", detail)));
        }
        return (ObjectNode) node;
    }

    static Parsed parse(ObjectNode doc) {
        List<FieldError> problems = new ArrayList<>();
        doc.fieldNames().forEachRemaining(k -> {
            if (!KEYS.contains(k)) {
                problems.add(new FieldError(k, k + ": unknown field (expected one of: " + String.join(", ", KEYS) + ")"));
            }
        });
        List<Upstream> upstreams = entities(doc, "upstreams", n -> RequestJson.upstream(n, null), problems);
        List<Route> routes = entities(doc, "routes", n -> RequestJson.route(n, null), problems);
        List<RequestJson.CertificateInput> certs = entities(doc, "certificates", n -> RequestJson.certificate(n, null, true), problems);
        List<StreamRoute> streamRoutes = entities(doc, "stream_routes", n -> RequestJson.streamRoute(n, null), problems);
        for (int i = 0; i < certs.size(); i++) {
            var acme = certs.get(i).certificate().acme();
            if (acme != null && acme.eabHmac() != null) {
                // not sealed on this path, and silently dropping a secret would surprise: the API takes it
                problems.add(new FieldError("certificates[" + i + "].acme.eab.hmac", "certificates[" + i
                        + "].acme.eab.hmac: given in a document (expected: set once with PUT /api/v1/certificates/"
                        + certs.get(i).certificate().name() + "; a document keeps the stored one)"));
            }
        }
        Map<String, byte[]> keys = new HashMap<>();
        certs.stream().filter(c -> c.privateKey() != null).forEach(c -> keys.put(c.certificate().name(), c.privateKey()));
        if (!problems.isEmpty()) {
            keys.values().forEach(k -> Arrays.fill(k, (byte) 0));
            return new Parsed(null, Map.of(), problems);
        }
        try {
            return new Parsed(new Config(upstreams, routes, certs.stream().map(RequestJson.CertificateInput::certificate).toList(),
                    streamRoutes), keys, List.of());
        } catch (ValidationException e) {
            keys.values().forEach(k -> Arrays.fill(k, (byte) 0));
            return new Parsed(null, Map.of(), e.errors());
        }
    }

    private static <T> List<T> entities(ObjectNode doc, String key, Function<ObjectNode, T> reader, List<FieldError> problems) {
        JsonNode list = doc.get(key);
        List<T> out = new ArrayList<>();
        if (list == null || list.isNull()) {
            return out;
        }
        if (!list.isArray()) {
            problems.add(new FieldError(key, key + ": " + list.getNodeType().name().toLowerCase(Locale.ROOT) + " (expected: a list)"));
            return out;
        }
        for (int i = 0; i < list.size(); i++) {
            String at = key + "[" + i + "]";
            JsonNode item = list.get(i);
            if (!item.isObject()) {
                problems.add(new FieldError(at, at + ": " + item.getNodeType().name().toLowerCase(Locale.ROOT) + " (expected: an object)"));
                continue;
            }
            try {
                out.add(reader.apply((ObjectNode) item));
            } catch (ApiException e) {
                e.errors().forEach(err -> problems.add(under(at, err)));
            } catch (ValidationException e) {
                e.errors().forEach(err -> problems.add(under(at, err)));
            }
        }
        return out;
    }

    private static FieldError under(String prefix, FieldError e) {
        return new FieldError(e.field().equals("body") ? prefix : prefix + "." + e.field(), e.message());
    }

    /** The document for {@code config}: what GET /api/v1/config answers and what an export writes. */
    static Map<String, Object> render(Config config) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("upstreams", config.upstreams().stream().map(EntityJson::upstreamDoc).toList());
        m.put("routes", config.routes().stream().map(EntityJson::routeDoc).toList());
        m.put("certificates", config.certificates().stream().map(EntityJson::certificateDoc).toList());
        m.put("stream_routes", config.streamRoutes().stream().map(EntityJson::streamRouteDoc).toList());
        return m;
    }
}
