package io.github.t2i4j.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class ConfigJsonTest {
    private static final JsonObject O = JsonParser.parseString(
            "{\"n\": 4, \"half\": 1.5, \"word\": \"x\", \"nil\": null, \"eps\": 1e-5, \"on\": true,"
                    + " \"list\": [1, 2, 3], \"sub\": {\"a\": 1}}").getAsJsonObject();

    @Test
    void absentAndNullKeysTakeTheDefault() {
        assertEquals(4, ConfigJson.intOr(O, "n", 7));
        assertEquals(7, ConfigJson.intOr(O, "missing", 7));
        assertEquals(7, ConfigJson.intOr(O, "nil", 7));
        assertEquals(1e-5, ConfigJson.doubleOr(O, "eps", 0));
        assertTrue(ConfigJson.boolOr(O, "on", false));
        assertEquals("x", ConfigJson.stringOr(O, "word", "y"));
        assertEquals(List.of(1, 2, 3), ConfigJson.intsOr(O, "list", List.of()));
        assertEquals(1, ConfigJson.requireObject(O, "sub").get("a").getAsInt());
        assertEquals(0, ConfigJson.objectOr(O, "nil").size());
    }

    @Test
    void wrongTypesAndMissingRequiredKeysNameTheKey() {
        rejects("half", () -> ConfigJson.intOr(O, "half", 0));
        rejects("word", () -> ConfigJson.doubleOr(O, "word", 0));
        rejects("n", () -> ConfigJson.boolOr(O, "n", false));
        rejects("n", () -> ConfigJson.stringOr(O, "n", ""));
        rejects("n", () -> ConfigJson.intsOr(O, "n", List.of()));
        rejects("n", () -> ConfigJson.objectOr(O, "n"));
        rejects("nil", () -> ConfigJson.requireInt(O, "nil"));
        rejects("missing", () -> ConfigJson.requireDouble(O, "missing"));
        rejects("depth", () -> ConfigJson.requirePositive("depth", 0));
    }

    private static void rejects(String key, Executable read) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, read);
        assertTrue(e.getMessage().contains("config key " + key + " "), e.getMessage());
    }
}
