package io.github.t2i4j.core.world.eval;

/**
 * Whether one {@link io.github.t2i4j.core.world.Requirement} of a prompt is met: its kind ("object" or
 * "relation"), its readable description (e.g. "red circle" or "red circle left_of square") and the verdict.
 */
public record RequirementResult(String kind, String description, boolean met) {}
