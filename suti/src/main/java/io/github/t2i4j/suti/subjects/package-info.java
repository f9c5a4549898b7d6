/**
 * Subjects of the bundled world for SuTI: objects of a nameable class (a world shape) with an identity
 * no caption can name (a multi-colour pattern), the fixed {@link io.github.t2i4j.suti.subjects.SubjectCatalog}
 * of training and held-out subjects, their rendering, and demonstrations and new-context prompts.
 */
package io.github.t2i4j.suti.subjects;
