package io.github.t2i4j.core.models.clip;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/** Reading typed keys of a transformers {@code config.json}, with clear errors for wrong types. */
final class ConfigJson {
    private ConfigJson() {}

    static JsonElement get(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? null : e;
    }

    static int intOr(JsonObject o, String key, int def) {
        JsonElement e = get(o, key);
        if (e == null) {
            return def;
        }
        try {
            return e.getAsJsonPrimitive().getAsBigDecimal().intValueExact();
        } catch (RuntimeException ex) {
            throw new IllegalArgumentException("config key " + key + " must be an integer, got " + e);
        }
    }

    static double doubleOr(JsonObject o, String key, double def) {
        JsonElement e = get(o, key);
        if (e == null) {
            return def;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new IllegalArgumentException("config key " + key + " must be a number, got " + e);
        }
        return e.getAsDouble();
    }

    static boolean boolOr(JsonObject o, String key, boolean def) {
        JsonElement e = get(o, key);
        if (e == null) {
            return def;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw new IllegalArgumentException("config key " + key + " must be true or false, got " + e);
        }
        return e.getAsBoolean();
    }

    static String stringOr(JsonObject o, String key, String def) {
        JsonElement e = get(o, key);
        if (e == null) {
            return def;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new IllegalArgumentException("config key " + key + " must be a string, got " + e);
        }
        return e.getAsString();
    }

    /** An object-valued key, or an empty object when absent. */
    static JsonObject objectOr(JsonObject o, String key) {
        JsonElement e = get(o, key);
        if (e == null) {
            return new JsonObject();
        }
        if (!e.isJsonObject()) {
            throw new IllegalArgumentException("config key " + key + " must be an object, got " + e);
        }
        return e.getAsJsonObject();
    }

    static void requirePositive(String key, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("config key " + key + " must be positive, got " + value);
        }
    }
}
