package io.github.t2i4j.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonFilesTest {

    @Test
    void writeThenReadKeepsNullsAndCreatesTheFolder(@TempDir Path tmp) throws Exception {
        JsonObject o = new JsonObject();
        o.addProperty("sample_size", 32);
        o.add("time_cond_proj_dim", JsonNull.INSTANCE);
        Path file = tmp.resolve("unet").resolve("config.json");

        JsonFiles.writeObject(file, o);

        String text = Files.readString(file);
        assertEquals("{\n  \"sample_size\": 32,\n  \"time_cond_proj_dim\": null\n}", text);
        assertEquals(o, JsonFiles.readObject(file, "test config"));
    }

    @Test
    void readRejectsANonObject(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("config.json");
        Files.writeString(file, "[1, 2]");
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> JsonFiles.readObject(file, "test config"));
        assertTrue(e.getMessage().contains("not a JSON object"), e.getMessage());
    }
}
