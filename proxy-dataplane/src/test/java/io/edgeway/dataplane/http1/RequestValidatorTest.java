package io.edgeway.dataplane.http1;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestValidatorTest {
    private static HttpRequest get(String uri, String host) {
        HttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        req.headers().set("Host", host);
        return req;
    }

    /** What the router and the target see: origin-form, normalised path, the query untouched. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "/a/b?x=1|/a/b?x=1",
        "/a/./b/../c?q=/../%2f|/a/c?q=/../%2f",
        "/%7Euser/%2a|/~user/%2A",
        "http://a.test/x/../y?z|/y?z",
        "HTTP://A.TEST|/",
        "http://a.test?q|/?q",
    })
    void targetIsRewrittenOnce(String uri, String expected) {
        HttpRequest req = get(uri, "a.test");
        assertThat(RequestValidator.check(req)).isNull();
        assertThat(req.uri()).isEqualTo(expected);
    }

    @Test
    void aPlainTargetIsLeftAsItIs() {
        HttpRequest req = get("/api/v1/items?page=2", "a.test");
        String before = req.uri();
        assertThat(RequestValidator.check(req)).isNull();
        assertThat(req.uri()).isSameAs(before);
    }

    @Test
    void decoderLimitsMapToTheirStatuses() {
        assertThat(RequestValidator.decoderFailure(new TooLongHttpLineException("x")).status().code()).isEqualTo(414);
        assertThat(RequestValidator.decoderFailure(new TooLongHttpHeaderException("x")).status().code()).isEqualTo(431);
        assertThat(RequestValidator.decoderFailure(new IllegalArgumentException("x")).status().code()).isEqualTo(400);
        HttpRequest failed = get("/bad-request", "a.test");
        failed.setDecoderResult(DecoderResult.failure(new TooLongHttpHeaderException("x")));
        assertThat(RequestValidator.check(failed).status().code()).isEqualTo(431);
    }
}
