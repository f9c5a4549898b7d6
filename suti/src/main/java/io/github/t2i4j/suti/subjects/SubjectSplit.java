package io.github.t2i4j.suti.subjects;

import java.util.Locale;

/** Which part of the {@link SubjectCatalog} a subject belongs to: training or held-out evaluation. */
public enum SubjectSplit {
    TRAIN,
    HELD_OUT;

    /** Lowercase name used in JSON, e.g. "held_out". */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@link #key()}. */
    public static SubjectSplit of(String key) {
        return valueOf(key.toUpperCase(Locale.ROOT));
    }
}
