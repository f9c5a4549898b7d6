package io.github.t2i4j.itercomp.preference;

import io.github.t2i4j.core.image.Images;
import io.github.t2i4j.core.io.JsonLines;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the preference folder " + dir, e);
        }
        Path file = dir.resolve(RANKINGS);
        JsonLines.Contents<Ranking> read = JsonLines.read(file, Ranking::fromJson, "a ranking");
        read.items().forEach(r -> store.rankings.put(new Key(r.aspect(), r.index()), r));
        if (read.lastLineCut()) {
            LOG.warn("{}: the last line ({} characters) is incomplete, probably cut by an interruption; "
                    + "it is dropped and its prompt will be collected again", file, read.cutLastLine());
            store.rewrite();
        }
        return store;
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
        for (Ranking r : added) {
            if (has(r.aspect(), r.index())) {
                throw new IllegalArgumentException("ranking " + r.aspect().key() + " #" + r.index() + " exists; use replace");
            }
        }
        JsonLines.append(dir.resolve(RANKINGS), JsonLines.lines(added, Ranking::toJson));
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
        JsonLines.write(dir.resolve(RANKINGS), rankings(), Ranking::toJson);
    }
}
