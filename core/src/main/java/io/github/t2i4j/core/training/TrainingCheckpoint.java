package io.github.t2i4j.core.training;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.t2i4j.core.io.AtomicFiles;
import io.github.t2i4j.core.io.CheckpointException;
import io.github.t2i4j.core.io.SafetensorsFile;
import io.github.t2i4j.core.io.StateDict;
import io.github.t2i4j.core.nn.Module;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Training checkpoints, one folder per step under a root folder, as accelerate / diffusers lay
 * them out ({@code checkpoint-500/}):
 *
 * <ul>
 *   <li>{@value #MODEL}: the weights under their checkpoint names (loadable as a model);
 *   <li>{@value #OPTIMIZER}: the {@link AdamW} moments and step count;
 *   <li>{@value #EMA_FILE}: the {@link EMA} weights, if any (also loadable as a model);
 *   <li>{@value #STATE}: the step, seed, elapsed time and the caller's configuration.
 * </ul>
 *
 * <p>A checkpoint is written into a hidden temporary folder next to the others, every file is
 * flushed to disk, and the folder is then renamed to its final name: a crash at any point leaves
 * the previous checkpoints as they were, and {@link #latest(Path)} never returns a partial one.
 * Stale temporary folders are removed by the next save.
 */
public final class TrainingCheckpoint {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingCheckpoint.class);

    public static final String MODEL = "model.safetensors";
    public static final String OPTIMIZER = "optimizer.safetensors";
    public static final String EMA_FILE = "ema.safetensors";
    public static final String STATE = "trainer_state.json";

    private static final Pattern NAME = Pattern.compile("checkpoint-(\\d+)");
    private static final String TMP_PREFIX = ".checkpoint-";

    private TrainingCheckpoint() {}

    /** The folder name of the checkpoint at {@code step}. */
    public static String name(long step) {
        return "checkpoint-" + step;
    }

    /**
     * Writes a checkpoint of {@code model}, {@code optimizer} and {@code ema} (may be null) with
     * {@code state} (which must hold {@code "step"}) under {@code root}, atomically; then removes
     * all but the newest {@code keepLast} checkpoints ({@code keepLast <= 0} keeps all). Returns
     * the checkpoint folder.
     */
    public static Path save(
            Path root, Module model, AdamW optimizer, EMA ema, JsonObject state, int keepLast) {
        long step = state.get("step").getAsLong();
        removeStaleTemporaries(root);
        Path tmp = stage(root, model, optimizer, ema, state);
        Path target = commit(tmp, root.resolve(name(step)));
        LOG.info("saved checkpoint {}", target);
        if (keepLast > 0) {
            prune(root, keepLast);
        }
        return target;
    }

    /** Writes every file of a checkpoint into a new temporary folder under {@code root}. */
    static Path stage(Path root, Module model, AdamW optimizer, EMA ema, JsonObject state) {
        try {
            Files.createDirectories(root);
            Path tmp =
                    root.resolve(
                            TMP_PREFIX + state.get("step").getAsLong() + ".tmp-"
                                    + Long.toHexString(ThreadLocalRandom.current().nextLong()));
            Files.createDirectory(tmp);
            StateDict.save(model, tmp.resolve(MODEL));
            optimizer.save(tmp.resolve(OPTIMIZER));
            if (ema != null) {
                ema.save(tmp.resolve(EMA_FILE));
            }
            // the state file goes last: a folder without it is never a checkpoint
            writeDurably(tmp.resolve(STATE), state.toString());
            syncFolder(tmp);
            return tmp;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint under " + root, e);
        }
    }

    /** Renames a staged folder to its final name, replacing an older folder of that name. */
    static Path commit(Path tmp, Path target) {
        try {
            Path old = null;
            if (Files.exists(target)) {
                // the same step saved again: set the old one aside (under a name that neither
                // counts as a checkpoint nor is cleaned up as a stale temporary) until replaced
                old =
                        target.resolveSibling(
                                target.getFileName() + ".replaced-"
                                        + Long.toHexString(ThreadLocalRandom.current().nextLong()));
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target);
            }
            syncFolder(target.getParent());
            if (old != null) {
                AtomicFiles.deleteTree(old);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot commit checkpoint " + target, e);
        }
    }

    /** The newest complete checkpoint under {@code root}, if any. */
    public static Optional<Path> latest(Path root) {
        return list(root).stream().reduce((a, b) -> b);
    }

    /** Every complete checkpoint under {@code root}, oldest first. */
    public static List<Path> list(Path root) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            for (Path p : ds) {
                if (NAME.matcher(p.getFileName().toString()).matches()
                        && Files.isRegularFile(p.resolve(STATE))) {
                    out.add(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list checkpoints in " + root, e);
        }
        out.sort(Comparator.comparingLong(TrainingCheckpoint::step));
        return out;
    }

    /** The step encoded in a checkpoint folder's name. */
    public static long step(Path checkpoint) {
        Matcher m = NAME.matcher(checkpoint.getFileName().toString());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a checkpoint folder: " + checkpoint);
        }
        return Long.parseLong(m.group(1));
    }

    /** Reads the state JSON of a checkpoint. */
    public static JsonObject state(Path checkpoint) {
        try {
            return JsonParser.parseString(
                            Files.readString(checkpoint.resolve(STATE), StandardCharsets.UTF_8))
                    .getAsJsonObject();
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + checkpoint.resolve(STATE) + ": " + e, e);
        }
    }

    /**
     * Restores {@code model}, {@code optimizer} and {@code ema} (may be null) in place from a
     * checkpoint (strictly, by name) and returns its state JSON.
     */
    public static JsonObject load(Path checkpoint, Module model, AdamW optimizer, EMA ema) {
        JsonObject state = state(checkpoint);
        try (SafetensorsFile f = SafetensorsFile.open(checkpoint.resolve(MODEL))) {
            StateDict.load(model, f);
        }
        optimizer.load(checkpoint.resolve(OPTIMIZER));
        if (ema != null) {
            Path file = checkpoint.resolve(EMA_FILE);
            if (!Files.isRegularFile(file)) {
                throw new CheckpointException(checkpoint + " has no EMA weights (" + EMA_FILE + ")");
            }
            ema.load(file);
        }
        LOG.info("resumed from {}", checkpoint);
        return state;
    }

    private static void prune(Path root, int keepLast) {
        List<Path> all = list(root);
        for (int i = 0; i < all.size() - keepLast; i++) {
            try {
                AtomicFiles.deleteTree(all.get(i));
                LOG.debug("removed old checkpoint {}", all.get(i));
            } catch (IOException e) {
                LOG.warn("could not remove old checkpoint {}: {}", all.get(i), e.toString());
            }
        }
    }

    private static void removeStaleTemporaries(Path root) {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root, TMP_PREFIX + "*")) {
            for (Path p : ds) {
                LOG.warn("removing incomplete checkpoint {}", p);
                AtomicFiles.deleteTree(p);
            }
        } catch (IOException e) {
            LOG.warn("could not remove stale temporary checkpoints in {}: {}", root, e.toString());
        }
    }

    private static void writeDurably(Path file, String text) throws IOException {
        try (FileChannel ch =
                FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
    }

    private static void syncFolder(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | RuntimeException ignored) {
            // not possible on every platform; the files themselves were synced
        }
    }
}
