// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/androidx/webkit/JavaScriptReplyProxy
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package androidx.webkit;

public abstract class JavaScriptReplyProxy {
    public abstract void postMessage(String message);
}
