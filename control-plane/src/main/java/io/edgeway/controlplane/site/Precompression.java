package io.edgeway.controlplane.site;

import com.aayushatharva.brotli4j.Brotli4jLoader;
import com.aayushatharva.brotli4j.encoder.Encoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The variants made once at deploy time, at the strongest settings (a proxy never compresses these files
 * again): gzip level 9 from the JDK and brotli quality 11 from brotli4j's native encoder. A variant is kept
 * only when it saves at least 10%; otherwise serving it would cost the client a decode for nothing.
 */
public final class Precompression {
    private static final Logger log = LoggerFactory.getLogger(Precompression.class);
    /** Files below this are sent as they are: a few hundred bytes fit one packet either way. */
    static final int MIN_SIZE = 256;
    private static final boolean BROTLI = brotliAvailable();

    private Precompression() {}

    private static boolean brotliAvailable() {
        try {
            Brotli4jLoader.ensureAvailability();
            return true;
        } catch (Throwable e) { // UnsatisfiedLinkError on a platform without the native library
            log.warn("brotli unavailable ({}): sites get gzip variants only", e.toString());
            return false;
        }
    }

    /** Whether brotli variants are made here (brotli4j's native library loaded). */
    public static boolean brotli() {
        return BROTLI;
    }

    /** The gzip variant of {@code content}, or null when it is not at least 10% smaller. */
    static byte[] gzip(byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length / 2 + 64);
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 64 * 1024) { { def.setLevel(Deflater.BEST_COMPRESSION); } }) {
            gz.write(content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return worthIt(content, out.toByteArray());
    }

    /** The brotli variant of {@code content}, or null when brotli is unavailable or does not save 10%. */
    static byte[] brotli(byte[] content) {
        if (!BROTLI) {
            return null;
        }
        try {
            return worthIt(content, Encoder.compress(content, new Encoder.Parameters().setQuality(11)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean worthTrying(String path, long size) {
        return size >= MIN_SIZE && MimeTypes.compressible(path);
    }

    private static byte[] worthIt(byte[] content, byte[] compressed) {
        return compressed.length * 10L <= content.length * 9L ? compressed : null;
    }
}
