package io.github.t2i4j.suti.subjects;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.t2i4j.core.world.Shape;
import io.github.t2i4j.core.world.WorldJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The fixed subjects of the bundled world: {@value #TRAINING} training subjects and {@value #HELD_OUT}
 * held-out ones, shipped as the resource {@code io/github/t2i4j/suti/subjects/catalog.jsonl} (one
 * subject per line, training first).
 *
 * <p>Training subject seeds are drawn in order from {@code [TRAIN_SEED, TRAIN_SEED + SEED_RANGE)} and
 * held-out ones from {@code [HELD_OUT_SEED, HELD_OUT_SEED + SEED_RANGE)}, disjoint ranges; a seed whose
 * subject is more than {@value #MAX_SIMILARITY} {@link Subject#similarity similar} to one already taken,
 * in either split, is skipped. So every two subjects look clearly different (a subject-fidelity judge can
 * tell them apart) and no held-out subject is a near-copy of a training one. As with the world's
 * {@link io.github.t2i4j.core.world.HeldOutSet}, a test checks that the file equals what
 * {@link #generate} produces; any change that alters it needs a regenerated file ({@link #main}) and a
 * new {@link #VERSION}.
 */
public final class SubjectCatalog {
    /** Version of the catalog; bump whenever the file is regenerated. */
    public static final int VERSION = 1;
    /** Training subjects. */
    public static final int TRAINING = 400;
    /** Held-out subjects. */
    public static final int HELD_OUT = 50;
    /** First training seed. */
    public static final long TRAIN_SEED = 20_240_700_000L;
    /** First held-out seed. */
    public static final long HELD_OUT_SEED = 20_240_800_000L;
    /** Length of each split's seed range. */
    public static final long SEED_RANGE = 100_000L;
    /** Largest {@link Subject#similarity} between two subjects of the catalog. */
    public static final double MAX_SIMILARITY = 0.5;
    /** Resource name of the shipped catalog, relative to this class. */
    public static final String RESOURCE = "catalog.jsonl";

    private final List<Subject> training;
    private final List<Subject> heldOut;

    private SubjectCatalog(List<Subject> training, List<Subject> heldOut) {
        this.training = List.copyOf(training);
        this.heldOut = List.copyOf(heldOut);
    }

    /** The training subjects (ids 0 to {@value #TRAINING} - 1). */
    public List<Subject> training() {
        return training;
    }

    /** The held-out subjects (ids {@value #TRAINING} onwards). */
    public List<Subject> heldOut() {
        return heldOut;
    }

    /** Every subject, training first. */
    public List<Subject> all() {
        List<Subject> out = new ArrayList<>(training);
        out.addAll(heldOut);
        return out;
    }

    /** A subject by id. */
    public Subject get(int id) {
        return id < training.size() ? training.get(id) : heldOut.get(id - training.size());
    }

    /** Whether a seed lies in a split's range. */
    public static boolean inRange(SubjectSplit split, long seed) {
        long start = split == SubjectSplit.TRAIN ? TRAIN_SEED : HELD_OUT_SEED;
        return seed >= start && seed < start + SEED_RANGE;
    }

    /** The catalog from its seeds (see the class comment). */
    public static SubjectCatalog generate() {
        List<int[]> taken = new ArrayList<>();
        List<Subject> training = draw(SubjectSplit.TRAIN, TRAIN_SEED, TRAINING, 0, taken);
        List<Subject> heldOut = draw(SubjectSplit.HELD_OUT, HELD_OUT_SEED, HELD_OUT, TRAINING, taken);
        return new SubjectCatalog(training, heldOut);
    }

    private static List<Subject> draw(SubjectSplit split, long start, int count, int firstId, List<int[]> taken) {
        List<Subject> out = new ArrayList<>();
        for (long seed = start; out.size() < count; seed++) {
            if (seed >= start + SEED_RANGE) {
                throw new IllegalStateException("seed range of " + split.key() + " exhausted");
            }
            Subject s = Subject.fromSeed(firstId + out.size(), split, seed);
            int[] map = s.paintMap();
            if (taken.stream().allMatch(t -> Subject.similarity(map, t) <= MAX_SIMILARITY)) {
                out.add(s);
                taken.add(map);
            }
        }
        return out;
    }

    /** Loads the shipped catalog. */
    public static SubjectCatalog load() {
        try (InputStream in = SubjectCatalog.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("subject catalog missing from the classpath: " + RESOURCE);
            }
            List<Subject> training = new ArrayList<>();
            List<Subject> heldOut = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) {
                    Subject s = parse(line);
                    (s.split() == SubjectSplit.TRAIN ? training : heldOut).add(s);
                }
            }
            return new SubjectCatalog(training, heldOut);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    /** The JSONL text of the catalog, as shipped. */
    public String jsonl() {
        StringBuilder sb = new StringBuilder();
        for (Subject s : all()) {
            sb.append(WorldJson.toLine(json(s))).append('\n');
        }
        return sb.toString();
    }

    /** One subject as JSON: id, split, seed, shape, arrangement, body paint and marks. */
    public static JsonObject json(Subject s) {
        JsonObject o = new JsonObject();
        o.addProperty("id", s.id());
        o.addProperty("split", s.split().key());
        o.addProperty("seed", s.seed());
        o.addProperty("shape", s.shape().word());
        o.addProperty("arrangement", s.pattern().arrangement().key());
        o.addProperty("body", s.pattern().body().key());
        JsonArray marks = new JsonArray();
        for (Mark m : s.pattern().marks()) {
            JsonObject j = new JsonObject();
            j.addProperty("kind", m.kind().key());
            j.addProperty("x0", m.x0());
            j.addProperty("y0", m.y0());
            j.addProperty("x1", m.x1());
            j.addProperty("y1", m.y1());
            j.addProperty("paint", m.paint().key());
            marks.add(j);
        }
        o.add("marks", marks);
        return o;
    }

    /** Parses one line of {@link #jsonl()}. */
    public static Subject parse(String line) {
        JsonObject o = JsonParser.parseString(line).getAsJsonObject();
        List<Mark> marks = new ArrayList<>();
        for (JsonElement e : o.getAsJsonArray("marks")) {
            JsonObject j = e.getAsJsonObject();
            marks.add(new Mark(
                    Mark.Kind.of(j.get("kind").getAsString()),
                    j.get("x0").getAsDouble(),
                    j.get("y0").getAsDouble(),
                    j.get("x1").getAsDouble(),
                    j.get("y1").getAsDouble(),
                    Paint.of(j.get("paint").getAsString())));
        }
        SubjectPattern pattern = new SubjectPattern(
                Arrangement.of(o.get("arrangement").getAsString()), Paint.of(o.get("body").getAsString()), marks);
        return new Subject(
                o.get("id").getAsInt(),
                SubjectSplit.of(o.get("split").getAsString()),
                o.get("seed").getAsLong(),
                Shape.of(o.get("shape").getAsString()),
                pattern);
    }

    /** Regenerates the shipped file: {@code SubjectCatalog <resources root, e.g. suti/src/main/resources>}. */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "suti/src/main/resources").resolve("io/github/t2i4j/suti/subjects");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(RESOURCE), generate().jsonl(), StandardCharsets.UTF_8);
    }
}
