package io.github.t2i4j.core.io;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * JSON Lines files that resumable jobs append to (one JSON object per line): appends are forced to
 * disk, a whole file is rewritten atomically, and reading tolerates a last line cut short by an
 * interruption (the caller decides what to redo), while a bad line elsewhere is an error naming it.
 */
public final class JsonLines {
    private JsonLines() {}

    /**
     * A file's records, and the length of a last line that could not be parsed (cut by an
     * interruption, or still being written), -1 when there was none.
     */
    public record Contents<T>(List<T> items, int cutLastLine) {
        public boolean lastLineCut() {
            return cutLastLine >= 0;
        }
    }

    /**
     * Parses every non-blank line of {@code file} (no file: no records).
     *
     * @param what what a line is, for the error (e.g. "a ranking")
     * @throws IllegalArgumentException for a line other than the last that {@code parse} refuses
     */
    public static <T> Contents<T> read(Path file, Function<JsonObject, T> parse, String what) {
        List<T> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return new Contents<>(out, -1);
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        int cut = -1;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            try {
                out.add(parse.apply(JsonParser.parseString(line).getAsJsonObject()));
            } catch (JsonParseException | IllegalStateException | NullPointerException | IllegalArgumentException
                    | UnsupportedOperationException | ClassCastException e) {
                if (i != lines.size() - 1) {
                    throw new IllegalArgumentException(file + " line " + (i + 1) + " is not " + what + ": " + e.getMessage(), e);
                }
                cut = line.length();
            }
        }
        return new Contents<>(out, cut);
    }

    /** Appends {@code lines} (each ending in a newline) to {@code file} and forces them to disk. */
    public static void append(Path file, String lines) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ch.write(StandardCharsets.UTF_8.encode(lines));
            ch.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file, e);
        }
    }

    /** The lines of {@code items} as {@code json} writes them, each ending in a newline. */
    public static <T> String lines(Iterable<T> items, Function<T, JsonObject> json) {
        StringBuilder sb = new StringBuilder();
        for (T t : items) {
            sb.append(json.apply(t)).append('\n');
        }
        return sb.toString();
    }

    /** Replaces {@code file} with the lines of {@code items}, atomically. */
    public static <T> void write(Path file, Iterable<T> items, Function<T, JsonObject> json) {
        AtomicFiles.writeString(file, lines(items, json));
    }
}
