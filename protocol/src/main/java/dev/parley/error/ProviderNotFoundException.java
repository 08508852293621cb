package dev.parley.error;

/**
 * A transport, store or host that was asked for (or that is needed) is not on the class path or
 * module path. The message names the artifact to add.
 */
public final class ProviderNotFoundException extends ParleyException {
  private static final long serialVersionUID = 1L;
  private final String kind;
  private final String name;

  public ProviderNotFoundException(String kind, String name, String artifact) {
    super("no " + kind + " named \"" + name + "\" was found; add the dependency "
        + artifact + " (on the class path or the module path)");
    this.kind = kind;
    this.name = name;
  }

  public ProviderNotFoundException(String kind, String name, String artifact, String found) {
    super("no " + kind + " named \"" + name + "\" was found (found: " + found + "); add the dependency "
        + artifact + " (on the class path or the module path)");
    this.kind = kind;
    this.name = name;
  }

  /** {@code "transport"}, {@code "store"} or {@code "host"}. */
  public String kind() {
    return kind;
  }

  /** The provider name that was looked for. */
  public String name() {
    return name;
  }
}
