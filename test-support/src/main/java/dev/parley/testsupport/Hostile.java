package dev.parley.testsupport;

import java.util.ArrayList;
import java.util.List;

/**
 * The hand-made hostile inputs every wire format shares: changes to a valid text (cut short, a tricky
 * character put in, deep nesting) made at fixed points, so that each case is the same on every run and can be
 * named in a failure. {@link HostilePackets} (Socket.IO) and {@link HostileBodies} (SSE POST bodies) build on
 * them; the fuzz tests' committed seeds are among them, and the fuzzer takes it from there.
 */
public final class Hostile {
  /** Where a change is made, as a fraction of the text's length: start, quarters, end. */
  private static final double[] POINTS = {0, 0.25, 0.5, 0.75, 1};

  private Hostile() {
  }

  /** A change to a text. */
  public interface Mutation {
    /** The changed text. */
    String apply(String text);
  }

  /** Cuts the text at the start, at each quarter and at the end. */
  public static List<Mutation> truncations() {
    List<Mutation> out = new ArrayList<>();
    for (double where : POINTS) {
      out.add(t -> t.substring(0, at(t, where)));
    }
    return out;
  }

  /** Puts each of the {@code tricky} characters in, the k-th at the k-th of the points in turn. */
  public static List<Mutation> insertions(String tricky) {
    List<Mutation> out = new ArrayList<>();
    for (int k = 0; k < tricky.length(); k++) {
      char c = tricky.charAt(k);
      double where = POINTS[k % POINTS.length];
      out.add(t -> t.substring(0, at(t, where)) + c + t.substring(at(t, where)));
    }
    return out;
  }

  /** Replaces one character by each of the {@code tricky} ones, the k-th at the k-th of the points in turn. */
  public static List<Mutation> flips(String tricky) {
    List<Mutation> out = new ArrayList<>();
    for (int k = 0; k < tricky.length(); k++) {
      char c = tricky.charAt(k);
      double where = POINTS[k % POINTS.length];
      out.add(t -> {
        if (t.isEmpty()) {
          return t;
        }
        int i = Math.min(at(t, where), t.length() - 1);
        return t.substring(0, i) + c + t.substring(i + 1);
      });
    }
    return out;
  }

  /**
   * Wraps the rest of the text from its middle in 10 arrays, in one level either side of
   * {@code JsonDepth.MAX} (64) counting an enclosing one, and in 1,500.
   */
  public static List<Mutation> nestings() {
    List<Mutation> out = new ArrayList<>();
    for (int n : new int[] {10, 62, 63, 64, 1_500}) {
      out.add(t -> t.substring(0, at(t, 0.5)) + "[".repeat(n) + t.substring(at(t, 0.5)) + "]".repeat(n));
    }
    return out;
  }

  /** Appends the text's own second half to it. */
  public static Mutation repeat() {
    return t -> t + t.substring(at(t, 0.5));
  }

  /** Each of {@code valid}, changed once by each of {@code mutations}; the valid texts first, unchanged. */
  public static List<String> mutated(List<String> valid, List<Mutation> mutations) {
    List<String> out = new ArrayList<>(valid);
    for (String text : valid) {
      for (Mutation mutation : mutations) {
        out.add(mutation.apply(text));
      }
    }
    return out;
  }

  /** The index {@code where} (0..1) of the way into {@code text}. */
  public static int at(String text, double where) {
    return (int) Math.floor(where * text.length());
  }
}
