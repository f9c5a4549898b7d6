/**
 * DreamBench-style measures on the bundled world, judged from pixels: subject fidelity (is it the
 * demonstrated subject), text fidelity (is the asked context met) and CLIP-I with the world's CLIP.
 */
package io.github.t2i4j.suti.eval;
