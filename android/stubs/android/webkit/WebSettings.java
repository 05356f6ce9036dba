// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/android/webkit/WebSettings
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package android.webkit;

public abstract class WebSettings {
    public abstract void setJavaScriptEnabled(boolean flag);
    public abstract void setAllowFileAccess(boolean allow);
    public abstract void setAllowContentAccess(boolean allow);
}
