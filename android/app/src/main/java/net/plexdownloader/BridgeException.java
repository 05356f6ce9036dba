package net.plexdownloader;

/**
 * The one exception the Rust core throws: every error and every panic inside a native call.
 * The library builds it with the message {@code "kind: sentence"}; {@link #kind()} and
 * {@link #sentence()} give the two parts. Tokens never appear in it.
 */
public final class BridgeException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    /** The kind of a message without one. */
    static final String UNKNOWN_KIND = "unknown";
    private final String kind;
    private final String sentence;

    public BridgeException(String message) {
        super(message);
        int colon = message == null ? -1 : message.indexOf(": ");
        this.kind = colon > 0 ? message.substring(0, colon) : UNKNOWN_KIND;
        this.sentence = colon > 0 ? message.substring(colon + 2) : String.valueOf(message);
    }

    /** What kind of failure it was ({@code storage}, {@code notStarted}, {@code panic}, ...). */
    public String kind() {
        return kind;
    }

    /** The plain sentence describing it. */
    public String sentence() {
        return sentence;
    }
}
