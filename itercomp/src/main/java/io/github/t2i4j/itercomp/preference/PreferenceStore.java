package io.github.t2i4j.itercomp.preference;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.github.t2i4j.core.image.Images;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * IterComp's preference data on disk, so that it can be inspected and reused: a folder with
 * {@code rankings.jsonl} (one {@link Ranking} per line) and the images as PNGs under
 * {@code images/<aspect>/<index>/<member>.png}.
 *
 * <p>Nothing is lost on interruption: images are written atomically before their ranking, new
 * rankings are appended and forced to disk, changed rankings are written to a temporary file that
 * then replaces the old one. A last line cut short by a crash is dropped (with a warning) when the
 * folder is opened, and its prompt is simply collected again.
 */
public final class PreferenceStore {
    private static final Logger LOG = LoggerFactory.getLogger(PreferenceStore.class);
    /** The rankings file inside the folder. */
    public static final String RANKINGS = "rankings.jsonl";
    /** Every {@value}-th prompt of an aspect (index mod it = it - 1) is held out for the reward models' accuracy. */
    public static final int HOLD_OUT_EVERY = 10;

    private final Path dir;
    private final Map<Key, Ranking> rankings = new LinkedHashMap<>();

    private record Key(Aspect aspect, long index) {}

    private PreferenceStore(Path dir) {
        this.dir = dir;
    }

    /** Opens (creating if needed) the preference folder {@code dir}. */
    public static PreferenceStore open(Path dir) {
        PreferenceStore store = new PreferenceStore(dir);
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve(RANKINGS);
            if (Files.exists(file)) {
                store.read(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the preference folder " + dir, e);
        }
        return store;
    }

    private void read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        boolean dropped = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            try {
                JsonObject o = JsonParser.parseString(line).getAsJsonObject();
                Ranking r = Ranking.fromJson(o);
                rankings.put(new Key(r.aspect(), r.index()), r);
            } catch (JsonParseException | IllegalStateException | NullPointerException | IllegalArgumentException e) {
                if (i == lines.size() - 1) {
                    LOG.warn("{}: the last line ({} characters) is incomplete, probably cut by an interruption; "
                            + "it is dropped and its prompt will be collected again", file, line.length());
                    dropped = true;
                } else {
                    throw new IllegalArgumentException(file + " line " + (i + 1) + " is not a ranking: " + e.getMessage(), e);
                }
            }
        }
        if (dropped) {
            rewrite();
        }
    }

    /** The folder. */
    public Path dir() {
        return dir;
    }

    /** All rankings, by aspect then index. */
    public List<Ranking> rankings() {
        List<Ranking> out = new ArrayList<>(rankings.values());
        out.sort(Comparator.comparing(Ranking::aspect).thenComparingLong(Ranking::index));
        return out;
    }

    /** The rankings of one aspect, by index. */
    public List<Ranking> rankings(Aspect aspect) {
        return rankings().stream().filter(r -> r.aspect() == aspect).toList();
    }

    /** Whether the prompt ({@code aspect}, {@code index}) has its ranking. */
    public boolean has(Aspect aspect, long index) {
        return rankings.containsKey(new Key(aspect, index));
    }

    /** The ranking of prompt ({@code aspect}, {@code index}), or null. */
    public Ranking get(Aspect aspect, long index) {
        return rankings.get(new Key(aspect, index));
    }

    /** Whether a ranking's prompt is held out from reward-model training. */
    public static boolean isHeldOut(Ranking r) {
        return r.index() % HOLD_OUT_EVERY == HOLD_OUT_EVERY - 1;
    }

    /** Every (better, worse) pair of an aspect's training ({@code heldOut} false) or held-out rankings. */
    public List<PreferencePair> pairs(Aspect aspect, boolean heldOut) {
        List<PreferencePair> out = new ArrayList<>();
        for (Ranking r : rankings(aspect)) {
            if (isHeldOut(r) == heldOut) {
                out.addAll(r.pairs());
            }
        }
        return out;
    }

    /** The file name (relative to the folder) of a member's image for a prompt. */
    public static String imageFile(Aspect aspect, long index, String member) {
        return "images/" + aspect.key() + "/" + String.format(Locale.ROOT, "%06d", index) + "/" + member + ".png";
    }

    /** Writes an image atomically under its relative name. */
    public void writeImage(String file, BufferedImage image) {
        Images.writePng(image, dir.resolve(file));
    }

    /** Reads a ranked image's PNG. */
    public BufferedImage readImage(RankedImage image) {
        return Images.read(dir.resolve(image.file()));
    }

    /** Appends new rankings (none may exist yet) and forces them to disk. */
    public void add(Collection<Ranking> added) {
        StringBuilder sb = new StringBuilder();
        for (Ranking r : added) {
            if (has(r.aspect(), r.index())) {
                throw new IllegalArgumentException("ranking " + r.aspect().key() + " #" + r.index() + " exists; use replace");
            }
            sb.append(r.toJson()).append('\n');
        }
        try (FileChannel ch = FileChannel.open(dir.resolve(RANKINGS), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ch.write(StandardCharsets.UTF_8.encode(sb.toString()));
            ch.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + dir.resolve(RANKINGS), e);
        }
        added.forEach(r -> rankings.put(new Key(r.aspect(), r.index()), r));
    }

    /** Replaces existing rankings (e.g. with a new member inserted) and rewrites the file atomically. */
    public void replace(Collection<Ranking> changed) {
        for (Ranking r : changed) {
            if (!has(r.aspect(), r.index())) {
                throw new IllegalArgumentException("no ranking " + r.aspect().key() + " #" + r.index() + " to replace");
            }
        }
        changed.forEach(r -> rankings.put(new Key(r.aspect(), r.index()), r));
        rewrite();
    }

    private void rewrite() {
        Path file = dir.resolve(RANKINGS);
        try {
            Path tmp = Files.createTempFile(dir, ".rankings-", ".tmp");
            StringBuilder sb = new StringBuilder();
            for (Ranking r : rankings()) {
                sb.append(r.toJson()).append('\n');
            }
            Files.writeString(tmp, sb.toString(), StandardCharsets.UTF_8);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rewrite " + file, e);
        }
    }
}
