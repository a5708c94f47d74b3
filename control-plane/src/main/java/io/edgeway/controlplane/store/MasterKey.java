package io.edgeway.controlplane.store;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.function.Supplier;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The AES-256 key that encrypts certificate private keys at rest (AES-256-GCM, a fresh 12-byte nonce per
 * value, stored as nonce followed by ciphertext and tag).
 *
 * <pre>
 * EDGEWAY_MASTER_KEY        base64 of 32 random bytes, e.g. `openssl rand -base64 32`
 * EDGEWAY_MASTER_KEY_FILE   a file holding that base64 text
 * neither                   generated on first use into &lt;EDGEWAY_DATA_DIR&gt;/master-key (mode 0600) and read
 *                           from there afterwards
 * </pre>
 *
 * Every replica must use the same key: a replica with another one still stores and lists certificates,
 * but what it encrypted cannot be decrypted elsewhere. Losing the key loses the stored private keys.
 */
public final class MasterKey {
    public static final String FILE = "master-key";
    private static final int KEY_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private static final ThreadLocal<Cipher> DECRYPTERS = ThreadLocal.withInitial(() -> {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM unavailable", e);
        }
    });

    private final Supplier<byte[]> key;
    private final SecureRandom random = new SecureRandom();
    private volatile SecretKeySpec resolved;

    private MasterKey(Supplier<byte[]> key) {
        this.key = key;
    }

    /**
     * The master key {@code env} configures; a configured one is checked now, so a bad value stops the start,
     * while a generated one is only written once a certificate needs it.
     */
    public static MasterKey from(Map<String, String> env, Path dataDir) {
        requireNonNull(env, "env");
        requireNonNull(dataDir, "dataDir");
        String value = blankToNull(env.get("EDGEWAY_MASTER_KEY"));
        if (value != null) {
            byte[] k = decode("EDGEWAY_MASTER_KEY", value);
            return new MasterKey(() -> k);
        }
        String file = blankToNull(env.get("EDGEWAY_MASTER_KEY_FILE"));
        if (file != null) {
            byte[] k = decode("EDGEWAY_MASTER_KEY_FILE " + file, read(Path.of(file)));
            return new MasterKey(() -> k);
        }
        return new MasterKey(() -> readOrGenerate(dataDir.resolve(FILE).toAbsolutePath()));
    }

    public byte[] encrypt(byte[] plaintext) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, secret(), new GCMParameterSpec(TAG_BITS, nonce));
            byte[] sealed = cipher.doFinal(plaintext);
            byte[] out = Arrays.copyOf(nonce, NONCE_BYTES + sealed.length);
            System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM unavailable", e);
        }
    }

    /** The plaintext of what {@link #encrypt} made; throws when the value was sealed under another key or altered. */
    public byte[] decrypt(byte[] sealed) {
        try {
            // One Cipher per thread, not one per call: a snapshot build opens every certificate's key (10,000 in
            // issue 14's bench), and the provider look-up of getInstance cost far more than the decryption. Reuse
            // is safe for decryption (GCM forbids reusing a nonce to encrypt, which never happens here).
            Cipher cipher = DECRYPTERS.get();
            cipher.init(Cipher.DECRYPT_MODE, secret(), new GCMParameterSpec(TAG_BITS, sealed, 0, NONCE_BYTES));
            return cipher.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("private key not decryptable with this master key (another replica's key?)", e);
        }
    }

    private SecretKeySpec secret() {
        SecretKeySpec s = resolved;
        if (s == null) {
            synchronized (this) {
                if (resolved == null) {
                    resolved = new SecretKeySpec(key.get(), "AES");
                }
                s = resolved;
            }
        }
        return s;
    }

    private static byte[] readOrGenerate(Path file) {
        if (Files.exists(file)) {
            return decode(file.toString(), read(file));
        }
        byte[] k = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(k);
        try {
            Files.createDirectories(file.getParent());
            // created 0600 before anything is written, so the secret is never readable by others
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, Base64.getEncoder().encodeToString(k) + "\n", StandardCharsets.US_ASCII);
        } catch (FileAlreadyExistsException e) {
            return decode(file.toString(), read(file)); // another process won the race: use its key
        } catch (IOException e) {
            throw new UncheckedIOException("master key: cannot write " + file, e);
        }
        System.out.println("edgeway control-plane master key (encrypts certificate private keys) written to " + file);
        System.out.flush();
        return k;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("master key: cannot read " + file, e);
        }
    }

    private static byte[] decode(String source, String base64) {
        byte[] k;
        try {
            k = Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            k = null;
        }
        if (k == null || k.length != KEY_BYTES) {
            // never echo the value: it is a secret, even a bad one
            throw new IllegalArgumentException(source + ": " + (k == null ? "not base64" : k.length + " bytes")
                    + " (expected: base64 of 32 random bytes, e.g. `openssl rand -base64 32`)");
        }
        return k;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
