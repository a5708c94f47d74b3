package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.controlplane.Http.Response;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The hand-written OpenAPI document parses cleanly and describes every route the app registers. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenApiTest {
    private ControlPlane cp;
    private OpenAPI api;
    private List<String> messages;

    @BeforeAll
    void start() throws Exception {
        cp = ControlPlane.start(TestDatabase.create(getClass()).settings());
        // served publicly: the document holds no data, and clients need it before they have a token
        Response served = new Http(cp.adminPort(), null).get("/api/v1/openapi.yaml");
        assertThat(served.status()).isEqualTo(200);
        assertThat(served.contentType()).startsWith("application/yaml");
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        options.setResolveFully(true); // inline $refs, so assertions see the referenced responses
        SwaggerParseResult result = new OpenAPIV3Parser().readContents(served.body(), null, options);
        api = result.getOpenAPI();
        messages = result.getMessages() == null ? List.of() : result.getMessages();
    }

    @AfterAll
    void stop() {
        cp.close();
    }

    @Test
    void parsesWithoutErrorsOrWarnings() {
        assertThat(messages).isEmpty();
        assertThat(api).isNotNull();
        assertThat(api.getOpenapi()).startsWith("3.");
        assertThat(api.getComponents().getSecuritySchemes().get("bearer").getScheme()).isEqualTo("bearer");
        assertThat(api.getSecurity()).isNotEmpty();
    }

    @Test
    void everyRouteInTheAppsRouteTableIsDocumentedWithItsMethod() {
        List<Routes> routes = Routes.of(cp);
        assertThat(routes).hasSizeGreaterThan(10);
        for (Routes r : routes) {
            PathItem item = api.getPaths().get(r.path());
            assertThat(item).as("path of " + r).isNotNull();
            Operation op = item.readOperationsMap().get(PathItem.HttpMethod.valueOf(r.method()));
            assertThat(op).as(r.toString()).isNotNull();
            assertThat(op.getResponses()).as(r.toString()).isNotEmpty();
        }
    }

    @Test
    void everyProtectedOperationDocumentsProblemJsonForAuthFailures() {
        api.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, op) -> {
            boolean isPublic = op.getSecurity() != null && op.getSecurity().isEmpty();
            if (!isPublic) {
                var unauthorized = op.getResponses().get("401");
                assertThat(unauthorized).as(method + " " + path).isNotNull();
                assertThat(unauthorized.getContent()).containsKey("application/problem+json");
                if (!method.equals(PathItem.HttpMethod.GET)) {
                    assertThat(op.getResponses()).as(method + " " + path).containsKey("403");
                }
            }
        }));
        assertThat(api.getPaths().get("/healthz").getGet().getSecurity()).isEmpty();
    }
}
