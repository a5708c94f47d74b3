package io.edgeway.dataplane.http1;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonParser;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** The proxy's one JSON string writer, read back by a real JSON parser (Gson, already on the class path via gRPC). */
class JsonTest {
    @Property(tries = 2000)
    void anyTextReadsBackWholeFromA7BitString(@ForAll String text) {
        String json = Json.string(new StringBuilder(), text).toString();
        assertThat(json.chars()).allMatch(c -> c >= 0x20 && c < 0x7f);
        assertThat(JsonParser.parseString(json).getAsString()).isEqualTo(text);
    }

    @Test
    void aProblemDetailQuotingHostileInputIsStillOneValidObject() {
        String detail = "bad header \"x\\\"}, \"status\":200, \u0000\r\n\u00e9\ud83d\ude00";
        FullHttpResponse res = Http.problem(ByteBufAllocator.DEFAULT, HttpResponseStatus.BAD_REQUEST, detail, true);
        try {
            var body = JsonParser.parseString(res.content().toString(StandardCharsets.UTF_8)).getAsJsonObject();
            assertThat(body.get("status").getAsInt()).isEqualTo(400);
            assertThat(body.get("detail").getAsString()).isEqualTo(detail);
            assertThat(body.keySet()).containsExactly("status", "title", "detail");
        } finally {
            res.release();
        }
    }
}
