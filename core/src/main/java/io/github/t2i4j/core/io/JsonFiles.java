package io.github.t2i4j.core.io;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads the JSON files model folders hold (config.json and friends) with errors that name them. */
public final class JsonFiles {
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
}
