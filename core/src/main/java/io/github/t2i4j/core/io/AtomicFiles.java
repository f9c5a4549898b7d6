package io.github.t2i4j.core.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;

/**
 * Files and folders written so that an interruption never leaves half of one: the content is staged
 * beside the target (a temporary file forced to disk, or a temporary folder) and then renamed into
 * place.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Writes {@code text} (UTF-8) to {@code file} atomically, creating the parent folder if needed. */
    public static void writeString(Path file, String text) {
        Path parent = file.toAbsolutePath().getParent();
        try {
            Files.createDirectories(parent);
            Path tmp = Files.createTempFile(parent, "." + file.getFileName() + ".", ".tmp");
            try {
                Files.writeString(tmp, text, StandardCharsets.UTF_8);
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
                try {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /**
     * Moves every entry of the staged folder {@code staged} into {@code target} (created if needed),
     * each by a rename that replaces an entry of the same name (a folder of that name is deleted
     * first), then deletes {@code staged}. Entries of {@code target} not in {@code staged} stay.
     */
    public static void moveInto(Path staged, Path target) throws IOException {
        Files.createDirectories(target);
        try (var entries = Files.list(staged)) {
            for (Path p : entries.toList()) {
                Path dest = target.resolve(p.getFileName().toString());
                if (Files.isDirectory(dest)) {
                    deleteTree(dest);
                }
                Files.move(p, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        }
        Files.delete(staged);
    }

    /** Deletes a folder and everything in it; nothing when it does not exist. */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
