package io.edgeway.controlplane.cli;

import io.edgeway.controlplane.site.SitePaths;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * A build directory as a site's manifest: every regular file under it, by its "/"-separated relative path,
 * with its SHA-256 and size. Symbolic links are followed only while they stay inside the directory: one
 * that leads out of it (to ~/.ssh, say) stops the deploy instead of publishing what it points at.
 */
record SiteDirectory(Path root, List<Entry> files) {
    record Entry(String path, Path file, String sha256, long size) {}

    static SiteDirectory read(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new CliException(dir + ": not a directory (expected: a build output like ./dist)");
        }
        try {
            Path root = dir.toRealPath();
            List<Entry> files = new ArrayList<>();
            try (Stream<Path> walk = Files.walk(dir, FileVisitOption.FOLLOW_LINKS)) {
                for (Path p : (Iterable<Path>) walk.sorted(Comparator.comparing(Path::toString))::iterator) {
                    Path real = p.toRealPath();
                    if (!real.startsWith(root)) {
                        throw new CliException(dir.relativize(p) + ": a symbolic link leading out of " + dir
                                + " (to " + real + "); refusing to deploy it");
                    }
                    if (!Files.isRegularFile(p)) {
                        continue;
                    }
                    String path = relative(dir, p);
                    String problem = SitePaths.problem(path);
                    if (problem != null) {
                        throw new CliException(path + ": " + problem);
                    }
                    files.add(hash(path, p));
                }
            } catch (UncheckedIOException e) {
                if (e.getCause() instanceof FileSystemLoopException loop) {
                    throw new CliException(loop.getFile() + ": a symbolic link loop; refusing to deploy");
                }
                throw new CliException("cannot read " + dir + ": " + e.getCause().getMessage());
            }
            if (files.isEmpty()) {
                throw new CliException(dir + ": no files to deploy");
            }
            return new SiteDirectory(root, List.copyOf(files));
        } catch (IOException e) {
            throw new CliException("cannot read " + dir + ": " + e.getMessage());
        }
    }

    private static String relative(Path dir, Path file) {
        List<String> parts = new ArrayList<>();
        dir.relativize(file).forEach(part -> parts.add(part.toString()));
        return String.join("/", parts);
    }

    private static Entry hash(String path, Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            long size = in.transferTo(java.io.OutputStream.nullOutputStream());
            return new Entry(path, file, HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest()), size);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
