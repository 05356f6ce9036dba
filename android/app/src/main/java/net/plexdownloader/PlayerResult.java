package net.plexdownloader;

/**
 * What a video player hands back when the user leaves it, turned into the bridge request
 * that records it: {@code downloads.markWatched} when the player says it played to the
 * end, {@code downloads.setPosition} when it says where playback stopped, nothing otherwise.
 *
 * <ul>
 *   <li>MX Player answers only when it was started with {@link #MX_RETURN_RESULT} true; its
 *       result has {@code position} (an int, milliseconds) and {@code end_by}
 *       ({@code playback_completion} or {@code user}). Source: MX Player's intent definition,
 *       sites.google.com/site/mxvpen/api; Jellyfin's MxExternalPlayerApi reads the same.
 *   <li>VLC answers with {@code extra_position} (a long, milliseconds) and
 *       {@code extra_duration}. Source: wiki.videolan.org/Android_Player_Intents; Jellyfin's
 *       VlcExternalPlayerApi reads the same.
 *   <li>Both answer {@link #RESULT_OK} (Activity.RESULT_OK) when playback ended normally; any
 *       other code (the player failed, or gave no answer) records nothing.
 * </ul>
 *
 * <p>Another player may send neither; then nothing is recorded, and the user marks the
 * download as watched by hand. This class has no android.* imports, so the host JVM tests
 * run it; MainActivity only reads the extras and passes them here.
 */
final class PlayerResult {
    /** Asks MX Player for a result. */
    static final String MX_RETURN_RESULT = "return_result";
    static final String MX_POSITION = "position";
    static final String MX_END_BY = "end_by";
    static final String MX_END_BY_COMPLETION = "playback_completion";
    static final String VLC_POSITION = "extra_position";
    /** Activity.RESULT_OK. */
    static final int RESULT_OK = -1;

    private PlayerResult() {}

    /**
     * The request that records a player's result for {@code downloadId}, or null when there
     * is nothing to record.
     *
     * @param mxPosition MX Player's {@code position}, or null when absent
     * @param vlcPosition VLC's {@code extra_position}, or null when absent
     * @param endBy MX Player's {@code end_by}, or null when absent
     */
    static String request(long downloadId, int resultCode, Integer mxPosition, Long vlcPosition, String endBy) {
        if (downloadId < 0 || resultCode != RESULT_OK) {
            return null;
        }
        if (MX_END_BY_COMPLETION.equals(endBy)) {
            return NativeBridgeNames.request(NativeBridgeNames.METHOD_MARK_WATCHED,
                    "{" + NativeBridgeNames.quote(NativeBridgeNames.FIELD_ID) + ":" + downloadId + "}");
        }
        long millis = mxPosition != null ? mxPosition : vlcPosition != null ? vlcPosition : -1;
        // Players give 0 or less for "no position"; a stop in the first second is no
        // progress either.
        if (millis < 1000) {
            return null;
        }
        return NativeBridgeNames.request(NativeBridgeNames.METHOD_SET_POSITION,
                "{" + NativeBridgeNames.quote(NativeBridgeNames.FIELD_ID) + ":" + downloadId + ","
                        + NativeBridgeNames.quote(NativeBridgeNames.FIELD_SECONDS) + ":" + millis / 1000 + "}");
    }
}
