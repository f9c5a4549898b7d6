package io.github.t2i4j.core.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Typed keys of a {@code config.json} (transformers, VAR/STAR, t2i4j's own), with errors that name
 * the key and the bad value. The {@code ...Or} readers give the default for an absent key or a
 * JSON null; the {@code require...} readers reject both.
 */
public final class ConfigJson {
    private ConfigJson() {}

    /** The value of {@code key}, or null when it is absent or JSON null. */
    public static JsonElement get(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? null : e;
    }

    public static int intOr(JsonObject o, String key, int def) {
        JsonElement e = get(o, key);
        return e == null ? def : asInt(key, e);
    }

    public static int requireInt(JsonObject o, String key) {
        return asInt(key, require(o, key));
    }

    public static double doubleOr(JsonObject o, String key, double def) {
        JsonElement e = get(o, key);
        return e == null ? def : asDouble(key, e);
    }

    public static double requireDouble(JsonObject o, String key) {
        return asDouble(key, require(o, key));
    }

    public static boolean boolOr(JsonObject o, String key, boolean def) {
        JsonElement e = get(o, key);
        if (e == null) {
            return def;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw new IllegalArgumentException("config key " + key + " must be true or false, got " + e);
        }
        return e.getAsBoolean();
    }

    public static String stringOr(JsonObject o, String key, String def) {
        JsonElement e = get(o, key);
        if (e == null) {
            return def;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new IllegalArgumentException("config key " + key + " must be a string, got " + e);
        }
        return e.getAsString();
    }

    /** A list of integers, or {@code def} when absent. */
    public static List<Integer> intsOr(JsonObject o, String key, List<Integer> def) {
        JsonElement e = get(o, key);
        if (e == null) {
            return def;
        }
        if (!e.isJsonArray()) {
            throw new IllegalArgumentException("config key " + key + " must be a list of integers, got " + e);
        }
        JsonArray a = e.getAsJsonArray();
        List<Integer> out = new ArrayList<>(a.size());
        for (JsonElement x : a) {
            try {
                out.add(x.getAsJsonPrimitive().getAsBigDecimal().intValueExact());
            } catch (RuntimeException ex) {
                throw new IllegalArgumentException("config key " + key + " must be a list of integers, got " + e);
            }
        }
        return out;
    }

    /** An object-valued key, or an empty object when absent. */
    public static JsonObject objectOr(JsonObject o, String key) {
        JsonElement e = get(o, key);
        return e == null ? new JsonObject() : asObject(key, e);
    }

    public static JsonObject requireObject(JsonObject o, String key) {
        return asObject(key, require(o, key));
    }

    public static void requirePositive(String key, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("config key " + key + " must be positive, got " + value);
        }
    }

    private static JsonElement require(JsonObject o, String key) {
        JsonElement e = get(o, key);
        if (e == null) {
            throw new IllegalArgumentException("config key " + key + " is missing");
        }
        return e;
    }

    private static int asInt(String key, JsonElement e) {
        try {
            return e.getAsJsonPrimitive().getAsBigDecimal().intValueExact();
        } catch (RuntimeException ex) {
            throw new IllegalArgumentException("config key " + key + " must be an integer, got " + e);
        }
    }

    private static double asDouble(String key, JsonElement e) {
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new IllegalArgumentException("config key " + key + " must be a number, got " + e);
        }
        return e.getAsDouble();
    }

    private static JsonObject asObject(String key, JsonElement e) {
        if (!e.isJsonObject()) {
            throw new IllegalArgumentException("config key " + key + " must be an object, got " + e);
        }
        return e.getAsJsonObject();
    }
}
