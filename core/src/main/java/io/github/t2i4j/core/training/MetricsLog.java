package io.github.t2i4j.core.training;

import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A JSON-lines log of {@link StepMetrics}, one object per step: {@code {"step":1,"loss":0.53,
 * "lr":1e-4,"grad_norm":2.1,"seconds":0.8}} (plus {@code "skipped":true} for a skipped update).
 * Non-finite values are written as {@code null}. Each line is flushed as it is written, so the
 * log survives a crash; a resumed run first drops the lines past the step it resumes from, so
 * the log always describes one continuous run.
 */
public final class MetricsLog implements AutoCloseable {
    private final Path file;
    private final BufferedWriter out;

    private MetricsLog(Path file, BufferedWriter out) {
        this.file = file;
        this.out = out;
    }

    /**
     * Opens the log for appending after keeping only its entries with {@code step <=
     * keepThroughStep} ({@code 0} starts a new log).
     */
    public static MetricsLog open(Path file, long keepThroughStep) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            List<String> kept = new ArrayList<>();
            if (keepThroughStep > 0 && Files.exists(file)) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    if (!line.isBlank()
                            && JsonParser.parseString(line).getAsJsonObject().get("step").getAsLong()
                                    <= keepThroughStep) {
                        kept.add(line);
                    }
                }
            }
            Path tmp = Files.createTempFile(dir, ".metrics-", ".tmp");
            Files.write(tmp, kept, StandardCharsets.UTF_8);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            BufferedWriter w =
                    Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            return new MetricsLog(file, w);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open metrics log " + file, e);
        }
    }

    /** Appends one step and flushes. */
    public void append(StepMetrics m) {
        JsonObject o = new JsonObject();
        o.addProperty("step", m.step());
        o.add("loss", number(m.loss()));
        o.add("lr", number(m.lr()));
        o.add("grad_norm", number(m.gradNorm()));
        o.add("seconds", number(m.seconds()));
        if (m.skipped()) {
            o.addProperty("skipped", true);
        }
        try {
            out.write(o.toString());
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write metrics log " + file, e);
        }
    }

    /** Reads every entry of a log. */
    public static List<StepMetrics> read(Path file) {
        List<StepMetrics> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                JsonObject o = JsonParser.parseString(line).getAsJsonObject();
                out.add(
                        new StepMetrics(
                                o.get("step").getAsLong(),
                                value(o, "loss"),
                                value(o, "lr"),
                                value(o, "grad_norm"),
                                value(o, "seconds"),
                                o.has("skipped") && o.get("skipped").getAsBoolean()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read metrics log " + file, e);
        }
        return out;
    }

    private static JsonElement number(double v) {
        return Double.isFinite(v) ? new JsonPrimitive(v) : JsonNull.INSTANCE;
    }

    private static double value(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? Double.NaN : e.getAsDouble();
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close metrics log " + file, e);
        }
    }
}
