/** SuTI: subject-driven text-to-image generation in context, trained by apprenticeship. Planned: see the project issues. */
package io.github.t2i4j.suti;
