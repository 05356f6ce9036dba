// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/android/net/Uri
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package android.net;

public abstract class Uri {
    public abstract String getHost();
    public abstract String getPath();
    public String getQueryParameter(String key) { throw new UnsupportedOperationException(); }
    public abstract String toString();
}
