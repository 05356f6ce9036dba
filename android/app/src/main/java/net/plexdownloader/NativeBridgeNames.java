package net.plexdownloader;

/** Names the UI and the host agree on (docs/bridgeProtocol.md). */
final class NativeBridgeNames {
    /** The object the WebView offers to the UI's origin. */
    static final String OBJECT = "plexdlBridge";
    /** A host message (not a bridge request) asking to play a finished download: {"play":ID}. */
    static final String PLAY_PREFIX = "{\"play\":";

    private NativeBridgeNames() {}
}
