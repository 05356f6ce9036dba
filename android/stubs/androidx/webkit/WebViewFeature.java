// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/androidx/webkit/WebViewFeature
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package androidx.webkit;

public class WebViewFeature {
    public static final String WEB_MESSAGE_LISTENER = "WEB_MESSAGE_LISTENER";
    public static boolean isFeatureSupported(String feature) { throw new UnsupportedOperationException(); }
}
