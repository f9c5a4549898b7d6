package io.github.t2i4j.core.io;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads and writes the JSON files model folders hold (config.json and friends), with errors that
 * name them.
 */
public final class JsonFiles {
    /** Pretty-printed, nulls written out (diffusers' configs carry {@code null} values). */
    private static final Gson PRETTY = new GsonBuilder().setPrettyPrinting().serializeNulls().create();

    private JsonFiles() {}

    /**
     * Parses a file that must hold one JSON object.
     *
     * @param what what the file is, for messages (e.g. "VAE config")
     * @throws IllegalArgumentException if it cannot be read, is not JSON, or is not an object
     */
    public static JsonObject readObject(Path file, String what) {
        try {
            JsonElement el = JsonParser.parseString(Files.readString(file));
            if (!el.isJsonObject()) {
                throw new IllegalArgumentException(what + " " + file + " is not a JSON object");
            }
            return el.getAsJsonObject();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + what + " " + file + ": " + e, e);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException(what + " " + file + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    /**
     * Writes {@code json} to {@code file}, pretty-printed with nulls kept, creating the parent
     * folder if needed.
     *
     * @throws UncheckedIOException if the file cannot be written
     */
    public static void writeObject(Path file, JsonObject json) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, PRETTY.toJson(json));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
