package io.github.t2i4j.suti.training;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.t2i4j.core.image.Images;
import io.github.t2i4j.core.io.AtomicFiles;
import io.github.t2i4j.core.io.JsonLines;
import io.github.t2i4j.core.world.Background;
import io.github.t2i4j.core.world.Size;
import io.github.t2i4j.suti.subjects.Position;
import io.github.t2i4j.suti.subjects.SubjectContext;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SuTI's apprenticeship data on disk ({@link ExpertApprenticeship} writes it), readable as an {@link
 * ApprenticeshipSource} for {@link SuTITraining}. A folder with
 *
 * <ul>
 *   <li>{@value #SETTINGS}: the settings the data was made with (a later run must use the same);
 *   <li>{@value #SUBJECTS}: one line per finished subject ({@link SubjectRecord}: its demonstrations,
 *       every candidate prompt with its scores and whether it was kept, the expert's and the
 *       generation's seconds);
 *   <li>{@value #EXAMPLES}: one line per kept target ({@link StoredExample}: subject, prompt, asked
 *       context, the demonstrations, both fidelities, the target's PNG);
 *   <li>the PNGs, {@code subjects/<id>/demo-<i>.png} and {@code subjects/<id>/target-<j>.png}.
 * </ul>
 *
 * <p>Nothing finished is lost on interruption: images are written atomically before the lines that
 * name them; a subject's examples are appended (and forced to disk) before its line in {@value
 * #SUBJECTS}, which marks it finished. When the folder is opened, a last line cut short by a crash is
 * dropped with a warning, and so are examples of a subject without a finished line (it is redone).
 *
 * <p>As a source, example {@code i} is the {@code i}-th line of {@value #EXAMPLES} (the order they were
 * made in: subjects in catalog order), read from its PNGs, so the same index always gives the same
 * pixels; a later run that adds subjects only appends. Demonstration images, shared by a subject's
 * examples, are cached.
 */
public final class ApprenticeshipStore implements ApprenticeshipSource {
    private static final Logger LOG = LoggerFactory.getLogger(ApprenticeshipStore.class);
    /** The kept targets, one JSON object a line. */
    public static final String EXAMPLES = "examples.jsonl";
    /** The finished subjects, one JSON object a line. */
    public static final String SUBJECTS = "subjects.jsonl";
    /** The settings the data was made with. */
    public static final String SETTINGS = "settings.json";
    private static final int CACHED_IMAGES = 512;

    /** One demonstration as stored: its PNG (relative to the folder), caption and context. */
    public record Demo(String file, String caption, SubjectContext context) {
        public Demo {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(caption, "caption");
            Objects.requireNonNull(context, "context");
        }

        JsonObject toJson() {
            JsonObject o = new JsonObject();
            o.addProperty("file", file);
            o.addProperty("caption", caption);
            o.add("context", contextJson(context));
            return o;
        }

        static Demo fromJson(JsonObject o) {
            return new Demo(o.get("file").getAsString(), o.get("caption").getAsString(),
                    parseContext(o.getAsJsonObject("context")));
        }
    }

    /**
     * One prompt an expert drew, judged.
     *
     * @param index the prompt's index among its subject's prompts
     * @param prompt the new-context prompt (without the expert's identifier)
     * @param context the context the prompt asks for
     * @param seed the noise seed of its image
     * @param subjectFidelity {@link io.github.t2i4j.suti.eval.SubjectFidelity}'s score
     * @param subjectPassed whether it passes subject fidelity's threshold
     * @param textFidelity {@link io.github.t2i4j.suti.eval.TextFidelity}'s score (fraction of the context met)
     * @param textMet whether all of the context is met
     * @param kept whether the image was kept as a target
     */
    public record Candidate(int index, String prompt, SubjectContext context, long seed, double subjectFidelity,
            boolean subjectPassed, double textFidelity, boolean textMet, boolean kept) {

        /** The ranking score: subject fidelity times text fidelity. */
        public double score() {
            return subjectFidelity * textFidelity;
        }

        /** How many of the two measures pass (0 to 2): the first ranking key. */
        public int passes() {
            return (subjectPassed ? 1 : 0) + (textMet ? 1 : 0);
        }

        JsonObject toJson() {
            JsonObject o = new JsonObject();
            o.addProperty("index", index);
            o.addProperty("prompt", prompt);
            o.add("context", contextJson(context));
            o.addProperty("seed", seed);
            o.addProperty("subjectFidelity", subjectFidelity);
            o.addProperty("subjectPassed", subjectPassed);
            o.addProperty("textFidelity", textFidelity);
            o.addProperty("textMet", textMet);
            o.addProperty("score", score());
            o.addProperty("kept", kept);
            return o;
        }

        static Candidate fromJson(JsonObject o) {
            return new Candidate(o.get("index").getAsInt(), o.get("prompt").getAsString(),
                    parseContext(o.getAsJsonObject("context")), o.get("seed").getAsLong(), o.get("subjectFidelity").getAsDouble(),
                    o.get("subjectPassed").getAsBoolean(), o.get("textFidelity").getAsDouble(),
                    o.get("textMet").getAsBoolean(), o.get("kept").getAsBoolean());
        }
    }

    /**
     * A finished subject.
     *
     * @param subjectId the catalog id
     * @param noun its class noun
     * @param identifier the DreamBooth identifier its expert was trained with
     * @param demonstrations the demonstrations (the expert's training images, the examples' demonstrations)
     * @param candidates every prompt drawn, in prompt order, with its scores
     * @param classImageSeconds the expert's prior images
     * @param fineTuneSeconds the expert's encoding and fine-tuning
     * @param generationSeconds drawing the candidates
     * @param firstLoss the expert's first training loss
     * @param lastLoss its last
     */
    public record SubjectRecord(int subjectId, String noun, String identifier, List<Demo> demonstrations,
            List<Candidate> candidates, double classImageSeconds, double fineTuneSeconds, double generationSeconds,
            double firstLoss, double lastLoss) {

        public SubjectRecord {
            demonstrations = List.copyOf(demonstrations);
            candidates = List.copyOf(candidates);
        }

        /** Images drawn. */
        public int generated() {
            return candidates.size();
        }

        /** Targets kept. */
        public int kept() {
            return (int) candidates.stream().filter(Candidate::kept).count();
        }

        /** The expert's whole cost: prior images plus fine-tuning. */
        public double expertSeconds() {
            return classImageSeconds + fineTuneSeconds;
        }

        JsonObject toJson() {
            JsonObject o = new JsonObject();
            o.addProperty("subject", subjectId);
            o.addProperty("noun", noun);
            o.addProperty("identifier", identifier);
            o.addProperty("generated", generated());
            o.addProperty("kept", kept());
            o.addProperty("expertSeconds", expertSeconds());
            o.addProperty("classImageSeconds", classImageSeconds);
            o.addProperty("fineTuneSeconds", fineTuneSeconds);
            o.addProperty("generationSeconds", generationSeconds);
            o.addProperty("firstLoss", firstLoss);
            o.addProperty("lastLoss", lastLoss);
            o.add("demonstrations", array(demonstrations, Demo::toJson));
            o.add("candidates", array(candidates, Candidate::toJson));
            return o;
        }

        static SubjectRecord fromJson(JsonObject o) {
            List<Demo> demos = new ArrayList<>();
            o.getAsJsonArray("demonstrations").forEach(e -> demos.add(Demo.fromJson(e.getAsJsonObject())));
            List<Candidate> candidates = new ArrayList<>();
            o.getAsJsonArray("candidates").forEach(e -> candidates.add(Candidate.fromJson(e.getAsJsonObject())));
            return new SubjectRecord(o.get("subject").getAsInt(), o.get("noun").getAsString(),
                    o.get("identifier").getAsString(), demos, candidates, o.get("classImageSeconds").getAsDouble(),
                    o.get("fineTuneSeconds").getAsDouble(), o.get("generationSeconds").getAsDouble(),
                    number(o, "firstLoss"), number(o, "lastLoss"));
        }
    }

    /**
     * A kept target: an apprenticeship example.
     *
     * @param subjectId the catalog id of the subject
     * @param candidate the prompt, its context, seed and scores
     * @param rank its place among its subject's candidates (0: best)
     * @param demonstrations the subject's demonstrations
     * @param target the target PNG (relative to the folder)
     */
    public record StoredExample(int subjectId, Candidate candidate, int rank, List<Demo> demonstrations, String target) {

        public StoredExample {
            Objects.requireNonNull(candidate, "candidate");
            Objects.requireNonNull(target, "target");
            demonstrations = List.copyOf(demonstrations);
        }

        JsonObject toJson() {
            JsonObject o = new JsonObject();
            o.addProperty("subject", subjectId);
            o.addProperty("index", candidate.index());
            o.addProperty("prompt", candidate.prompt());
            o.add("context", contextJson(candidate.context()));
            o.addProperty("seed", candidate.seed());
            o.addProperty("subjectFidelity", candidate.subjectFidelity());
            o.addProperty("subjectPassed", candidate.subjectPassed());
            o.addProperty("textFidelity", candidate.textFidelity());
            o.addProperty("textMet", candidate.textMet());
            o.addProperty("score", candidate.score());
            o.addProperty("kept", true);
            o.addProperty("rank", rank);
            o.add("demonstrations", array(demonstrations, Demo::toJson));
            o.addProperty("target", target);
            return o;
        }

        static StoredExample fromJson(JsonObject o) {
            List<Demo> demos = new ArrayList<>();
            o.getAsJsonArray("demonstrations").forEach(e -> demos.add(Demo.fromJson(e.getAsJsonObject())));
            if (demos.isEmpty()) {
                throw new IllegalArgumentException("no demonstrations");
            }
            return new StoredExample(o.get("subject").getAsInt(), Candidate.fromJson(o), o.get("rank").getAsInt(), demos,
                    o.get("target").getAsString());
        }
    }

    private final Path dir;
    private final Map<Integer, SubjectRecord> subjects = new LinkedHashMap<>();
    private final List<StoredExample> examples = new ArrayList<>();
    private final Map<String, BufferedImage> cache = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, BufferedImage> eldest) {
            return size() > CACHED_IMAGES;
        }
    };
    private JsonObject settings;
    /** Whether opening dropped a cut last line (the files are then rewritten). */
    private boolean lineDropped;
    /** Opened by {@link #read}: no file is changed. */
    private boolean readOnly;

    private ApprenticeshipStore(Path dir) {
        this.dir = dir;
    }

    /**
     * Opens (creating if needed) the folder {@code dir} to add to it, dropping from its files what an
     * interruption left unfinished (a cut last line, the examples of an unfinished subject).
     */
    public static ApprenticeshipStore open(Path dir) {
        ApprenticeshipStore store = new ApprenticeshipStore(dir);
        try {
            Files.createDirectories(dir);
            store.load(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the apprenticeship folder " + dir, e);
        }
        return store;
    }

    /**
     * Opens an existing folder read-only: its finished subjects and their examples, changing no file
     * (so it may be read while a job still adds to it); an error if it holds no finished subject's data.
     */
    public static ApprenticeshipStore read(Path dir) {
        if (!Files.isRegularFile(dir.resolve(SUBJECTS))) {
            throw new IllegalArgumentException(dir + " holds no apprenticeship data (no " + SUBJECTS + ")");
        }
        ApprenticeshipStore store = new ApprenticeshipStore(dir);
        store.readOnly = true;
        try {
            store.load(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the apprenticeship folder " + dir, e);
        }
        return store;
    }

    private void load(boolean repair) throws IOException {
        Path settingsFile = dir.resolve(SETTINGS);
        if (Files.isRegularFile(settingsFile)) {
            settings = JsonParser.parseString(Files.readString(settingsFile, StandardCharsets.UTF_8)).getAsJsonObject();
        }
        List<SubjectRecord> s = readLines(dir.resolve(SUBJECTS), SubjectRecord::fromJson, "subject");
        s.forEach(r -> subjects.put(r.subjectId(), r));
        List<StoredExample> e = readLines(dir.resolve(EXAMPLES), StoredExample::fromJson, "example");
        Set<Integer> orphans = new TreeSet<>();
        Map<Integer, Integer> counts = new LinkedHashMap<>();
        for (StoredExample x : e) {
            if (subjects.containsKey(x.subjectId())) {
                examples.add(x);
                counts.merge(x.subjectId(), 1, Integer::sum);
            } else {
                orphans.add(x.subjectId());
            }
        }
        for (SubjectRecord r : subjects.values()) {
            int have = counts.getOrDefault(r.subjectId(), 0);
            if (have != r.kept()) {
                throw new IllegalStateException(dir.resolve(EXAMPLES) + " holds " + have + " examples of subject "
                        + r.subjectId() + ", but " + SUBJECTS + " says " + r.kept() + " were kept: the folder was changed");
            }
        }
        if (!orphans.isEmpty() && repair) {
            LOG.warn("{}: {} example(s) of unfinished subject(s) {} dropped (an interrupted run); those subjects will be"
                    + " redone", dir.resolve(EXAMPLES), e.size() - examples.size(), orphans);
        }
        if (repair && (!orphans.isEmpty() || lineDropped)) {
            JsonLines.write(dir.resolve(EXAMPLES), examples, StoredExample::toJson);
            JsonLines.write(dir.resolve(SUBJECTS), subjects.values(), SubjectRecord::toJson);
            lineDropped = false;
        }
    }

    private <T> List<T> readLines(Path file, Function<JsonObject, T> parse, String what) {
        JsonLines.Contents<T> read = JsonLines.read(file, parse, "a stored " + what);
        if (read.lastLineCut() && readOnly) {
            LOG.debug("{}: the last line is incomplete (being written, or cut); ignored", file);
        } else if (read.lastLineCut()) {
            LOG.warn("{}: the last line ({} characters) is incomplete, probably cut by an interruption; it is"
                    + " dropped and its subject will be redone", file, read.cutLastLine());
            lineDropped = true;
        }
        return read.items();
    }

    /** The folder. */
    public Path dir() {
        return dir;
    }

    /** The settings the data was made with, or null before the first run. */
    public JsonObject settings() {
        return settings == null ? null : settings.deepCopy();
    }

    /** Records the settings (atomically); only while no subject is finished. */
    public void writeSettings(JsonObject s) {
        checkWritable();
        if (!subjects.isEmpty()) {
            throw new IllegalStateException(dir.resolve(SETTINGS) + " is fixed: " + subjects.size()
                    + " subjects are finished with it");
        }
        AtomicFiles.writeString(dir.resolve(SETTINGS), s.toString() + "\n");
        settings = s.deepCopy();
    }

    /** Whether the subject is finished. */
    public boolean has(int subjectId) {
        return subjects.containsKey(subjectId);
    }

    /** A finished subject's record, or null. */
    public SubjectRecord subject(int subjectId) {
        return subjects.get(subjectId);
    }

    /** The finished subjects, in the order they were finished. */
    public List<SubjectRecord> subjects() {
        return List.copyOf(subjects.values());
    }

    /** The kept targets, in file order (the sources' indices). */
    public List<StoredExample> examples() {
        return List.copyOf(examples);
    }

    /** A subject's folder of PNGs, relative to the store. */
    public static String subjectFolder(int subjectId) {
        return "subjects/" + String.format(Locale.ROOT, "%06d", subjectId);
    }

    /** The file name of a subject's demonstration {@code i}. */
    public static String demoFile(int subjectId, int i) {
        return subjectFolder(subjectId) + "/demo-" + i + ".png";
    }

    /** The file name of a subject's target for prompt {@code index}. */
    public static String targetFile(int subjectId, int index) {
        return subjectFolder(subjectId) + "/target-" + String.format(Locale.ROOT, "%03d", index) + ".png";
    }

    /** Writes an image atomically under its relative name. */
    public void writeImage(String file, BufferedImage image) {
        checkWritable();
        Images.writePng(image, dir.resolve(file));
        synchronized (cache) {
            cache.remove(file);
        }
    }

    /** Reads an image of the folder (cached). */
    public BufferedImage readImage(String file) {
        synchronized (cache) {
            BufferedImage img = cache.get(file);
            if (img == null) {
                img = Images.read(dir.resolve(file));
                cache.put(file, img);
            }
            return img;
        }
    }

    /**
     * Records a finished subject: appends its examples, then its line (each forced to disk), so that it
     * counts as finished only with all its examples in place. Its PNGs must be written already.
     */
    public void add(SubjectRecord subject, List<StoredExample> kept) {
        checkWritable();
        if (has(subject.subjectId())) {
            throw new IllegalArgumentException("subject " + subject.subjectId() + " is already finished in " + dir);
        }
        if (kept.size() != subject.kept() || kept.stream().anyMatch(e -> e.subjectId() != subject.subjectId())) {
            throw new IllegalArgumentException("the examples do not match subject " + subject.subjectId() + "'s kept"
                    + " candidates: " + kept.size() + " vs " + subject.kept());
        }
        if (!kept.isEmpty()) {
            JsonLines.append(dir.resolve(EXAMPLES), JsonLines.lines(kept, StoredExample::toJson));
        }
        JsonLines.append(dir.resolve(SUBJECTS), subject.toJson() + "\n");
        examples.addAll(kept);
        subjects.put(subject.subjectId(), subject);
    }

    /** An error if the store was opened read-only. */
    void checkWritable() {
        if (readOnly) {
            throw new IllegalStateException(dir + " was opened read-only; open it with ApprenticeshipStore.open to add to it");
        }
    }

    // ---- ApprenticeshipSource

    @Override
    public long size() {
        return examples.size();
    }

    @Override
    public ApprenticeshipExample example(long index) {
        if (index < 0 || index >= examples.size()) {
            throw new IndexOutOfBoundsException("example " + index + " of " + examples.size());
        }
        StoredExample e = examples.get((int) index);
        List<BufferedImage> images = e.demonstrations().stream().map(d -> readImage(d.file())).toList();
        List<String> captions = e.demonstrations().stream().map(Demo::caption).toList();
        return new ApprenticeshipExample(images, captions, e.candidate().prompt(), readImage(e.target()));
    }

    @Override
    public String describe() {
        return "expert apprenticeship data in " + dir + " (" + subjects.size() + " subjects, " + examples.size()
                + " examples)";
    }

    // ---- JSON and files

    static JsonObject contextJson(SubjectContext c) {
        JsonObject o = new JsonObject();
        o.addProperty("position", c.position().key());
        o.addProperty("size", c.size().word());
        o.addProperty("background", c.background().key());
        return o;
    }

    static SubjectContext parseContext(JsonObject o) {
        String key = o.get("position").getAsString();
        Position position = null;
        for (Position p : Position.values()) {
            if (p.key().equals(key)) {
                position = p;
            }
        }
        if (position == null) {
            throw new IllegalArgumentException("unknown position '" + key + "'");
        }
        return new SubjectContext(position, Size.of(o.get("size").getAsString()),
                Background.of(o.get("background").getAsString()));
    }

    private static <T> JsonArray array(List<T> items, Function<T, JsonObject> json) {
        JsonArray a = new JsonArray();
        items.forEach(i -> a.add(json.apply(i)));
        return a;
    }

    private static double number(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? Double.NaN : e.getAsDouble();
    }
}
